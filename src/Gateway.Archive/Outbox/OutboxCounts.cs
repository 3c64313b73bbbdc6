namespace Gateway.Archive.Outbox;

/// <summary>How many outbox items one destination has in each state.</summary>
public sealed record OutboxCounts
{
    /// <summary>The destination.</summary>
    public required string Destination { get; init; }

    /// <summary>Pending items (including <see cref="Retrying"/>).</summary>
    public long Pending { get; init; }

    /// <summary>Pending items that failed at least once.</summary>
    public long Retrying { get; init; }

    /// <summary>Leased (in flight) items.</summary>
    public long Leased { get; init; }

    /// <summary>Delivered items still kept as history.</summary>
    public long Delivered { get; init; }

    /// <summary>Dead-lettered items.</summary>
    public long DeadLetter { get; init; }

    /// <summary>Pending and leased: the queue length.</summary>
    public long Undelivered => Pending + Leased;
}
