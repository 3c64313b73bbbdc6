using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Gateway.Identity.Auditing;
using Gateway.Identity.Clients;
using Gateway.Identity.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Identity.Benchmarks;

/// <summary>
/// The token server in process (test server, SQLite in a temporary data directory): issuing a client-credentials token
/// (secret check, token entry, audit, RS256 signature) and validating a local access token.
/// </summary>
[MemoryDiagnoser]
public class TokenBenchmarks
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "gw-identity-bench-" + Guid.NewGuid().ToString("N")[..8]);
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private GatewayTokenValidator _validator = null!;
    private string _secret = null!;
    private string _token = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IIdentityAuditor, DiscardingAuditor>();
        builder.Services.AddGatewayIdentity(new GatewayIdentityOptions { Issuer = new Uri("https://gateway.bench/") }, _data);
        _app = builder.Build();
        _app.MapGatewayIdentity();
        await _app.StartAsync();
        await using (AsyncServiceScope scope = _app.Services.CreateAsyncScope())
        {
            _secret = (await scope.ServiceProvider.GetRequiredService<ClientRegistry>().AddAsync(new ClientRegistration { ClientId = "bench", Kind = ClientKind.Service, Roles = ["ai-service"] }))!;
        }

        _http = new HttpClient(_app.GetTestServer().CreateHandler()) { BaseAddress = new Uri("https://gateway.bench/") };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("bench:" + _secret)));
        _validator = _app.Services.GetRequiredService<GatewayTokenValidator>();
        _token = await IssueClientToken();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    [Benchmark]
    public async Task<string> IssueClientToken()
    {
        using var content = new FormUrlEncodedContent([KeyValuePair.Create("grant_type", "client_credentials")]);
        using HttpResponseMessage response = await _http.PostAsync("/connect/token", content);
        response.EnsureSuccessStatusCode();
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    [Benchmark]
    public async Task<bool> ValidateLocalToken() => (await _validator.ValidateAsync(_token)).Succeeded;

    private sealed class DiscardingAuditor : IIdentityAuditor
    {
        public ValueTask RecordAsync(IdentityAuditEvent auditEvent, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
