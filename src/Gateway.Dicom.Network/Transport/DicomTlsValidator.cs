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
