namespace Gateway.Policy;

/// <summary>
/// The answer to an association request: whether to accept it, and which abstract syntaxes (presentation contexts)
/// may be accepted.
/// </summary>
public readonly record struct PolicyAssociationDecision
{
    /// <summary>The decision on the association itself (the peer binding, the service, a flow between them now).</summary>
    public PolicyDecision Decision { get; init; }

    /// <summary>The abstract syntaxes some flow between the peer and the service allows (empty when denied), whatever the mode.</summary>
    public PolicyAbstractSyntaxSet AbstractSyntaxes { get; init; }

    /// <summary>
    /// True when the network layer may accept a presentation context for <paramref name="abstractSyntax"/>: in enforce
    /// mode when the association is allowed and a flow allows the syntax; in observe mode always (per-request
    /// decisions then record what would be denied).
    /// </summary>
    public bool Accepts(string? abstractSyntax) =>
        Decision.Mode == PolicyMode.Observe || (Decision.Outcome == PolicyOutcome.Allow && (AbstractSyntaxes ?? PolicyAbstractSyntaxSet.Empty).Contains(abstractSyntax));
}
