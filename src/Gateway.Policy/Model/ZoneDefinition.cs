namespace Gateway.Policy.Model;

/// <summary>A network zone: a named set of address ranges (the device VLAN, the clinical network).</summary>
public sealed record ZoneDefinition
{
    /// <summary>The zone's name.</summary>
    public required string Name { get; init; }

    /// <summary>Device VLAN or clinical network.</summary>
    public required ZoneKind Kind { get; init; }

    /// <summary>The address ranges of the zone; every address of a peer in the zone lies in one of them.</summary>
    public required IReadOnlyList<IpNetwork> Networks { get; init; }

    /// <summary>Free text for reviewers.</summary>
    public string? Description { get; init; }

    /// <summary>Where it was written.</summary>
    public SourceLocation Location { get; init; }
}
