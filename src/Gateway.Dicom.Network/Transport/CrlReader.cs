using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.X509;

namespace Gateway.Dicom.Network.Transport;

/// <summary>Loads certificate revocation lists (PEM or DER) and checks each one's signature against the trust anchors.</summary>
internal static class CrlReader
{
    /// <summary>Returns the revoked certificates as "issuer DER hex|serial hex" keys.</summary>
    /// <exception cref="InvalidDataException">A CRL is unreadable or not signed by one of <paramref name="anchors"/>.</exception>
    public static HashSet<string> LoadRevokedSerials(IReadOnlyList<string> files, X509Certificate2Collection anchors)
    {
        var revoked = new HashSet<string>(StringComparer.Ordinal);
        var parser = new X509CrlParser();
        foreach (string file in files)
        {
            byte[] bytes = File.ReadAllBytes(file);
            X509Crl? crl;
            try
            {
                crl = parser.ReadCrl(bytes);
            }
            catch (Exception ex) when (ex is IOException or Org.BouncyCastle.Security.SecurityUtilityException or Org.BouncyCastle.Crypto.CryptoException or ArgumentException or InvalidOperationException)
            {
                throw new InvalidDataException($"CRL file {file} is unreadable: {ex.Message}", ex);
            }

            if (crl is null)
            {
                throw new InvalidDataException($"CRL file {file} holds no CRL.");
            }

            byte[] issuer = crl.IssuerDN.GetEncoded();
            X509Certificate2? signer = anchors.FirstOrDefault(a => a.SubjectName.RawData.AsSpan().SequenceEqual(issuer));
            if (signer is null)
            {
                throw new InvalidDataException($"CRL file {file} is issued by a CA that is not a trust anchor.");
            }

            try
            {
                crl.Verify(new X509CertificateParser().ReadCertificate(signer.RawData).GetPublicKey());
            }
            catch (Exception ex) when (ex is Org.BouncyCastle.Security.InvalidKeyException or Org.BouncyCastle.Security.SignatureException or Org.BouncyCastle.Crypto.CryptoException)
            {
                throw new InvalidDataException($"CRL file {file} has an invalid signature.", ex);
            }

            string issuerHex = Convert.ToHexString(issuer);
            foreach (X509CrlEntry entry in crl.GetRevokedCertificates() ?? new HashSet<X509CrlEntry>())
            {
                revoked.Add(issuerHex + "|" + NormalizeSerial(entry.SerialNumber.ToString(16)));
            }
        }

        return revoked;
    }

    /// <summary>The key of a certificate for <see cref="LoadRevokedSerials"/>.</summary>
    public static string KeyOf(X509Certificate2 certificate) =>
        Convert.ToHexString(certificate.IssuerName.RawData) + "|" + NormalizeSerial(certificate.SerialNumber);

    private static string NormalizeSerial(string hex) => hex.TrimStart('0').ToUpperInvariant();
}
