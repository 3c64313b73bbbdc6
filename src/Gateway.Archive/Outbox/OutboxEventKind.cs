namespace Gateway.Archive.Outbox;

/// <summary>An event in a destination's queue history.</summary>
public enum OutboxEventKind
{
    /// <summary>An item was queued.</summary>
    Arrival,

    /// <summary>An item was delivered.</summary>
    Completion,
}
