using Gateway.Identity.Accounts;
using Gateway.Identity.Auditing;
using Gateway.Identity.Clients;
using Gateway.Identity.Keys;
using Gateway.Identity.Server;
using Gateway.Identity.Storage;
using Gateway.Identity.Validation;
using Gateway.Policy;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Gateway.Identity;

/// <summary>Registers the gateway's identity: token server, accounts, clients, keys, validators and the bearer scheme.</summary>
public static class IdentityServiceCollectionExtensions
{
    /// <summary>The named HTTP client that fetches external issuers' discovery documents and keys.</summary>
    public const string BackchannelClient = "Gateway.Identity.Backchannel";

    /// <summary>
    /// Adds the identity over DATA/identity under <paramref name="dataDirectory"/>: creates the database (0600) and the keys
    /// (0600 in 0700) on first run, registers the OpenIddict server (when <see cref="GatewayIdentityOptions.EnableLocalServer"/>),
    /// the <see cref="GatewayIdentityDefaults.BearerScheme"/> JwtBearer scheme accepting local and external tokens, the
    /// login cookie, <see cref="GatewayTokenValidator"/>, <see cref="DimseIdentityValidator"/>, <see cref="UserAccounts"/>
    /// and <see cref="ClientRegistry"/>. Call <c>app.MapGatewayIdentity()</c> to map the endpoints.
    /// </summary>
    /// <remarks>
    /// The host provides <see cref="IIdentityAuditor"/>; when it does not, <see cref="AuditLogIdentityAuditor"/> over the
    /// registered <c>IAuditLog</c> is used. When a <see cref="PolicyStore"/> is registered, tokens carry only roles the
    /// policy in effect defines. Authentication and authorization middleware are added by <c>WebApplication</c> itself.
    /// </remarks>
    /// <exception cref="ArgumentException">The options are invalid (every problem is listed).</exception>
    public static IServiceCollection AddGatewayIdentity(this IServiceCollection services, GatewayIdentityOptions options, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid identity settings: " + string.Join("; ", problems), nameof(options));
        }

        IdentityPaths paths = IdentityPaths.ForDataDirectory(dataDirectory);
        AddStores(services, options, paths);
        services.TryAddSingleton<IIdentityAuditor, AuditLogIdentityAuditor>();
        services.AddSingleton(provider => new PolicyRoleFilter(provider.GetService<PolicyStore>()));
        services.AddHttpClient(BackchannelClient, client => client.Timeout = TimeSpan.FromSeconds(30));

        SigningKeyRing? ring = null;
        if (options.EnableLocalServer)
        {
            // Opened now: a key directory that cannot be read stops the host at start, not at the first request.
            ring = SigningKeyRing.Open(paths.KeyDirectory, options.SigningKeySize, TimeProvider.System, options.KeyRefreshInterval);
            services.AddSingleton(provider => provider.GetRequiredService<TimeProvider>() == TimeProvider.System
                ? ring
                : SigningKeyRing.Open(paths.KeyDirectory, options.SigningKeySize, provider.GetRequiredService<TimeProvider>(), options.KeyRefreshInterval));
            AddServer(services, options, ring);
        }

        services.AddSingleton(provider => new GatewayTokenValidator(
            options,
            options.EnableLocalServer ? provider.GetRequiredService<SigningKeyRing>() : null,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(BackchannelClient)));
        services.AddSingleton<DimseIdentityValidator>();
        services.AddHostedService<TokenPruning>();

        // OpenIddict's trace messages name authorization codes' reference ids, and its dispatcher logs each extracted
        // request at Information with the PKCE code_verifier in clear: OpenIddict from Warning only (refusals are in the
        // audit log with their error codes). A host logging through Serilog's own factory sets the same override.
        services.Configure<LoggerFilterOptions>(filters => filters.AddFilter("OpenIddict", LogLevel.Warning));

