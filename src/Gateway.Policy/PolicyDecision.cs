namespace Gateway.Policy;

/// <summary>
/// The answer to one <see cref="PolicyRequest"/>: a value the caller enforces and records in the audit log.
/// </summary>
/// <remarks>
/// Every string in a decision belongs to the compiled policy: making a decision does not allocate. The default value
/// denies.
/// </remarks>
public readonly record struct PolicyDecision
{
    /// <summary>Allow, deny, or (observe mode) allow but record that the policy would deny.</summary>
    public PolicyOutcome Outcome { get; init; }

    /// <summary>Why.</summary>
    public PolicyReason Reason { get; init; }

    /// <summary>
    /// The rule that decided: <c>flow:NAME</c> or <c>role:ROLE/GRANT</c> for an allowed request; <c>peer:NAME</c> or
    /// <c>client:NAME</c> when a binding refused it; <c>default-deny</c> when nothing allowed it.
    /// </summary>
    public string Rule { get; init; }

    /// <summary>For a denial by default: the rule that came closest (it failed the latest check); otherwise null.</summary>
    public string? NearestRule { get; init; }

    /// <summary>The recognised peer or client (its policy name), or null when none was recognised.</summary>
    public string? Principal { get; init; }

    /// <summary>The service's policy name, or null when unknown.</summary>
    public string? Service { get; init; }

    /// <summary>The rate limit of the rule that allowed the request; <see cref="PolicyRateLimit.None"/> otherwise.</summary>
    public PolicyRateLimit RateLimit { get; init; }

    /// <summary>
    /// The largest object the allowing rule takes, or null for any size (and for a denial). A request decided before its
    /// size was known (a C-STORE streaming in) is decided again with the size once it grows past this.
    /// </summary>
    public long? MaxObjectSize { get; init; }

    /// <summary>The mode of the policy that decided.</summary>
    public PolicyMode Mode { get; init; }

    /// <summary>True when the caller may carry the request out (<see cref="PolicyOutcome.Allow"/> or <see cref="PolicyOutcome.WouldDeny"/>).</summary>
    public bool IsAllowed => Outcome != PolicyOutcome.Deny;

    /// <summary>True when the policy itself did not allow the request (<see cref="PolicyOutcome.Deny"/> or <see cref="PolicyOutcome.WouldDeny"/>).</summary>
    public bool IsDeniedByPolicy => Outcome != PolicyOutcome.Allow;

    /// <summary>True when the request presented a known identity without its bindings: report it as a spoofing attempt.</summary>
    public bool SecurityAlert => PolicyReasons.IsSecurityAlert(Reason);

    /// <inheritdoc />
    public override string ToString() =>
        $"{OutcomeCode(Outcome)} {PolicyReasons.Code(Reason)} rule={Rule}" +
        (NearestRule is null ? string.Empty : " nearest=" + NearestRule) +
        (SecurityAlert ? " security-alert" : string.Empty);

    /// <summary>The kebab-case code of an outcome: <c>allow</c>, <c>deny</c>, <c>would-deny</c>.</summary>
    public static string OutcomeCode(PolicyOutcome outcome) => outcome switch
    {
        PolicyOutcome.Allow => "allow",
        PolicyOutcome.WouldDeny => "would-deny",
        _ => "deny",
    };
}
