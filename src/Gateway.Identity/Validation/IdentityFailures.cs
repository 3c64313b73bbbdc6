namespace Gateway.Identity.Validation;

/// <summary>Stable codes for <see cref="IdentityFailure"/> (audit records, logs, error responses).</summary>
public static class IdentityFailures
{
    /// <summary>The kebab-case code of a failure, e.g. <c>invalid-signature</c>.</summary>
    public static string Code(IdentityFailure failure) => failure switch
    {
        IdentityFailure.None => "none",
        IdentityFailure.Malformed => "malformed",
        IdentityFailure.TooLarge => "too-large",
        IdentityFailure.UnsupportedIdentityType => "unsupported-identity-type",
        IdentityFailure.UnknownIssuer => "unknown-issuer",
        IdentityFailure.InvalidSignature => "invalid-signature",
        IdentityFailure.Expired => "expired",
        IdentityFailure.NotYetValid => "not-yet-valid",
        IdentityFailure.WrongAudience => "wrong-audience",
        IdentityFailure.WrongTokenType => "wrong-token-type",
        IdentityFailure.MissingClaim => "missing-claim",
        IdentityFailure.InvalidCredentials => "invalid-credentials",
        IdentityFailure.LockedOut => "locked-out",
        IdentityFailure.Disabled => "disabled",
        IdentityFailure.KeysUnavailable => "keys-unavailable",
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, null),
    };
}
