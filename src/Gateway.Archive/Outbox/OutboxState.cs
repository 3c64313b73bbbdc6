namespace Gateway.Archive.Outbox;

/// <summary>The state of one outbox item (one instance for one destination). Stored as its number.</summary>
public enum OutboxState
{
    /// <summary>Waiting for its first attempt, or for its next attempt after a failure.</summary>
    Pending = 0,

    /// <summary>Leased by a forwarder until the lease expires.</summary>
    Leased = 1,

    /// <summary>Delivered; kept as history until retention removes it.</summary>
    Delivered = 2,

    /// <summary>Failed for longer than <see cref="ArchiveOptions.DeadLetterAfter"/> (or given up): waits for an operator's retry.</summary>
    DeadLetter = 3,
}
