namespace Gateway.Archive.Outbox;

/// <summary>Which outbox items an operator sends again: one item by id, or every dead letter (of one destination).</summary>
public sealed record OutboxRetry
{
    /// <summary>Only this destination; all when null.</summary>
    public string? Destination { get; init; }

    /// <summary>This item (dead-lettered, or pending: made due now).</summary>
    public long? Id { get; init; }

    /// <summary>Every dead-lettered item (of <see cref="Destination"/> when given).</summary>
    public bool AllDead { get; init; }
}
