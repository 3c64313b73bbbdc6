namespace Gateway.Identity.Validation;

/// <summary>Claim types in the gateway's tokens and in the principal its bearer scheme builds.</summary>
public static class IdentityClaimTypes
{
    /// <summary>The subject (user id, or client id for a client acting for itself).</summary>
    public const string Subject = "sub";

    /// <summary>The client application (RFC 9068).</summary>
    public const string ClientId = "client_id";

    /// <summary>A policy role (one claim per role).</summary>
    public const string Role = "role";

    /// <summary>The issuer of the validated token.</summary>
    public const string Issuer = "iss";

    /// <summary>In the bearer scheme's principal only: <c>client</c> or <c>user</c>.</summary>
    public const string PrincipalKind = "gateway_principal";
}
