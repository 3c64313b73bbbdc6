namespace Gateway.Archive.Outbox;

/// <summary>An outbox item leased to a forwarder: what to send where, and the token that proves the lease.</summary>
public sealed record OutboxLease
{
    /// <summary>The outbox item.</summary>
    public required long Id { get; init; }

    /// <summary>The destination it is for.</summary>
    public required string Destination { get; init; }

    /// <summary>The archived instance's index row.</summary>
    public required long InstanceId { get; init; }

    /// <summary>The SOP Instance UID to open (<see cref="ArchiveStore.OpenDataSetAsync"/>) and send.</summary>
    public required string SopInstanceUid { get; init; }

    /// <summary>The SOP Class UID.</summary>
    public required string SopClassUid { get; init; }

    /// <summary>The transfer syntax UID the data set is stored in.</summary>
    public required string TransferSyntaxUid { get; init; }

    /// <summary>Attempts already made (failed ones), for the caller's backoff.</summary>
    public required int Attempts { get; init; }

    /// <summary>When the item was queued.</summary>
    public required DateTimeOffset EnqueuedAt { get; init; }

    /// <summary>When the lease expires and the item becomes due again for any forwarder.</summary>
    public required DateTimeOffset LeasedUntil { get; init; }

    /// <summary>Proves this lease: a completion with an older token (the lease expired and was taken again) is refused.</summary>
    public required long Token { get; init; }
}
