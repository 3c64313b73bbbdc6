namespace Gateway.Policy;

/// <summary>Whether a policy's denials take effect.</summary>
public enum PolicyMode : byte
{
    /// <summary><c>enforce</c>: a denied request is refused.</summary>
    Enforce,

    /// <summary><c>observe</c>: a request that would be denied is allowed and marked <see cref="PolicyOutcome.WouldDeny"/>, for rolling a policy out on a live VLAN.</summary>
    Observe,
}
