using Gateway.Archive.Outbox;

namespace Gateway.Host.Archive;

/// <summary>One destination's queue figures at one refresh.</summary>
public sealed record DestinationFigures
{
    /// <summary>The destination.</summary>
    public required string Destination { get; init; }

    /// <summary>λ, items per second.</summary>
    public required double ArrivalRate { get; init; }

    /// <summary>μ, items per second of service; null while nothing was delivered in the window.</summary>
    public double? ServiceRate { get; init; }

    /// <summary>ρ = λ/μ; null while μ is unknown.</summary>
    public double? Utilisation { get; init; }

    /// <summary>1/(μ − λ) in seconds; +Inf when μ ≤ λ; null while μ is unknown.</summary>
    public double? PredictedWaitSeconds { get; init; }

    /// <summary>Items pending or in flight.</summary>
    public required long Depth { get; init; }

    /// <summary>Dead-lettered items.</summary>
    public required long DeadLetters { get; init; }

    /// <summary>The figures of a flow.</summary>
    public static DestinationFigures From(OutboxFlow flow, long deadLetters)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return new DestinationFigures
        {
            Destination = flow.Destination,
            ArrivalRate = flow.ArrivalRate,
            ServiceRate = flow.ServiceRate,
            Utilisation = flow.Utilisation,
            PredictedWaitSeconds = flow.ServiceRate is null ? null : flow.PredictedWait?.TotalSeconds ?? double.PositiveInfinity,
            Depth = flow.Depth,
            DeadLetters = deadLetters,
        };
    }
}
