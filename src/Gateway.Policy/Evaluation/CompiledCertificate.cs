using Gateway.Policy.Model;

namespace Gateway.Policy.Evaluation;

/// <summary>A certificate binding ready to compare with presented certificate facts without allocating.</summary>
internal sealed class CompiledCertificate(CertificateBinding binding)
{
    private readonly string? _subject = binding.Subject;
    private readonly string? _issuer = binding.Issuer;
    private readonly string[] _sans = [.. binding.SubjectAlternativeNames];
    private readonly string[] _thumbprints = [.. binding.Sha256Thumbprints];

    /// <summary><see cref="PolicyReason.Allowed"/> when every bound field matches; otherwise why not.</summary>
    public PolicyReason Check(PolicyCertificate? presented)
    {
        if (presented is null)
        {
            return PolicyReason.CertificateRequired;
        }

        if (_subject is not null && !string.Equals(_subject, presented.Subject, StringComparison.OrdinalIgnoreCase))
        {
            return PolicyReason.CertificateMismatch;
        }

        if (_issuer is not null && !string.Equals(_issuer, presented.Issuer, StringComparison.OrdinalIgnoreCase))
        {
            return PolicyReason.CertificateMismatch;
        }

        if (_thumbprints.Length > 0 && !ContainsOrdinal(_thumbprints, presented.Sha256Thumbprint))
        {
            return PolicyReason.CertificateMismatch;
        }

        if (_sans.Length > 0 && !AnySan(presented.SubjectAlternativeNames))
        {
            return PolicyReason.CertificateMismatch;
        }

        return PolicyReason.Allowed;
    }

    private bool AnySan(IReadOnlyList<string> presented)
    {
        // Indexed loops: a foreach over the interface would allocate an enumerator per decision.
        for (int i = 0; i < presented.Count; i++)
        {
            for (int j = 0; j < _sans.Length; j++)
            {
                if (string.Equals(presented[i], _sans[j], StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool ContainsOrdinal(string[] values, string? value)
    {
        if (value is null)
        {
            return false;
        }

        for (int i = 0; i < values.Length; i++)
        {
            if (string.Equals(values[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
