using Gateway.Dicom.Network.Transport;
using Gateway.Host.Pki;

namespace Gateway.Host.Configuration;

/// <summary>The resolved TLS files: configured ones, or the development PKI (created on first run when allowed).</summary>
public sealed class GatewayTls
{
    private GatewayTls(string certificate, string key, IReadOnlyList<string> trustedCa, IReadOnlyList<string> crl, bool development)
    {
        CertificateFile = certificate;
        PrivateKeyFile = key;
        TrustedCaFiles = trustedCa;
        CrlFiles = crl;
        IsDevelopmentPki = development;
    }

    /// <summary>The gateway's certificate.</summary>
    public string CertificateFile { get; }

    /// <summary>Its private key.</summary>
    public string PrivateKeyFile { get; }

    /// <summary>The CAs peers must chain to.</summary>
    public IReadOnlyList<string> TrustedCaFiles { get; }

    /// <summary>CRLs checked for peers.</summary>
    public IReadOnlyList<string> CrlFiles { get; }

    /// <summary>True when these are the generated development files.</summary>
    public bool IsDevelopmentPki { get; }

    /// <summary>Resolves the files relative to <paramref name="contentRoot"/>; creates the development PKI when needed.</summary>
    /// <exception cref="InvalidOperationException">Only one of certificate and key is configured, or none and generation is off.</exception>
    public static GatewayTls Resolve(TlsFilesOptions options, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        string Full(string path) => Path.GetFullPath(path, contentRoot);
        bool hasCertificate = !string.IsNullOrWhiteSpace(options.Certificate);
        bool hasKey = !string.IsNullOrWhiteSpace(options.PrivateKey);
        if (hasCertificate != hasKey)
        {
            throw new InvalidOperationException("Gateway:Tls: set both Certificate and PrivateKey, or neither (to use the development PKI).");
        }

        if (hasCertificate)
        {
            if (options.TrustedCa.Count == 0)
            {
                throw new InvalidOperationException("Gateway:Tls: TrustedCa must list the CA files peers' certificates chain to.");
            }

            return new GatewayTls(Full(options.Certificate!), Full(options.PrivateKey!), [.. options.TrustedCa.Select(Full)], [.. options.Crl.Select(Full)], development: false);
        }

        if (!options.GenerateDevelopmentPki)
        {
            throw new InvalidOperationException("Gateway:Tls: no certificate is configured and GenerateDevelopmentPki is false.");
        }

        string directory = Full(options.DevelopmentPkiDirectory);
        DevelopmentPki.EnsureCreated(directory);
        string[] trusted = [Path.Combine(directory, DevelopmentPki.CaCertificate), .. options.TrustedCa.Select(Full)];
        return new GatewayTls(
            Path.Combine(directory, DevelopmentPki.ServerCertificate),
            Path.Combine(directory, DevelopmentPki.ServerKey),
            trusted,
            [.. options.Crl.Select(Full)],
            development: true);
    }

    /// <summary>Options for a TLS listener (client certificate required).</summary>
    public DicomTlsOptions ServerOptions() => new()
    {
        CertificateFile = CertificateFile,
        PrivateKeyFile = PrivateKeyFile,
        TrustedCaFiles = TrustedCaFiles,
        CrlFiles = CrlFiles,
        RequireClientCertificate = true,
    };

    /// <summary>Options for connections to upstreams (their name or address is checked against their certificate).</summary>
    public DicomTlsOptions ClientOptions() => ServerOptions() with { CheckServerName = true };
}
