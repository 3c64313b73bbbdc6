namespace Gateway.Identity;

/// <summary>Names and paths of the identity's endpoints and schemes.</summary>
public static class GatewayIdentityDefaults
{
    /// <summary>The authentication scheme validating bearer tokens (local and external) on HTTP requests.</summary>
    public const string BearerScheme = "GatewayBearer";

    /// <summary>The cookie scheme of a login at the login page (only the authorization endpoint reads it).</summary>
    public const string LoginScheme = "GatewayLogin";

    /// <summary>The login cookie's name (<c>__Host-</c>: secure, whole host, no domain).</summary>
    public const string LoginCookie = "__Host-gateway-login";

    /// <summary>The anti-forgery cookie's name.</summary>
    public const string AntiforgeryCookie = "__Host-gateway-af";

    /// <summary>The token endpoint.</summary>
    public const string TokenPath = "/connect/token";

    /// <summary>The authorization endpoint.</summary>
    public const string AuthorizePath = "/connect/authorize";

    /// <summary>The end-session (logout) endpoint.</summary>
    public const string LogoutPath = "/connect/logout";

    /// <summary>The login page.</summary>
    public const string LoginPath = "/account/login";

    /// <summary>The JSON Web Key Set.</summary>
    public const string JwksPath = "/.well-known/jwks";

    /// <summary>The discovery document.</summary>
    public const string DiscoveryPath = "/.well-known/openid-configuration";
}
