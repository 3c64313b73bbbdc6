using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Dicom.Network.Transport;

/// <summary>Validates a peer certificate against configured trust anchors only (not the system store), with expiry and optional CRLs.</summary>
internal sealed class DicomTlsValidator
{
    private readonly X509Certificate2Collection _anchors;
    private readonly HashSet<string> _revokedSerials;
    private readonly bool _hasCrls;

    public DicomTlsValidator(DicomTlsOptions options)
    {
        _anchors = options.LoadTrustAnchors();
        _revokedSerials = CrlReader.LoadRevokedSerials(options.CrlFiles, _anchors);
        _hasCrls = options.CrlFiles.Count > 0;
    }

    /// <summary>
    /// The chain policy for SslStream's own validation of the peer, and for our certificate's context: the configured
    /// anchors only. Without it SslStream builds chains against the system store, which it first loads and parses
    /// (Debian's 140 roots: about 80 ms at the start of every <c>gatewayctl dicom</c> command over TLS).
    /// </summary>
    public X509ChainPolicy ChainPolicy()
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            VerificationFlags = X509VerificationFlags.NoFlag,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.AddRange(_anchors);
        return policy;
    }

    /// <summary>
    /// Our certificate with the chain it sends, built against the configured anchors only (no system store, no
    /// download), once: SslStream otherwise builds it again for every handshake.
    /// </summary>
    public SslStreamCertificateContext CertificateContext(X509Certificate2 certificate) =>
        SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true, trust: SslCertificateTrust.CreateForX509Collection(_anchors, sendTrustInHandshake: false));

    /// <summary>Last failure, for the error message.</summary>
    public string? LastError { get; private set; }

    public bool Validate(X509Certificate? certificate, SslPolicyErrors errors, bool checkName)
    {
        if (certificate is null)
        {
            LastError = "the peer presented no certificate";
            return false;
        }

        if (checkName && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            LastError = "the peer certificate does not name the host";
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_anchors);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (!chain.Build(leaf))
        {
            LastError = "the peer certificate does not chain to a trusted CA: " +
                string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()));
            return false;
        }

        if (_hasCrls)
        {
            foreach (X509ChainElement element in chain.ChainElements)
            {
                if (_revokedSerials.Contains(CrlReader.KeyOf(element.Certificate)))
                {
                    LastError = $"certificate {element.Certificate.Subject} is revoked";
                    return false;
                }
            }
        }

        LastError = null;
        return true;
    }
}
