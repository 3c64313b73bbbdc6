using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Policy;

/// <summary>
/// The facts of a TLS peer certificate that policy bindings compare: subject, issuer, subject alternative names and
/// SHA-256 thumbprint, normalised once per connection so that each decision compares strings without allocating.
/// </summary>
/// <remarks>
/// Chain validation is the TLS layer's job: these facts describe a certificate that layer already accepted. Distinguished
/// names are kept in the form <see cref="X500DistinguishedName.Name"/> gives (most specific RDN first, <c>", "</c>
/// between RDNs) and compared ignoring case; SANs as <c>DNS:name</c> (lower case) and <c>IP:address</c>; the thumbprint
/// as 64 upper-case hex digits.
/// </remarks>
public sealed class PolicyCertificate
{
    /// <summary>Creates facts from already known values (recorded requests, tests).</summary>
    /// <param name="subject">The subject DN, or null.</param>
    /// <param name="issuer">The issuer DN, or null.</param>
    /// <param name="subjectAlternativeNames">SANs as <c>DNS:name</c>, <c>IP:address</c>, or a bare DNS name or IP address.</param>
    /// <param name="sha256Thumbprint">The SHA-256 thumbprint in hex, colons and spaces allowed, or null.</param>
    public PolicyCertificate(string? subject, string? issuer, IEnumerable<string>? subjectAlternativeNames, string? sha256Thumbprint)
    {
        Subject = subject is null ? null : NormalizeDistinguishedName(subject);
        Issuer = issuer is null ? null : NormalizeDistinguishedName(issuer);
        SubjectAlternativeNames = subjectAlternativeNames is null
            ? []
            : [.. subjectAlternativeNames.Select(s => NormalizeSubjectAlternativeName(s) ?? s)];
        Sha256Thumbprint = sha256Thumbprint is null ? null : NormalizeThumbprint(sha256Thumbprint) ?? sha256Thumbprint;
    }

    /// <summary>The subject DN, normalised; null when unknown.</summary>
    public string? Subject { get; }

    /// <summary>The issuer DN, normalised; null when unknown.</summary>
    public string? Issuer { get; }

    /// <summary>The subject alternative names, as <c>DNS:name</c> or <c>IP:address</c>.</summary>
    public IReadOnlyList<string> SubjectAlternativeNames { get; }

    /// <summary>The SHA-256 thumbprint as 64 upper-case hex digits; null when unknown.</summary>
    public string? Sha256Thumbprint { get; }

    /// <summary>Reads the facts of a certificate.</summary>
    public static PolicyCertificate FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var sans = new List<string>();
        foreach (X509Extension extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                foreach (string dns in san.EnumerateDnsNames())
                {
                    sans.Add("DNS:" + dns);
                }

                foreach (IPAddress ip in san.EnumerateIPAddresses())
                {
                    sans.Add("IP:" + ip);
                }
            }
        }

        return new PolicyCertificate(
            certificate.SubjectName.Name,
            certificate.IssuerName.Name,
            sans,
            certificate.GetCertHashString(HashAlgorithmName.SHA256));
    }

    /// <summary>
    /// Normalises a DN the way <see cref="X500DistinguishedName"/> prints it, so that a DN written in a policy compares
    /// equal to the one read from a certificate; a string that does not parse as a DN is returned trimmed.
    /// </summary>
    public static string NormalizeDistinguishedName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryNormalizeDistinguishedName(name, out string? normalized) ? normalized : name.Trim();
    }

    /// <summary>Normalises a DN; false when it does not parse.</summary>
    public static bool TryNormalizeDistinguishedName(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? normalized)
    {
        ArgumentNullException.ThrowIfNull(name);
        normalized = null;
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }

        try
        {
            // The string constructor reads the most specific RDN first (as Name prints it); decoding with Reversed prints the
            // same order back, so normalising is idempotent and a policy DN compares equal to certificate.SubjectName.Name.
            var dn = new X500DistinguishedName(name.Trim());
            string decoded = dn.Decode(X500DistinguishedNameFlags.Reversed);
            if (decoded.Length == 0)
            {
                return false;
            }

            normalized = decoded;
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// Normalises a SAN: <c>DNS:Name</c> or a bare name becomes <c>DNS:name</c>, <c>IP:addr</c> or a bare address becomes
    /// <c>IP:</c> with the address in canonical form. Null when it is neither.
    /// </summary>
    public static string? NormalizeSubjectAlternativeName(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string v = value.Trim();
        if (v.StartsWith("IP:", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.TryParse(v.AsSpan(3), out IPAddress? ip) ? "IP:" + ip : null;
        }

        if (v.StartsWith("DNS:", StringComparison.OrdinalIgnoreCase))
        {
            v = v[4..];
        }
        else if (IPAddress.TryParse(v, out IPAddress? bare))
        {
            return "IP:" + bare;
        }

        return IsDnsName(v) ? "DNS:" + v.ToLowerInvariant() : null;
    }

    /// <summary>Normalises a hex thumbprint (colons, spaces allowed) to 64 upper-case hex digits; null when it is not 32 bytes of hex.</summary>
    public static string? NormalizeThumbprint(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Span<char> digits = stackalloc char[64];
        int n = 0;
        foreach (char c in value)
        {
            if (c is ':' or ' ')
            {
                continue;
            }

            if (!char.IsAsciiHexDigit(c) || n == 64)
            {
                return null;
            }

            digits[n++] = char.ToUpperInvariant(c);
        }

        return n == 64 ? new string(digits) : null;
    }

    private static bool IsDnsName(string v)
    {
        if (v.Length is 0 or > 253)
        {
            return false;
        }

        foreach (char c in v)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '*' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
