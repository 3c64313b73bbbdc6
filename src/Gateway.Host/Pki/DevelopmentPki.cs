using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Host.Pki;

/// <summary>
/// A development PKI generated on first run: a CA, a server certificate for this host (localhost, 127.0.0.1, ::1 and
/// the machine name) and a client certificate for the gateway's own connections to upstreams, all ECDSA P-256, as PEM
/// files. Private keys are written owner-only (0600) in a 0700 directory and never leave the machine. For development
/// and tests only: a site replaces these with certificates from its own CA (see the README).
/// </summary>
public static class DevelopmentPki
{
    /// <summary>The CA certificate file name.</summary>
    public const string CaCertificate = "ca.crt";

    /// <summary>The server certificate file name.</summary>
    public const string ServerCertificate = "gateway.crt";

    /// <summary>The server key file name.</summary>
    public const string ServerKey = "gateway.key";

    /// <summary>The client certificate file name (for devices or test peers that need one).</summary>
    public const string ClientCertificate = "client.crt";

    /// <summary>The client key file name.</summary>
    public const string ClientKey = "client.key";

    private const string CaKey = "ca.key";

    /// <summary>Creates the PKI in <paramref name="directory"/> unless it is complete already; returns true when it created it.</summary>
    public static bool EnsureCreated(string directory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string[] files = [CaCertificate, CaKey, ServerCertificate, ServerKey, ClientCertificate, ClientKey];
        if (files.All(f => File.Exists(Path.Combine(directory, f))))
        {
            return false;
        }

        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        DateTimeOffset now = (time ?? TimeProvider.System).GetUtcNow();
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Gateway Development CA, O=DICOM Gateway (development only)", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using X509Certificate2 ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(2));

        var server = new SubjectAlternativeNameBuilder();
        server.AddDnsName("localhost");
        server.AddDnsName(Environment.MachineName.ToLowerInvariant());
        server.AddIpAddress(IPAddress.Loopback);
        server.AddIpAddress(IPAddress.IPv6Loopback);
        (string serverPem, string serverKeyPem) = Issue(ca, "CN=" + Environment.MachineName.ToLowerInvariant() + ", O=DICOM Gateway", server.Build(), ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], now);
        (string clientPem, string clientKeyPem) = Issue(ca, "CN=gateway-development-client, O=DICOM Gateway", null, ["1.3.6.1.5.5.7.3.2"], now);

        Write(directory, CaKey, caKey.ExportPkcs8PrivateKeyPem(), secret: true);
        Write(directory, ServerKey, serverKeyPem, secret: true);
        Write(directory, ClientKey, clientKeyPem, secret: true);
        Write(directory, ServerCertificate, serverPem, secret: false);
        Write(directory, ClientCertificate, clientPem, secret: false);
        Write(directory, CaCertificate, ca.ExportCertificatePem(), secret: false);
        return true;
    }

    private static (string Certificate, string Key) Issue(X509Certificate2 ca, string subject, X509Extension? san, string[] usages, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var oids = new OidCollection();
        foreach (string usage in usages)
        {
            oids.Add(new Oid(usage));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (san is not null)
        {
            request.CertificateExtensions.Add(san);
        }

        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using X509Certificate2 certificate = request.Create(ca, now.AddMinutes(-5), now.AddYears(1), serial);
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    // Written to a temporary name with its final permissions, then renamed: a key is never readable by others, not even briefly.
    private static void Write(string directory, string name, string pem, bool secret)
    {
        string path = Path.Combine(directory, name);
        string temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = secret ? UnixFileMode.UserRead | UnixFileMode.UserWrite : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        using (var file = new FileStream(temp, options))
        using (var writer = new StreamWriter(file))
        {
            // A PEM file ends with a newline, as openssl writes them: files that are concatenated (a certificate and its
            // key into one PEM for Orthanc's SslCertificate or a proxy, a chain) stay valid PEM.
            writer.Write(pem);
            writer.Write('\n');
            writer.Flush();
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
