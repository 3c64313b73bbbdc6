using Gateway.Audit.Checkpoints;

namespace Gateway.Audit.Verification;

/// <summary>The result of verifying a whole log.</summary>
public sealed record AuditVerificationReport
{
    /// <summary>Records read (up to the first record that could not be read).</summary>
    public required long RecordCount { get; init; }

    /// <summary>Checkpoints whose signature verified.</summary>
    public required int ValidCheckpointCount { get; init; }

    /// <summary>Checkpoints in the checkpoint file.</summary>
    public required int CheckpointCount { get; init; }

    /// <summary>The latest checkpoint that verified.</summary>
    public Checkpoint? LatestCheckpoint { get; init; }

    /// <summary>Records after the latest valid checkpoint (not yet covered by a signature).</summary>
    public long UnsignedRecords { get; init; }

    /// <summary>Whether each record was also decrypted and its clear header checked against its contents.</summary>
    public bool Decrypted { get; init; }

    /// <summary>What is wrong, in the order found; empty when the log verified.</summary>
    public required IReadOnlyList<AuditVerificationProblem> Problems { get; init; }

    /// <summary>Whether nothing is wrong.</summary>
    public bool IsValid => Problems.Count == 0;
}
