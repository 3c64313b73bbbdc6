using System.ComponentModel.DataAnnotations;

namespace Gateway.Host.Admin;

/// <summary>The admin console in the browser (<c>Gateway:Admin</c>), on the HTTPS endpoint only.</summary>
public sealed record AdminOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Gateway:Admin";

    /// <summary>Serve the console at <c>/admin</c>.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The policy service whose admin operations decide what each role sees (the policy's <c>kind: admin</c> service).</summary>
    [Required]
    public string Service { get; init; } = "admin";

    /// <summary>The console's OAuth2 client id (registered on the gateway's own OIDC server at start when <see cref="Authority"/> is unset).</summary>
    [Required]
    public string ClientId { get; init; } = "gateway-console";

    /// <summary>
    /// The OIDC issuer people sign in with; unset: the gateway's own server. An external issuer (Keycloak, Entra ID) must also
    /// be trusted under <c>Gateway:Identity:ExternalIssuers</c>, which maps its roles onto the policy's.
    /// </summary>
    public Uri? Authority { get; init; }

    /// <summary>The client secret at an external issuer, when it treats the console as a confidential client.</summary>
    public string? ClientSecret { get; init; }

    /// <summary>How long a console session lasts without activity (sliding), 1 minute to 12 hours.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "12:00:00")]
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Audit search: records matched at most per search (then the page says the result was cut).</summary>
    [Range(100, 100_000)]
    public int MaxSearchResults { get; init; } = 5000;

    /// <summary>Rows per page in tables.</summary>
    [Range(10, 500)]
    public int PageSize { get; init; } = 50;
}
