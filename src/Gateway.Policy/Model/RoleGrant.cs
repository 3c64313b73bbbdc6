namespace Gateway.Policy.Model;

/// <summary>One grant of a role: operations on DICOMweb or admin services; reported as <c>role:ROLE/GRANT</c>.</summary>
public sealed record RoleGrant
{
    /// <summary>The grant's name within its role (defaults to its 1-based position).</summary>
    public required string Name { get; init; }

    /// <summary>The DICOMweb or admin services.</summary>
    public required IReadOnlyList<string> Services { get; init; }

    /// <summary>The operations allowed (DICOMweb operations on DICOMweb services, admin operations on admin services).</summary>
    public required IReadOnlyList<PolicyOperation> Operations { get; init; }

    /// <summary>SOP classes that STOW-RS and WADO-RS requests naming a SOP class may use; empty: any.</summary>
    public IReadOnlyList<string> SopClasses { get; init; } = [];

    /// <summary>When the grant applies; empty: always.</summary>
    public IReadOnlyList<TimeWindow> TimeWindows { get; init; } = [];

    /// <summary>The rate limit.</summary>
    public PolicyRateLimit RateLimit { get; init; }

    /// <summary>The largest object in bytes (STOW-RS), or null.</summary>
    public long? MaxObjectSize { get; init; }

    /// <summary>Where it was written.</summary>
    public SourceLocation Location { get; init; }
}
