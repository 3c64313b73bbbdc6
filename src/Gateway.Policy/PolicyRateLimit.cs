namespace Gateway.Policy;

/// <summary>The rate limit of the rule that allowed a request; 0 means unlimited. Counting is the caller's job (<see cref="PolicyRateLimiter"/>).</summary>
/// <param name="AssociationsPerMinute">DIMSE associations per minute, counted at association time.</param>
/// <param name="InstancesPerMinute">Instances per minute (C-STORE, C-MOVE/C-GET sub-operations, STOW-RS instances).</param>
/// <param name="RequestsPerMinute">DICOMweb or admin requests per minute.</param>
public readonly record struct PolicyRateLimit(int AssociationsPerMinute, int InstancesPerMinute, int RequestsPerMinute)
{
    /// <summary>No limit.</summary>
    public static PolicyRateLimit None => default;

    /// <summary>True when no limit is set.</summary>
    public bool IsNone => AssociationsPerMinute == 0 && InstancesPerMinute == 0 && RequestsPerMinute == 0;

    /// <summary>The limit of one kind; 0 means unlimited.</summary>
    public int For(PolicyRateLimitKind kind) => kind switch
    {
        PolicyRateLimitKind.Associations => AssociationsPerMinute,
        PolicyRateLimitKind.Instances => InstancesPerMinute,
        PolicyRateLimitKind.Requests => RequestsPerMinute,
        _ => 0,
    };
}
