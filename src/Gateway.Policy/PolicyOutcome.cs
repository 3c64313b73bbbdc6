namespace Gateway.Policy;

/// <summary>What the caller does with a request.</summary>
public enum PolicyOutcome : byte
{
    /// <summary>Refuse it. Also the default value: a decision nobody filled in denies.</summary>
    Deny,

    /// <summary>Carry it out: a rule allowed it.</summary>
    Allow,

    /// <summary>Carry it out, but record that the policy would have denied it (observe mode).</summary>
    WouldDeny,
}
