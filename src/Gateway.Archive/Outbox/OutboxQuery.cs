namespace Gateway.Archive.Outbox;

/// <summary>Which outbox items to list.</summary>
public sealed record OutboxQuery
{
    /// <summary>Only this destination; all when null.</summary>
    public string? Destination { get; init; }

    /// <summary>Only these states; all undelivered ones (pending, leased, dead letter) when null.</summary>
    public IReadOnlyList<OutboxState>? States { get; init; }

    /// <summary>Items with an id above this (paging).</summary>
    public long AfterId { get; init; }

    /// <summary>At most this many. Default 100.</summary>
    public int Limit { get; init; } = 100;
}
