using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Dicom.Network.Transport;

/// <summary>
/// TLS for DICOM (PS3.15 Annex B, BCP 195): TLS 1.2 and 1.3 only, AEAD cipher suites with forward secrecy only,
/// trust anchors from configured CA files rather than the system store, and mutual authentication.
/// </summary>
public sealed record DicomTlsOptions
{
    /// <summary>PEM file with our certificate (and chain).</summary>
    public required string CertificateFile { get; init; }

    /// <summary>PEM file with our private key (unencrypted; owner-only permissions).</summary>
    public required string PrivateKeyFile { get; init; }

    /// <summary>PEM files with the CA certificates that peers' certificates must chain to.</summary>
    public IReadOnlyList<string> TrustedCaFiles { get; init; } = [];

    /// <summary>On a server: require a client certificate (mutual TLS). Default true.</summary>
    public bool RequireClientCertificate { get; init; } = true;

    /// <summary>On a client: check that the server certificate names the host we connect to (DNS name or IP in SAN). Default true.</summary>
    public bool CheckServerName { get; init; } = true;

    /// <summary>PEM or DER files with certificate revocation lists to check peers against (offline).</summary>
    public IReadOnlyList<string> CrlFiles { get; init; } = [];

    /// <summary>The protocols allowed: TLS 1.2 and 1.3.</summary>
    public static SslProtocols Protocols => SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>
    /// The cipher suites allowed (BCP 195 / RFC 9325 4.2): the TLS 1.3 AEAD suites, and for TLS 1.2 only ECDHE or
    /// DHE key exchange with AES-GCM or ChaCha20-Poly1305.
    /// </summary>
    public static IReadOnlyList<TlsCipherSuite> CipherSuites { get; } =
    [
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    ];

    /// <summary>The cipher suite policy for <see cref="SslStream"/>; on Windows the system (Schannel) policy applies instead.</summary>
    public static CipherSuitesPolicy? CreateCipherSuitesPolicy() =>
        OperatingSystem.IsWindows() ? null : new CipherSuitesPolicy(CipherSuites);

    /// <summary>Loads our certificate with its private key.</summary>
    public X509Certificate2 LoadCertificate()
    {
        using var pem = X509Certificate2.CreateFromPemFile(CertificateFile, PrivateKeyFile);

        // Re-import so the key is usable by SslStream on every platform (ephemeral PEM keys are not, on some).
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Loads the trust anchors.</summary>
    public X509Certificate2Collection LoadTrustAnchors()
    {
        var anchors = new X509Certificate2Collection();
        foreach (string file in TrustedCaFiles)
        {
            anchors.ImportFromPemFile(file);
        }

        return anchors;
    }
}
