namespace Gateway.Audit.Records;

/// <summary>The gateway's own facts about a policy decision: which rule decided, and what.</summary>
public sealed record AuditPolicyFacts
{
    /// <summary>The identifier of the rule that made the decision (for a default deny, the name of the default).</summary>
    public required string RuleId { get; init; }

    /// <summary>The decision.</summary>
    public required AuditPolicyDecision Decision { get; init; }
}
