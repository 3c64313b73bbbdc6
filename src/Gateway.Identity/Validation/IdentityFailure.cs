namespace Gateway.Identity.Validation;

/// <summary>Why a token or a username+passcode was refused.</summary>
public enum IdentityFailure
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>Not a JWT (or not UTF-8, or an encrypted JWT, which the gateway does not accept).</summary>
    Malformed,

    /// <summary>Larger than the limit (a token 16 KiB, a user name 256 bytes, a passcode 1 KiB).</summary>
    TooLarge,

    /// <summary>A DIMSE user identity type the gateway does not accept (username without passcode, Kerberos, SAML).</summary>
    UnsupportedIdentityType,

    /// <summary>The token's issuer is neither the local server nor a configured external issuer.</summary>
    UnknownIssuer,

    /// <summary>The signature does not verify with any published key of the issuer, or uses an algorithm not accepted.</summary>
    InvalidSignature,

    /// <summary>The token has expired (beyond the clock skew), or has no expiry.</summary>
    Expired,

    /// <summary>The token is not valid yet (<c>nbf</c> in the future beyond the clock skew).</summary>
    NotYetValid,

    /// <summary>The token is not meant for the gateway (<c>aud</c>).</summary>
    WrongAudience,

    /// <summary>A local token of another type than an access token (an id token, for example).</summary>
    WrongTokenType,

    /// <summary>The token lacks a claim the gateway needs (subject).</summary>
    MissingClaim,

    /// <summary>Wrong user name or passcode (also for an unknown user: callers cannot tell them apart).</summary>
    InvalidCredentials,

    /// <summary>The account is locked after repeated failures.</summary>
    LockedOut,

    /// <summary>The account is disabled.</summary>
    Disabled,

    /// <summary>The external issuer's keys could not be obtained.</summary>
    KeysUnavailable,
}
