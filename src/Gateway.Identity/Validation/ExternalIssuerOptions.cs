namespace Gateway.Identity.Validation;

/// <summary>
/// An external OIDC issuer (a hospital's Keycloak or Entra ID) whose access tokens the gateway trusts: which issuer and
/// audience, where its keys come from, and how its role claims map to the policy's roles.
/// </summary>
/// <remarks>
/// Keys come from <see cref="JwksFile"/> (offline: a JWKS the operator exported) or from the issuer's discovery
/// document at <see cref="MetadataAddress"/> (HTTPS only; cached and refreshed by the identity model library). Only roles
/// named in <see cref="RoleMap"/> reach the policy: an unmapped role is dropped, so a new role at the issuer grants
/// nothing until someone maps it here.
/// </remarks>
public sealed record ExternalIssuerOptions
{
    /// <summary>The issuer exactly as its tokens carry it in <c>iss</c> (for example <c>https://sso.hospital.example/realms/imaging</c>).</summary>
    public required string Issuer { get; init; }

    /// <summary>Audiences the gateway accepts from this issuer (at least one; a token must name one of them in <c>aud</c>).</summary>
    public IReadOnlyList<string> Audiences { get; init; } = [];

    /// <summary>The discovery document URL (https); default <c>{Issuer}/.well-known/openid-configuration</c> when <see cref="JwksFile"/> is not set.</summary>
    public Uri? MetadataAddress { get; init; }

    /// <summary>A JSON Web Key Set file with the issuer's signing keys, instead of discovery (no network).</summary>
    public string? JwksFile { get; init; }

    /// <summary>
    /// Where the token carries roles: a claim name (<c>roles</c>, Entra ID) or a dotted path into a JSON object claim
    /// (<c>realm_access.roles</c>, Keycloak). Default <c>roles</c>.
    /// </summary>
    public string RoleClaim { get; init; } = "roles";

    /// <summary>External role name to policy role name (case-sensitive). Roles not listed are dropped.</summary>
    public IReadOnlyDictionary<string, string> RoleMap { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The claim naming the user (the policy's user id). Default <c>sub</c>; <c>preferred_username</c> or <c>upn</c> are common.</summary>
    public string SubjectClaim { get; init; } = "sub";

    /// <summary>The claims naming the client application, first present wins. Default <c>azp</c>, <c>client_id</c>, <c>appid</c>.</summary>
    public IReadOnlyList<string> ClientIdClaims { get; init; } = ["azp", "client_id", "appid"];

    /// <summary>Signature algorithms accepted. Default RS256, RS384, RS512, PS256, ES256, ES384.</summary>
    public IReadOnlyList<string> Algorithms { get; init; } = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"];

    /// <summary>Every problem with these settings.</summary>
    public IEnumerable<string> Validate()
    {
        if (!Uri.TryCreate(Issuer, UriKind.Absolute, out Uri? issuer) || issuer.Scheme != Uri.UriSchemeHttps)
        {
            yield return "Issuer must be an absolute https URL";
        }

        if (Audiences.Count == 0 || Audiences.Any(string.IsNullOrWhiteSpace))
        {
            yield return "at least one non-empty audience is required";
        }

        if (JwksFile is null && MetadataAddress is { } metadata && (!metadata.IsAbsoluteUri || metadata.Scheme != Uri.UriSchemeHttps))
        {
            yield return "MetadataAddress must be an absolute https URL";
        }

        if (string.IsNullOrWhiteSpace(RoleClaim) || RoleClaim.Split('.').Any(string.IsNullOrEmpty))
        {
            yield return "RoleClaim must be a claim name or a dotted path";
        }

        if (string.IsNullOrWhiteSpace(SubjectClaim))
        {
            yield return "SubjectClaim must not be empty";
        }

        if (Algorithms.Count == 0 || Algorithms.Any(a => a is "none" || a.StartsWith("HS", StringComparison.Ordinal)))
        {
            yield return "Algorithms must list asymmetric algorithms only (no none, no HS*)";
        }
    }
}
