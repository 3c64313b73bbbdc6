namespace Gateway.Archive.Outbox;

/// <summary>
/// One destination's queue figures over a window, for an M/M/1 view of its forwarder: arrivals (items queued), completions
/// (items delivered) and the time spent serving them.
/// </summary>
/// <remarks>
/// λ = <see cref="ArrivalRate"/> = arrivals / window; μ = <see cref="ServiceRate"/> = completions / busy time (the time
/// from lease to completion of the delivered items, failed attempts included); ρ = <see cref="Utilisation"/> = λ / μ;
/// <see cref="PredictedWait"/> = 1 / (μ − λ), null when μ ≤ λ (the queue grows without bound) or μ is unknown.
/// </remarks>
public sealed record OutboxFlow
{
    /// <summary>The destination.</summary>
    public required string Destination { get; init; }

    /// <summary>Start of the window (inclusive).</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>End of the window (exclusive).</summary>
    public required DateTimeOffset Until { get; init; }

    /// <summary>Items queued in the window.</summary>
    public required long Arrivals { get; init; }

    /// <summary>Items delivered in the window.</summary>
    public required long Completions { get; init; }

    /// <summary>Time spent serving the items delivered in the window.</summary>
    public required TimeSpan BusyTime { get; init; }

    /// <summary>Items pending or leased now.</summary>
    public required long Depth { get; init; }

    /// <summary>λ, items per second.</summary>
    public double ArrivalRate => Until > Since ? Arrivals / (Until - Since).TotalSeconds : 0;

    /// <summary>μ, items per second of service; null when nothing was delivered in the window.</summary>
    public double? ServiceRate => Completions > 0 && BusyTime > TimeSpan.Zero ? Completions / BusyTime.TotalSeconds : null;

    /// <summary>ρ = λ / μ; null when μ is unknown.</summary>
    public double? Utilisation => ServiceRate is { } mu ? ArrivalRate / mu : null;

    /// <summary>1 / (μ − λ); null when μ is unknown or not above λ.</summary>
    public TimeSpan? PredictedWait => ServiceRate is { } mu && mu > ArrivalRate ? TimeSpan.FromSeconds(1 / (mu - ArrivalRate)) : null;
}
