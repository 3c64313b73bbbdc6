using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Host.Bridge;

/// <summary>
/// Validates an HTTPS origin's certificate against a configured set of CA certificates instead of the system's store:
/// the name must match and the chain must end at one of them.
/// </summary>
internal sealed class TrustedCaValidator(X509Certificate2Collection trusted)
{
    /// <summary>Reads the CA certificates of a PEM file.</summary>
    public static TrustedCaValidator FromPemFile(string path)
    {
        var trusted = new X509Certificate2Collection();
        trusted.ImportFromPemFile(path);
        return trusted.Count == 0 ? throw new InvalidOperationException($"{path} holds no certificate") : new TrustedCaValidator(trusted);
    }

    /// <summary>A <see cref="RemoteCertificateValidationCallback"/>.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(trusted);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }
}
