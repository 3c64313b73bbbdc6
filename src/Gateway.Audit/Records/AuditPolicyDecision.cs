namespace Gateway.Audit.Records;

/// <summary>What the gateway's policy decided about the audited operation.</summary>
public enum AuditPolicyDecision
{
    /// <summary>The operation was allowed by a rule.</summary>
    Allow = 1,

    /// <summary>The operation was denied (by a rule, or by default).</summary>
    Deny = 2,
}
