namespace Gateway.Policy.Model;

/// <summary>
/// A DICOMweb or admin client application (OAuth2 client id) with the roles it may act in. When the client acts for a
/// user, both the user's roles and the client's roles must allow the request; the client's roles are its ceiling.
/// </summary>
public sealed record ClientDefinition
{
    /// <summary>The client's policy name.</summary>
    public required string Name { get; init; }

    /// <summary>The OAuth2 client id.</summary>
    public required string ClientId { get; init; }

    /// <summary>The roles the client may act in.</summary>
    public required IReadOnlyList<string> Roles { get; init; }

    /// <summary>Addresses the client must come from; empty: any.</summary>
    public IReadOnlyList<IpNetwork> Addresses { get; init; } = [];

    /// <summary>The client certificate binding (mutual TLS), or null.</summary>
    public CertificateBinding? Certificate { get; init; }

    /// <summary>Free text for reviewers.</summary>
    public string? Description { get; init; }

    /// <summary>Where it was written.</summary>
    public SourceLocation Location { get; init; }
}
