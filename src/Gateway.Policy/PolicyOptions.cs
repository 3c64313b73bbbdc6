using Gateway.Policy.Loading;

namespace Gateway.Policy;

/// <summary>Where the gateway reads its policy from.</summary>
public sealed record PolicyOptions
{
    /// <summary>The policy directory (its <c>*.yaml</c> files). Default <c>policies</c>.</summary>
    public string Directory { get; init; } = "policies";

    /// <summary>The load limits.</summary>
    public PolicyLoadLimits Limits { get; init; } = PolicyLoadLimits.Default;
}
