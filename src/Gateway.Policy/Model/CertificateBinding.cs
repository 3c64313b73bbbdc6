namespace Gateway.Policy.Model;

/// <summary>
/// The certificate a peer or client must present. Every field that is set must match; a binding with any field
/// requires a TLS client certificate.
/// </summary>
public sealed record CertificateBinding
{
    /// <summary>The subject DN, normalised (<see cref="PolicyCertificate.NormalizeDistinguishedName"/>), or null.</summary>
    public string? Subject { get; init; }

    /// <summary>The issuer DN, normalised, or null.</summary>
    public string? Issuer { get; init; }

    /// <summary>Subject alternative names (<c>DNS:name</c>, <c>IP:address</c>): the certificate must carry at least one. Empty: not checked.</summary>
    public IReadOnlyList<string> SubjectAlternativeNames { get; init; } = [];

    /// <summary>Pinned SHA-256 thumbprints (64 upper-case hex digits): the certificate must be one of them (list several to rotate). Empty: not checked.</summary>
    public IReadOnlyList<string> Sha256Thumbprints { get; init; } = [];

    /// <summary>Where it was written.</summary>
    public SourceLocation Location { get; init; }

    /// <summary>True when only the issuer is bound: any certificate that CA issued matches.</summary>
    public bool IsIssuerOnly => Issuer is not null && Subject is null && SubjectAlternativeNames.Count == 0 && Sha256Thumbprints.Count == 0;
}
