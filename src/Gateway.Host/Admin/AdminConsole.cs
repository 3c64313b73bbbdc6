using System.Net.Security;
using System.Security.Claims;
using System.Security.Cryptography.X509Certificates;
using Gateway.Host.Configuration;
using Gateway.Identity;
using Gateway.Identity.Validation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Admin;

/// <summary>
/// The admin console (<c>/admin</c>): server-rendered Razor Pages for security teams, compliance officers, incident
/// responders and operators, signed in through OIDC (the gateway's own server, or an external issuer), each page and
/// action shown and reachable only where the policy grants its admin operation.
/// </summary>
/// <remarks>
/// Sign-in: authorization code with PKCE; the access token returned is validated by <see cref="GatewayTokenValidator"/>
/// (so an external issuer's roles are mapped exactly as for DICOMweb) and its identity becomes the console session, a
/// cookie (<c>__Host-gateway-console</c>: Secure, HttpOnly, SameSite=Strict, sliding <see cref="AdminOptions.SessionLifetime"/>).
/// The token itself is not kept. Pages are served only on the HTTPS endpoint (the device VLAN leg speaks DIMSE only).
/// </remarks>
public static class AdminConsole
{
    /// <summary>Where the console lives.</summary>
    public const string PathBase = "/admin";

    /// <summary>The console session's cookie scheme.</summary>
    public const string CookieScheme = "GatewayConsole";

    /// <summary>The OIDC scheme that signs people in.</summary>
    public const string OidcScheme = "GatewayConsoleOidc";

    /// <summary>The authorisation policy of every page: a signed-in console session.</summary>
    public const string AuthorizationPolicy = "admin-console";

    /// <summary>The session cookie.</summary>
    public const string SessionCookie = "__Host-gateway-console";

    /// <summary>The named HTTP client for the OIDC back channel (discovery, token redemption).</summary>
    public const string BackchannelClient = "Gateway.Admin.Backchannel";

    /// <summary>Adds the console's services, when <see cref="AdminOptions.Enabled"/>.</summary>
    public static IServiceCollection AddGatewayAdmin(this IServiceCollection services, IConfiguration configuration, GatewayIdentityOptions identity, GatewayTls tls)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(tls);
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        AdminOptions options = configuration.GetSection(AdminOptions.Section).Get<AdminOptions>() ?? new AdminOptions();
        if (!options.Enabled)
        {
            return services;
        }

        Uri authority = options.Authority ?? identity.Issuer ?? throw new GatewayStartupException("Gateway:Admin needs Authority when the gateway's own OIDC server is off");
        if (options.Authority is null && !identity.EnableLocalServer)
        {
            throw new GatewayStartupException("Gateway:Admin:Authority must name an issuer when Gateway:Identity:EnableLocalServer is false");
        }

