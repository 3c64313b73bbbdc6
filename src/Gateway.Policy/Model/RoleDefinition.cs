namespace Gateway.Policy.Model;

/// <summary>A role of people or services on DICOMweb and the admin API, with the operations it grants.</summary>
public sealed record RoleDefinition
{
    /// <summary>The role's name.</summary>
    public required string Name { get; init; }

    /// <summary>True when a user's token naming this role grants it (the token issuer is trusted for it); false: only <c>users:</c> bindings grant it.</summary>
    public bool TokenClaim { get; init; }

    /// <summary>The grants.</summary>
    public required IReadOnlyList<RoleGrant> Grants { get; init; }

    /// <summary>Free text for reviewers.</summary>
    public string? Description { get; init; }

    /// <summary>Where it was written.</summary>
    public SourceLocation Location { get; init; }
}
