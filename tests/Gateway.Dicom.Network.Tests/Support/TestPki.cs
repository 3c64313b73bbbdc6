using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Dicom.Network.Transport;

namespace Gateway.Dicom.Network.Tests.Support;

/// <summary>
/// A throwaway PKI written as PEM files to a temporary directory: a trusted CA with a server certificate for
/// 127.0.0.1/localhost and a client certificate, an untrusted CA with its own client, expired certificates, a server
/// certificate for another host, and CRLs (ECDSA P-256, built with <see cref="CertificateRequest"/>).
/// </summary>
public sealed class TestPki : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");
    private readonly TempDirectory _directory = new();
    private int _serial = 100;

    public TestPki()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 ca = CreateCa("Gateway Test CA", now);
        using X509Certificate2 rogueCa = CreateCa("Rogue CA", now);
        CaFile = WritePem("ca.pem", ca.ExportCertificatePem());
        RogueCaFile = WritePem("rogue-ca.pem", rogueCa.ExportCertificatePem());

        Server = Issue("server", ca, "localhost", ServerAuth, ["localhost"], [IPAddress.Loopback], now.AddDays(-1), now.AddDays(30), out _);
        Client = Issue("client", ca, "modality", ClientAuth, [], [], now.AddDays(-1), now.AddDays(30), out X509Certificate2 client);
        RogueClient = Issue("rogue-client", rogueCa, "modality", ClientAuth, [], [], now.AddDays(-1), now.AddDays(30), out _);
        ExpiredClient = Issue("expired-client", ca, "modality", ClientAuth, [], [], now.AddDays(-5), now.AddDays(-1), out _);
        ExpiredServer = Issue("expired-server", ca, "localhost", ServerAuth, ["localhost"], [IPAddress.Loopback], now.AddDays(-5), now.AddDays(-1), out _);
        WrongHostServer = Issue("wrong-host-server", ca, "other.example", ServerAuth, ["other.example"], [IPAddress.Parse("192.0.2.1")], now.AddDays(-1), now.AddDays(30), out _);
        RogueServer = Issue("rogue-server", rogueCa, "localhost", ServerAuth, ["localhost"], [IPAddress.Loopback], now.AddDays(-1), now.AddDays(30), out _);

        // CRLs: one revoking our client certificate (PEM), one revoking another serial (DER), one from the rogue CA.
        var revokeClient = new CertificateRevocationListBuilder();
        revokeClient.AddEntry(client, now.AddHours(-1), X509RevocationReason.KeyCompromise);
        byte[] crl = revokeClient.Build(ca, BigInteger.One, now.AddDays(7), HashAlgorithmName.SHA256);
        CrlRevokingClientFile = WritePem("revoking-client.crl.pem", PemEncoding.WriteString("X509 CRL", crl));

        var revokeOther = new CertificateRevocationListBuilder();
        revokeOther.AddEntry(new byte[] { 0x7F, 0x01, 0x02 }, now.AddHours(-1));
        CrlRevokingOtherFile = _directory.File("revoking-other.crl");
        File.WriteAllBytes(CrlRevokingOtherFile, revokeOther.Build(ca, 2, now.AddDays(7), HashAlgorithmName.SHA256));

        var rogue = new CertificateRevocationListBuilder();
        RogueCrlFile = _directory.File("rogue.crl");
        File.WriteAllBytes(RogueCrlFile, rogue.Build(rogueCa, 1, now.AddDays(7), HashAlgorithmName.SHA256));
        client.Dispose();
    }

    public string CaFile { get; }

    public string RogueCaFile { get; }

    public (string Cert, string Key) Server { get; }

    public (string Cert, string Key) Client { get; }

    public (string Cert, string Key) RogueClient { get; }

    public (string Cert, string Key) ExpiredClient { get; }

    public (string Cert, string Key) ExpiredServer { get; }

    public (string Cert, string Key) WrongHostServer { get; }

    public (string Cert, string Key) RogueServer { get; }

    public string CrlRevokingClientFile { get; }

    public string CrlRevokingOtherFile { get; }

    public string RogueCrlFile { get; }

    /// <summary>TLS options trusting our CA only.</summary>
    public DicomTlsOptions Options((string Cert, string Key) identity) => new()
    {
        CertificateFile = identity.Cert,
        PrivateKeyFile = identity.Key,
        TrustedCaFiles = [CaFile],
    };

    public void Dispose() => _directory.Dispose();

    private static X509Certificate2 CreateCa(string name, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=Gateway Tests", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddDays(-10), now.AddDays(60));
    }

    private (string Cert, string Key) Issue(
        string file,
        X509Certificate2 issuer,
        string commonName,
        Oid usage,
        string[] dnsNames,
        IPAddress[] addresses,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter,
        out X509Certificate2 certificate)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}, O=Gateway Tests", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        if (dnsNames.Length + addresses.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (string dns in dnsNames)
            {
                san.AddDnsName(dns);
            }

            foreach (IPAddress address in addresses)
            {
                san.AddIpAddress(address);
            }

            request.CertificateExtensions.Add(san.Build());
        }

        byte[] serial = [0x10, (byte)++_serial];
        certificate = request.Create(issuer, notBefore, notAfter, serial);
        return (WritePem(file + ".pem", certificate.ExportCertificatePem()), WritePem(file + ".key", key.ExportPkcs8PrivateKeyPem()));
    }

    private string WritePem(string name, string pem)
    {
        string path = _directory.File(name);
        File.WriteAllText(path, pem);
        return path;
    }
}
