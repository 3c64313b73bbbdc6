namespace Gateway.Identity.Clients;

/// <summary>How a client application obtains tokens.</summary>
public enum ClientKind
{
    /// <summary>A service (AI, partner system) acting on its own behalf: client credentials with its secret. Confidential.</summary>
    Service,

    /// <summary>An application people log in through (a viewer): authorization code with PKCE; public (no secret) or confidential.</summary>
    Interactive,
}
