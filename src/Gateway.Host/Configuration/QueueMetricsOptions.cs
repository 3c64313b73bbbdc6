using System.ComponentModel.DataAnnotations;

namespace Gateway.Host.Configuration;

/// <summary>
/// The queue figures of each forwarding destination (section <c>Gateway:QueueMetrics</c>): arrival rate λ, service rate μ,
/// utilisation ρ = λ/μ and the predicted wait 1/(μ − λ), measured over a sliding window and exported as metrics.
/// </summary>
public sealed class QueueMetricsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Gateway:QueueMetrics";

    /// <summary>How often the figures are computed from the outbox.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The window the rates are measured over (ending now).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A warning is logged when a destination's utilisation rises above this (once per crossing).</summary>
    [Range(0.01, 100.0)]
    public double UtilisationWarning { get; set; } = 0.8;
}