        OwnerOnlyFiles.EnsureDirectory(paths.DataProtectionDirectory);
        services.AddDataProtection()
            .PersistKeysToFileSystem(new DirectoryInfo(paths.DataProtectionDirectory))
            .SetApplicationName("dicom-gateway-identity");
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = GatewayIdentityDefaults.AntiforgeryCookie;
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.HttpOnly = true;
            antiforgery.Cookie.Path = "/";
        });

        services.AddAuthentication()
            .AddCookie(GatewayIdentityDefaults.LoginScheme, cookie =>
            {
                cookie.Cookie.Name = GatewayIdentityDefaults.LoginCookie;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                cookie.Cookie.HttpOnly = true;

                // Lax: the browser comes back to the authorization endpoint from the login form's redirect.
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.Path = "/";
                cookie.ExpireTimeSpan = options.LoginSessionLifetime;
                cookie.SlidingExpiration = false;
                cookie.LoginPath = GatewayIdentityDefaults.LoginPath;
            })
            .AddJwtBearer(GatewayIdentityDefaults.BearerScheme, _ => { });
        services.AddOptions<JwtBearerOptions>(GatewayIdentityDefaults.BearerScheme).Configure<GatewayTokenValidator>((bearer, validator) =>
        {
            bearer.MapInboundClaims = false;
            bearer.RequireHttpsMetadata = true;
            bearer.TokenHandlers.Clear();
            bearer.TokenHandlers.Add(new GatewayBearerTokenHandler(validator));
        });
        return services;
    }

    /// <summary>The database, accounts and clients, shared by the server and <see cref="IdentityAdmin"/>.</summary>
    internal static void AddStores(IServiceCollection services, GatewayIdentityOptions options, IdentityPaths paths)
    {
        IdentityDatabase.EnsureCreated(paths);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(paths);
        services.AddDbContextFactory<IdentityDbContext>(builder => IdentityDatabase.Configure(builder, paths.Database));
        services.AddScoped(provider => provider.GetRequiredService<IDbContextFactory<IdentityDbContext>>().CreateDbContext());
        services.AddSingleton<UserAccounts>();
        services.AddScoped<ClientRegistry>();
        services.AddOpenIddict().AddCore(core => core.UseEntityFrameworkCore().UseDbContext<IdentityDbContext>());
    }

    private static void AddServer(IServiceCollection services, GatewayIdentityOptions options, SigningKeyRing ring)
    {
        services.AddOpenIddict().AddServer(server =>
        {
            server.SetIssuer(options.Issuer!);
            server.SetAuthorizationEndpointUris(GatewayIdentityDefaults.AuthorizePath[1..])
                .SetTokenEndpointUris(GatewayIdentityDefaults.TokenPath[1..])
                .SetEndSessionEndpointUris(GatewayIdentityDefaults.LogoutPath[1..])
                .SetJsonWebKeySetEndpointUris(GatewayIdentityDefaults.JwksPath[1..])
                .SetConfigurationEndpointUris(GatewayIdentityDefaults.DiscoveryPath[1..]);
            server.AllowClientCredentialsFlow().AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            server.RegisterScopes(Scopes.OpenId, Scopes.Roles);
            server.SetAccessTokenLifetime(options.AccessTokenLifetime)
                .SetIdentityTokenLifetime(options.AccessTokenLifetime)
                .SetAuthorizationCodeLifetime(options.AuthorizationCodeLifetime);

            // RFC 9068 JWTs that resource servers and external tools can verify with the JWKS alone.
            server.DisableAccessTokenEncryption();

            // The start-up keys satisfy OpenIddict's checks; the handlers below take the live ring's keys per request.
            server.AddSigningKey(ring.Snapshot.Current.Key);
            server.AddEncryptionKey(ring.EncryptionKey);
            server.AddEventHandler(KeyRingServerHandlers.AttachCurrentSigningKey.Descriptor)
                .AddEventHandler(KeyRingServerHandlers.UsePublishedKeysForValidation.Descriptor)
                .AddEventHandler(KeyRingServerHandlers.PublishRingKeys.Descriptor)
                .AddEventHandler(ErrorAuditHandler.Descriptor);
            server.UseAspNetCore()
                .EnableAuthorizationEndpointPassthrough()
                .EnableTokenEndpointPassthrough()
                .EnableEndSessionEndpointPassthrough();
        });

        // PKCE with S256 only (RFC 9700 2.1.1): "plain" would let an intercepted challenge redeem the code.
        services.AddOptions<OpenIddictServerOptions>().Configure<TimeProvider>((server, time) =>
        {
            server.TimeProvider = time;
            server.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain);
        });
    }
}
