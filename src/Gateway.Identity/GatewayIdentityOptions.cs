using Gateway.Identity.Passwords;
using Gateway.Identity.Validation;

namespace Gateway.Identity;

/// <summary>
/// Settings of the gateway's identity: the embedded OAuth2/OIDC server (issuer, token lifetimes, lockout, password
/// hashing) and the external issuers whose tokens are trusted beside it.
/// </summary>
/// <remarks>
/// <see cref="Validate"/> is called by <c>AddGatewayIdentity</c>: a bad setting stops the host at start with one message
/// naming it.
/// </remarks>
public sealed record GatewayIdentityOptions
{
    /// <summary>The largest access token lifetime accepted: tokens are meant to be short-lived.</summary>
    public static readonly TimeSpan MaxAccessTokenLifetime = TimeSpan.FromMinutes(60);

    /// <summary>
    /// True (default) to run the local token server (token, authorization, logout, discovery and JWKS endpoints, login
    /// page); false to trust only <see cref="ExternalIssuers"/>.
    /// </summary>
    public bool EnableLocalServer { get; init; } = true;

    /// <summary>
    /// The local server's issuer: the absolute HTTPS URL clients reach the gateway at (for example
    /// <c>https://gateway.hospital.example:8443/</c>). Tokens carry it as <c>iss</c>; validators compare it exactly.
    /// </summary>
    public Uri? Issuer { get; init; }

    /// <summary>The audience (<c>aud</c>) of the local server's access tokens, which the gateway requires of them. Default <c>dicom-gateway</c>.</summary>
    public string Audience { get; init; } = "dicom-gateway";

    /// <summary>How long an access token lives (1 minute to <see cref="MaxAccessTokenLifetime"/>). Default 10 minutes.</summary>
    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an authorization code may wait to be redeemed (30 seconds to 10 minutes). Default 2 minutes.</summary>
    public TimeSpan AuthorizationCodeLifetime { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a login at the login page lasts before the user must enter the password again. Default 30 minutes.</summary>
    public TimeSpan LoginSessionLifetime { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Clock skew allowed when validating token lifetimes. Default 30 seconds (at most 5 minutes).</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Failed password checks in a row after which an account is locked. Default 5.</summary>
    public int LockoutThreshold { get; init; } = 5;

    /// <summary>How long a locked account stays locked. Default 15 minutes.</summary>
    public TimeSpan LockoutDuration { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Argon2id parameters for new password hashes (existing hashes keep theirs and are upgraded at the next login).</summary>
    public Argon2idParameters PasswordHashing { get; init; } = Argon2idParameters.Default;

    /// <summary>
    /// Password checks (Argon2id, memory-hard) allowed at once; further logins wait. Bounds the memory and CPU an attacker
    /// can make the gateway spend. Default 2.
    /// </summary>
    public int MaxConcurrentPasswordChecks { get; init; } = 2;

    /// <summary>RSA modulus size of new signing keys (2048, 3072 or 4096). Default 3072.</summary>
    public int SigningKeySize { get; init; } = 3072;

    /// <summary>How often the running server looks for a key rotated by <c>gatewayctl identity rotate-signing-key</c>. Default 30 seconds.</summary>
    public TimeSpan KeyRefreshInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>External OIDC issuers (a hospital's Keycloak or Entra ID) whose access tokens are trusted as well.</summary>
    public IReadOnlyList<ExternalIssuerOptions> ExternalIssuers { get; init; } = [];

    /// <summary>AuditSourceID of the audit records the identity writes. Default the machine name.</summary>
    public string AuditSourceId { get; init; } = Environment.MachineName;

    /// <summary>Every problem with these settings, one sentence each; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (EnableLocalServer)
        {
            if (Issuer is null || !Issuer.IsAbsoluteUri || Issuer.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(Issuer.Query) || !string.IsNullOrEmpty(Issuer.Fragment))
            {
                problems.Add("Identity:Issuer must be an absolute https URL without query or fragment (the address clients reach the gateway at)");
            }

            if (string.IsNullOrWhiteSpace(Audience) || Audience.Length > 256)
            {
                problems.Add("Identity:Audience must be 1-256 characters");
            }

            if (AccessTokenLifetime < TimeSpan.FromMinutes(1) || AccessTokenLifetime > MaxAccessTokenLifetime)
            {
                problems.Add("Identity:AccessTokenLifetime must be between 1 and 60 minutes");
            }

            if (AuthorizationCodeLifetime < TimeSpan.FromSeconds(30) || AuthorizationCodeLifetime > TimeSpan.FromMinutes(10))
            {
                problems.Add("Identity:AuthorizationCodeLifetime must be between 30 seconds and 10 minutes");
            }

            if (LoginSessionLifetime < TimeSpan.FromMinutes(1) || LoginSessionLifetime > TimeSpan.FromHours(12))
            {
                problems.Add("Identity:LoginSessionLifetime must be between 1 minute and 12 hours");
            }

            if (SigningKeySize is not (2048 or 3072 or 4096))
            {
                problems.Add("Identity:SigningKeySize must be 2048, 3072 or 4096");
            }

            if (KeyRefreshInterval < TimeSpan.FromSeconds(1) || KeyRefreshInterval > TimeSpan.FromHours(1))
            {
                problems.Add("Identity:KeyRefreshInterval must be between 1 second and 1 hour");
            }
        }
        else if (ExternalIssuers.Count == 0)
        {
            problems.Add("Identity: with the local server disabled, at least one external issuer is needed");
        }

        if (ClockSkew < TimeSpan.Zero || ClockSkew > TimeSpan.FromMinutes(5))
        {
            problems.Add("Identity:ClockSkew must be between 0 and 5 minutes");
        }

        if (LockoutThreshold is < 1 or > 100)
        {
            problems.Add("Identity:LockoutThreshold must be between 1 and 100");
        }

        if (LockoutDuration < TimeSpan.FromMinutes(1) || LockoutDuration > TimeSpan.FromDays(1))
        {
            problems.Add("Identity:LockoutDuration must be between 1 minute and 1 day");
        }

        if (MaxConcurrentPasswordChecks is < 1 or > 64)
        {
            problems.Add("Identity:MaxConcurrentPasswordChecks must be between 1 and 64");
        }

        if (PasswordHashing.Validate() is { } hashing)
        {
            problems.Add("Identity:PasswordHashing: " + hashing);
        }

        if (string.IsNullOrWhiteSpace(AuditSourceId))
        {
            problems.Add("Identity:AuditSourceId must not be empty");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (ExternalIssuerOptions external in ExternalIssuers)
        {
            foreach (string problem in external.Validate())
            {
                problems.Add($"Identity:ExternalIssuers[{external.Issuer}]: {problem}");
            }

            if (!names.Add(external.Issuer))
            {
                problems.Add($"Identity:ExternalIssuers: issuer {external.Issuer} is listed twice");
            }

            if (EnableLocalServer && Issuer is not null && string.Equals(external.Issuer.TrimEnd('/'), Issuer.AbsoluteUri.TrimEnd('/'), StringComparison.Ordinal))
            {
                problems.Add($"Identity:ExternalIssuers: {external.Issuer} is the local issuer");
            }
        }

        return problems;
    }
}
