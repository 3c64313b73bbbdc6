using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Segmentation.Tests.Support;

/// <summary>
/// The hospital PKI of the segmented network, as PEM files in a directory: a CA, the gateway's certificate (server on
/// the clinical leg and HTTPS, client towards the PACS) naming its clinical address, the PACS's naming its own, and a
/// clinical workstation's client certificate. ECDSA P-256, keys 0600.
/// </summary>
internal sealed class SegmentationPki
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");
    private readonly string _directory;
    private long _serial = 1000;

    public SegmentationPki(string directory, IPAddress gatewayAddress, IPAddress pacsAddress)
    {
        _directory = directory;
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Segmentation Test Hospital CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using X509Certificate2 ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        CaFile = Write("ca.crt", ca.ExportCertificatePem(), secret: false);
        Gateway = Issue("gateway", ca, gatewayAddress, now);
        Pacs = Issue("pacs", ca, pacsAddress, now);
        Workstation = Issue("workstation", ca, null, now);
    }

    public string CaFile { get; }

    public (string Cert, string Key) Gateway { get; }

    public (string Cert, string Key) Pacs { get; }

    public (string Cert, string Key) Workstation { get; }

    private (string Cert, string Key) Issue(string name, X509Certificate2 ca, IPAddress? address, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=Segmentation Test Hospital", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth, ClientAuth], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (address is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(address);
            san.AddDnsName(name);
            request.CertificateExtensions.Add(san.Build());
        }

        byte[] serial = BitConverter.GetBytes(++_serial);
        using X509Certificate2 certificate = request.Create(ca, now.AddDays(-1), now.AddDays(30), serial);
        return (Write(name + ".crt", certificate.ExportCertificatePem(), secret: false), Write(name + ".key", key.ExportPkcs8PrivateKeyPem(), secret: true));
    }

    // Created with its final mode: a key is never readable by others, not even briefly.
    private string Write(string name, string pem, bool secret)
    {
        string path = Path.Combine(_directory, name);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = secret
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        using var writer = new StreamWriter(new FileStream(path, options));
        writer.Write(pem + "\n");
        return path;
    }
}
