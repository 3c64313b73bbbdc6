namespace Gateway.Policy.Analysis;

/// <summary>A decision with its reasons: how the requester was identified and why the nearest other rules did not match.</summary>
public sealed record PolicyExplanation
{
    /// <summary>The request.</summary>
    public required PolicyRequest Request { get; init; }

    /// <summary>The evaluator's decision (authoritative).</summary>
    public required PolicyDecision Decision { get; init; }

    /// <summary>How the requester was recognised, or why not, in words.</summary>
    public required IReadOnlyList<string> Identity { get; init; }

    /// <summary>The rule that allowed the request, when one did.</summary>
    public RuleExplanation? DecidingRule { get; init; }

    /// <summary>The rules nearest to matching (fewest mismatches first), without the deciding rule.</summary>
    public required IReadOnlyList<RuleExplanation> NearestRules { get; init; }
}
