namespace Gateway.Policy.Model;

/// <summary>A service the gateway offers: a DIMSE service answering at one of its AE titles, a DICOMweb origin, or the admin API.</summary>
public sealed record ServiceDefinition
{
    /// <summary>The service's name.</summary>
    public required string Name { get; init; }

    /// <summary>What it is.</summary>
    public required ServiceKind Kind { get; init; }

    /// <summary>DIMSE services: the AE title the gateway answers as for this service (the called AE title); null otherwise.</summary>
    public string? AETitle { get; init; }

    /// <summary>DIMSE services: where the gateway forwards, or null for a service the gateway answers itself.</summary>
    public UpstreamDefinition? Upstream { get; init; }

    /// <summary>DICOMweb services: the upstream origin, or null.</summary>
    public Uri? Origin { get; init; }

    /// <summary>Free text for reviewers.</summary>
    public string? Description { get; init; }

    /// <summary>Where it was written.</summary>
    public SourceLocation Location { get; init; }

    /// <summary>True for a DIMSE service (flows target these); false for DICOMweb and admin (role grants target these).</summary>
    public bool IsDimse => Kind is ServiceKind.Pacs or ServiceKind.Worklist or ServiceKind.QueryRetrieve;
}
