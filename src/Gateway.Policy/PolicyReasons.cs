namespace Gateway.Policy;

/// <summary>Codes and classification of <see cref="PolicyReason"/> values.</summary>
public static class PolicyReasons
{
    /// <summary>The stable kebab-case code of a reason (<c>address-mismatch</c> ...), as in output and audit records.</summary>
    public static string Code(PolicyReason reason) => reason switch
    {
        PolicyReason.NoMatchingRule => "no-matching-rule",
        PolicyReason.Allowed => "allowed",
        PolicyReason.InvalidRequest => "invalid-request",
        PolicyReason.UnknownPeer => "unknown-peer",
        PolicyReason.AddressMismatch => "address-mismatch",
        PolicyReason.CertificateRequired => "certificate-required",
        PolicyReason.CertificateMismatch => "certificate-mismatch",
        PolicyReason.UnknownService => "unknown-service",
        PolicyReason.UnknownClient => "unknown-client",
        PolicyReason.UnknownUser => "unknown-user",
        PolicyReason.OperationNotAllowed => "operation-not-allowed",
        PolicyReason.SopClassRequired => "sop-class-required",
        PolicyReason.SopClassNotAllowed => "sop-class-not-allowed",
        PolicyReason.MoveDestinationNotAllowed => "move-destination-not-allowed",
        PolicyReason.OutsideTimeWindow => "outside-time-window",
        PolicyReason.ObjectTooLarge => "object-too-large",
        PolicyReason.ClientNotAllowed => "client-not-allowed",
        PolicyReason.IdentityRequired => "identity-required",
        PolicyReason.IdentityRoleNotAllowed => "identity-role-not-allowed",
        _ => "unknown",
    };

    /// <summary>Parses a code written by <see cref="Code"/>.</summary>
    public static bool TryParse(string code, out PolicyReason reason)
    {
        foreach (PolicyReason candidate in Enum.GetValues<PolicyReason>())
        {
            if (string.Equals(Code(candidate), code, StringComparison.Ordinal))
            {
                reason = candidate;
                return true;
            }
        }

        reason = default;
        return false;
    }

    /// <summary>
    /// True when the reason means someone presented a known identity without its bindings: a known AE title or client
    /// from the wrong address, without its certificate, or with another certificate. Such denials are security alerts.
    /// </summary>
    public static bool IsSecurityAlert(PolicyReason reason) =>
        reason is PolicyReason.AddressMismatch or PolicyReason.CertificateRequired or PolicyReason.CertificateMismatch;
}
