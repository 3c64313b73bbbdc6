namespace Gateway.Identity.Clients;

/// <summary>What <c>identity client add</c> registers.</summary>
public sealed record ClientRegistration
{
    /// <summary>The client id (1-64 of <c>a-z 0-9 . _ - @</c>).</summary>
    public required string ClientId { get; init; }

    /// <summary>Service or interactive.</summary>
    public required ClientKind Kind { get; init; }

    /// <summary>Interactive only: false for a public client (a browser application without a secret; PKCE protects its codes).</summary>
    public bool Confidential { get; init; } = true;

    /// <summary>The policy roles its tokens carry.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>Interactive only: the exact redirect URIs (https, or http on loopback for native applications).</summary>
    public IReadOnlyList<Uri> RedirectUris { get; init; } = [];

    /// <summary>A description for operators.</summary>
    public string? DisplayName { get; init; }
}
