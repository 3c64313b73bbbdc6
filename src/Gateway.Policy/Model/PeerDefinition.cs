namespace Gateway.Policy.Model;

/// <summary>
/// A named device or system: its AE titles, the addresses it may come from and, on TLS legs, its certificate. A
/// request is from this peer only when all of these match.
/// </summary>
public sealed record PeerDefinition
{
    /// <summary>The peer's name.</summary>
    public required string Name { get; init; }

    /// <summary>The zone the peer lives in.</summary>
    public required string Zone { get; init; }

    /// <summary>The AE titles the peer calls with (and is reached by as a move destination), without padding.</summary>
    public required IReadOnlyList<string> AETitles { get; init; }

    /// <summary>The addresses or ranges the peer connects from.</summary>
    public required IReadOnlyList<IpNetwork> Addresses { get; init; }

    /// <summary>The certificate binding, or null for a plain (non-TLS) peer.</summary>
    public CertificateBinding? Certificate { get; init; }

    /// <summary>Free text for reviewers.</summary>
    public string? Description { get; init; }

    /// <summary>Where it was written.</summary>
    public SourceLocation Location { get; init; }
}
