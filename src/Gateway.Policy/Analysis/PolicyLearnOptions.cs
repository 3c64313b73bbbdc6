namespace Gateway.Policy.Analysis;

/// <summary>Options of <see cref="PolicyLearner"/>.</summary>
public sealed record PolicyLearnOptions
{
    /// <summary>The mode written into the proposal (default observe: roll it out watching what it would deny).</summary>
    public PolicyMode Mode { get; init; } = PolicyMode.Observe;

    /// <summary>Also learn from requests recorded as denied (by default only allowed and would-deny ones count).</summary>
    public bool IncludeDenied { get; init; }

    /// <summary>The source named in the header comment.</summary>
    public string SourceName { get; init; } = "recorded requests";
}
