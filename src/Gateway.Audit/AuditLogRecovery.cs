namespace Gateway.Audit;

/// <summary>What opening the log repaired: a torn tail left by a crash (never anything a signed checkpoint covers).</summary>
public sealed record AuditLogRecovery
{
    /// <summary>Bytes cut from the end of the last segment (an incomplete or damaged final record that was never acknowledged).</summary>
    public long TruncatedSegmentBytes { get; init; }

    /// <summary>The index the cut record would have had, when one was cut.</summary>
    public long? TruncatedRecordIndex { get; init; }

    /// <summary>Bytes cut from the end of the checkpoint file (an incomplete checkpoint).</summary>
    public long TruncatedCheckpointBytes { get; init; }

    /// <summary>Whether an empty last segment with a torn header was removed.</summary>
    public bool RemovedTornSegment { get; init; }

    /// <summary>
    /// Why the frontier saved with the checkpoints was not used (it did not match its signed checkpoint or the records, or
    /// could not be read), so that opening read every record; null when it was used or there was none.
    /// </summary>
    public string? FrontierProblem { get; init; }

    /// <summary>Whether anything was repaired.</summary>
    public bool Repaired => TruncatedSegmentBytes > 0 || TruncatedCheckpointBytes > 0 || RemovedTornSegment;
}
