using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using Gateway.Identity.Auditing;
using Gateway.Identity.Clients;
using Gateway.Identity.Keys;
using Gateway.Identity.Passwords;
using Gateway.Identity.Validation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Identity.Tests.Support;

/// <summary>
/// A minimal ASP.NET Core application with the identity mapped, on the in-process test server (https://gateway.test/),
/// a manual clock and a recording auditor; <c>/whoami</c> answers the bearer scheme's view of the caller.
/// </summary>
internal sealed class IdentityTestHost : IAsyncDisposable
{
    public const string IssuerText = "https://gateway.test/";

    /// <summary>Cheap Argon2id parameters: the tests check behaviour, not cost.</summary>
    public static readonly Argon2idParameters FastHashing = new(256, 1, 1);

    private readonly TempDirectory _data;

    private IdentityTestHost(WebApplication app, TempDirectory data, ManualTimeProvider clock, RecordingAuditor auditor, GatewayIdentityOptions options)
    {
        App = app;
        _data = data;
        Clock = clock;
        Auditor = auditor;
        Options = options;
    }

    public WebApplication App { get; }

    public ManualTimeProvider Clock { get; }

    public RecordingAuditor Auditor { get; }

    public GatewayIdentityOptions Options { get; }

    public string DataDirectory => _data.Path;

    public SigningKeyRing Ring => App.Services.GetRequiredService<SigningKeyRing>();

    public GatewayTokenValidator Validator => App.Services.GetRequiredService<GatewayTokenValidator>();

    public static GatewayIdentityOptions DefaultOptions() => new()
    {
        Issuer = new Uri(IssuerText),
        SigningKeySize = 2048,
        PasswordHashing = FastHashing,
        LockoutThreshold = 3,
    };

    public static async Task<IdentityTestHost> StartAsync(GatewayIdentityOptions? options = null, Action<IServiceCollection>? services = null, ILoggerProvider? logs = null)
    {
        options ??= DefaultOptions();
        var data = new TempDirectory();
        var clock = new ManualTimeProvider();
        var auditor = new RecordingAuditor();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
        }
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton<IIdentityAuditor>(auditor);
        builder.Services.AddAuthorization();
        services?.Invoke(builder.Services);
        builder.Services.AddGatewayIdentity(options, data.Path);
        WebApplication app = builder.Build();
        app.MapGatewayIdentity();
        app.MapGet("/whoami", (ClaimsPrincipal user) => Results.Json(new
        {
            sub = user.FindFirst(IdentityClaimTypes.Subject)?.Value,
            client = user.FindFirst(IdentityClaimTypes.ClientId)?.Value,
            kind = user.FindFirst(IdentityClaimTypes.PrincipalKind)?.Value,
            roles = user.FindAll(IdentityClaimTypes.Role).Select(c => c.Value).ToArray(),
        })).RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = GatewayIdentityDefaults.BearerScheme });
        await app.StartAsync();
        return new IdentityTestHost(app, data, clock, auditor, options);
    }

    /// <summary>A client of the test server that keeps cookies and does not follow redirects.</summary>
    public HttpClient CreateClient(out CookieHandler cookies)
    {
        cookies = new CookieHandler(App.GetTestServer().CreateHandler());
        return new HttpClient(cookies) { BaseAddress = new Uri(IssuerText) };
    }

    public HttpClient CreateClient() => CreateClient(out _);

    public async Task<string> AddServiceClientAsync(string clientId, params string[] roles)
    {
        await using AsyncServiceScope scope = App.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<ClientRegistry>().AddAsync(new ClientRegistration { ClientId = clientId, Kind = ClientKind.Service, Roles = roles }))!;
    }

    public async Task AddViewerClientAsync(string clientId, Uri redirectUri, params string[] roles)
    {
        await using AsyncServiceScope scope = App.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ClientRegistry>().AddAsync(new ClientRegistration
        {
            ClientId = clientId,
            Kind = ClientKind.Interactive,
            Confidential = false,
            RedirectUris = [redirectUri],
            Roles = roles,
        });
    }

    public Task AddUserAsync(string userId, string password, params string[] roles) =>
        App.Services.GetRequiredService<Gateway.Identity.Accounts.UserAccounts>().CreateAsync(userId, password, roles);

    /// <summary>Client credentials at the token endpoint; returns the response and its JSON.</summary>
    public async Task<(HttpResponseMessage Response, JsonElement Json)> RequestClientTokenAsync(HttpClient client, string clientId, string secret, string? scope = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, GatewayIdentityDefaults.TokenPath) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));
        HttpResponseMessage response = await client.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        return (response, body.Length > 0 && body.TrimStart().StartsWith('{') ? JsonDocument.Parse(body).RootElement.Clone() : default);
    }

    public async Task<string> ClientTokenAsync(HttpClient client, string clientId, string secret)
    {
        (HttpResponseMessage response, JsonElement json) = await RequestClientTokenAsync(client, clientId, secret);
        Assert.True(response.IsSuccessStatusCode, $"token request failed: {(int)response.StatusCode} {json}");
        return json.GetProperty("access_token").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _data.Dispose();
    }
}
