namespace Gateway.Policy.Analysis;

/// <summary>Which way a change goes.</summary>
public enum PolicyChangeKind : byte
{
    /// <summary>More is allowed than before.</summary>
    Grant,

    /// <summary>Less is allowed than before.</summary>
    Revoke,

    /// <summary>Neither strictly more nor less: identities, services, settings, reshaped windows.</summary>
    Change,
}
