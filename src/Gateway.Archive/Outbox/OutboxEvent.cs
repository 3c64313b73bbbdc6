namespace Gateway.Archive.Outbox;

/// <summary>One arrival or completion, with its time and the time the completion took to serve.</summary>
/// <param name="Timestamp">When it happened.</param>
/// <param name="Kind">Arrival or completion.</param>
/// <param name="ItemId">The outbox item.</param>
/// <param name="ServiceTime">For a completion, the time spent serving the item (all its attempts); zero for an arrival.</param>
public sealed record OutboxEvent(DateTimeOffset Timestamp, OutboxEventKind Kind, long ItemId, TimeSpan ServiceTime);