        services.AddRazorPages(pages =>
        {
            pages.RootDirectory = "/Admin/Pages";
            pages.Conventions.AuthorizeFolder("/", AuthorizationPolicy);
        });
        services.AddSingleton<AdminAccessFilter>();
        services.Configure<Microsoft.AspNetCore.Mvc.MvcOptions>(mvc => mvc.Filters.AddService<AdminAccessFilter>());
        services.AddSingleton<AuditConsole>();
        services.AddHostedService<ConsoleClientRegistration>();
        X509Certificate2Collection trusted = LoadCertificates(tls.TrustedCaFiles);
        services.AddHttpClient(BackchannelClient, client => client.Timeout = TimeSpan.FromSeconds(30))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, certificate, _, errors) => TrustedServer(trusted, certificate, errors) },
            });

        services.AddAuthorizationBuilder().AddPolicy(AuthorizationPolicy, policy => policy
            .AddAuthenticationSchemes(CookieScheme)
            .RequireAuthenticatedUser());
        services.AddAuthentication()
            .AddCookie(CookieScheme, cookie =>
            {
                cookie.Cookie.Name = SessionCookie;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.Cookie.Path = "/";
                cookie.ExpireTimeSpan = options.SessionLifetime;
                cookie.SlidingExpiration = true;
                cookie.ForwardChallenge = OidcScheme;
                cookie.AccessDeniedPath = PathBase + "/denied";
            })
            .AddOpenIdConnect(OidcScheme, oidc =>
            {
                oidc.Authority = authority.AbsoluteUri;
                oidc.ClientId = options.ClientId;
                oidc.ClientSecret = options.ClientSecret;
                oidc.ResponseType = "code";
                oidc.ResponseMode = "query";
                oidc.UsePkce = true;
                oidc.Scope.Clear();
                oidc.Scope.Add("openid");
                oidc.Scope.Add("roles");
                oidc.CallbackPath = PathBase + "/signin-oidc";
                oidc.SignedOutCallbackPath = PathBase + "/signout-callback-oidc";
                oidc.SignInScheme = CookieScheme;
                oidc.SaveTokens = false;
                oidc.MapInboundClaims = false;
                oidc.GetClaimsFromUserInfoEndpoint = false;
                oidc.RequireHttpsMetadata = true;
                oidc.DisableTelemetry = true;

                // The correlation and nonce cookies must come back on the issuer's redirect (a top-level GET from another
                // site when the issuer is external): Lax, short-lived, Secure.
                oidc.CorrelationCookie.SameSite = SameSiteMode.Lax;
                oidc.CorrelationCookie.SecurePolicy = CookieSecurePolicy.Always;
                oidc.NonceCookie.SameSite = SameSiteMode.Lax;
                oidc.NonceCookie.SecurePolicy = CookieSecurePolicy.Always;
                oidc.Events.OnTokenValidated = SignInFromAccessTokenAsync;
            });
        services.AddOptions<OpenIdConnectOptions>(OidcScheme).Configure<IHttpClientFactory>((oidc, clients) => oidc.Backchannel = clients.CreateClient(BackchannelClient));
        return services;
    }

    /// <summary>Maps the console's pages and static files (and <c>/</c> to the console) when enabled.</summary>
    public static WebApplication MapGatewayAdmin(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        AdminOptions options = app.Services.GetRequiredService<IOptions<AdminOptions>>().Value;
        if (!options.Enabled)
        {
            return app;
        }

        string? externalOrigin = options.Authority?.GetLeftPart(UriPartial.Authority);
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(PathBase),
            branch => branch.Use((context, next) =>
            {
                context.Response.OnStarting(() =>
                {
                    AdminSecurityHeaders.Apply(context.Response, externalOrigin);
                    return Task.CompletedTask;
                });
                return next(context);
            }));
        string staticRoot = Path.Combine(AppContext.BaseDirectory, "admin-static");
        if (Directory.Exists(staticRoot))
        {
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = new PhysicalFileProvider(staticRoot),
                RequestPath = PathBase + "/static",
                OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "private, max-age=3600",
            });
        }

        app.MapGet("/", () => Results.Redirect(PathBase));
        app.MapRazorPages();
        return app;
    }

    // The access token of the code redemption is the identity: validated like any bearer token (local or external issuer),
    // so that roles mean the same here as on DICOMweb. The id_token was checked by the handler (issuer, audience, nonce).
    private static async Task SignInFromAccessTokenAsync(TokenValidatedContext context)
    {
        string? accessToken = context.TokenEndpointResponse?.AccessToken;
        if (string.IsNullOrEmpty(accessToken))
        {
            context.Fail("the issuer returned no access token");
            return;
        }

        GatewayTokenValidator validator = context.HttpContext.RequestServices.GetRequiredService<GatewayTokenValidator>();
        IdentityResult result = await validator.ValidateAsync(accessToken, context.HttpContext.RequestAborted).ConfigureAwait(false);
        if (!result.Succeeded || result.IsClient)
        {
            context.Fail("the access token was refused: " + IdentityFailures.Code(result.Failure));
            return;
        }

        ClaimsIdentity identity = result.ToClaimsIdentity(CookieScheme);
        identity.AddClaim(new Claim(ClaimTypes.Name, result.Subject!));
        context.Principal = new ClaimsPrincipal(identity);
        context.Properties!.IsPersistent = false;
    }

    // The back channel reaches the issuer: the system's trust store, or the CAs the gateway trusts (its development CA).
    private static bool TrustedServer(X509Certificate2Collection trusted, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);

        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    // Read once at start, not on every back-channel handshake.
    private static X509Certificate2Collection LoadCertificates(IEnumerable<string> files)
    {
        var collection = new X509Certificate2Collection();
        foreach (string file in files)
        {
            collection.ImportFromPemFile(file);
        }

        return collection;
    }
}
