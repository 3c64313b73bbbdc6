using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.Identity.Auditing;
using Gateway.Identity.Clients;
using Gateway.Identity.Tests.Support;
using Gateway.Identity.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gateway.Identity.Tests.Server;

public sealed class ClientCredentialsTests : IAsyncLifetime
{
    private IdentityTestHost _host = null!;

    public async Task InitializeAsync() => _host = await IdentityTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ClientCredentials_TokenIsSignedJwtThatValidatesAndAuthenticatesRequests()
    {
        string secret = await _host.AddServiceClientAsync("ai-triage", "ai-service");
        using HttpClient http = _host.CreateClient();

        (HttpResponseMessage response, JsonElement json) = await _host.RequestClientTokenAsync(http, "ai-triage", secret);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.InRange(json.GetProperty("expires_in").GetInt32(), 590, 600);
        string token = json.GetProperty("access_token").GetString()!;
        var jwt = new JsonWebToken(token);
        Assert.False(jwt.IsEncrypted);
        Assert.Equal("at+jwt", jwt.Typ);
        Assert.Equal("RS256", jwt.Alg);
        Assert.Equal(IdentityTestHost.IssuerText, jwt.Issuer);
        Assert.Equal(["dicom-gateway"], jwt.Audiences);
        Assert.Equal(_host.Ring.Snapshot.Current.KeyId, jwt.Kid);

        IdentityResult identity = await _host.Validator.ValidateAsync(token);
        Assert.True(identity.Succeeded, identity.Failure.ToString());
        Assert.Equal("ai-triage", identity.Subject);
        Assert.Equal("ai-triage", identity.ClientId);
        Assert.True(identity.IsClient);
        Assert.Null(identity.PolicyUserId);
        Assert.Equal(["ai-service"], identity.Roles);

        using var whoami = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        whoami.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        HttpResponseMessage answer = await http.SendAsync(whoami);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        JsonElement me = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("ai-triage", me.GetProperty("sub").GetString());
        Assert.Equal("client", me.GetProperty("kind").GetString());
        Assert.Equal("ai-service", me.GetProperty("roles")[0].GetString());

        IdentityAuditEvent issued = Assert.Single(_host.Auditor.Events);
        Assert.True(issued.Succeeded);
        Assert.Equal(IdentityMethod.ClientCredentials, issued.Method);
        Assert.Equal("ai-triage", issued.Subject);
    }

    [Fact]
    public async Task ClientCredentials_WrongSecret_IsRefusedAndAuditedWithoutTheSecret()
    {
        _ = await _host.AddServiceClientAsync("partner-ris", "ai-service");
        using HttpClient http = _host.CreateClient();

        (HttpResponseMessage response, JsonElement json) = await _host.RequestClientTokenAsync(http, "partner-ris", "guessed-secret-canary-123");

        // RFC 6749 5.2: a client that authenticated with the Authorization header is answered 401 invalid_client.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", json.GetProperty("error").GetString());
        Assert.False(json.TryGetProperty("access_token", out _));
        IdentityAuditEvent refused = Assert.Single(_host.Auditor.Events);
        Assert.False(refused.Succeeded);
        Assert.Equal("partner-ris", refused.Subject);
        Assert.Equal("invalid_client", refused.FailureReason);
        Assert.DoesNotContain("guessed-secret-canary-123", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientCredentials_UnknownClient_IsRefusedAndAudited()
    {
        using HttpClient http = _host.CreateClient();

        (HttpResponseMessage response, JsonElement json) = await _host.RequestClientTokenAsync(http, "nobody", "whatever-secret");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", json.GetProperty("error").GetString());
        Assert.Equal("nobody", Assert.Single(_host.Auditor.Events).Subject);
    }

    [Fact]
    public async Task ClientCredentials_AuditLogRefuses_NoTokenIsIssued()
    {
        string secret = await _host.AddServiceClientAsync("ai-triage", "ai-service");
        using HttpClient http = _host.CreateClient();
        _host.Auditor.Fail = true;

        (HttpResponseMessage response, JsonElement json) = await _host.RequestClientTokenAsync(http, "ai-triage", secret);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.False(json.ValueKind == JsonValueKind.Object && json.TryGetProperty("access_token", out _));
        Assert.Empty(_host.Auditor.Events);
    }

    [Fact]
    public async Task ClientCredentials_RemovedClientOrRotatedSecret_OldSecretNoLongerWorks()
    {
        string secret = await _host.AddServiceClientAsync("ai-triage", "ai-service");
        await using (AsyncServiceScope scope = _host.App.Services.CreateAsyncScope())
        {
            ClientRegistry registry = scope.ServiceProvider.GetRequiredService<ClientRegistry>();
            string rotated = (await registry.RotateSecretAsync("ai-triage"))!;
            Assert.NotEqual(secret, rotated);
        }

        using HttpClient http = _host.CreateClient();
        (HttpResponseMessage response, _) = await _host.RequestClientTokenAsync(http, "ai-triage", secret);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Discovery_PublishesEndpointsJwksAndS256Only()
    {
        using HttpClient http = _host.CreateClient();

        JsonElement discovery = JsonDocument.Parse(await http.GetStringAsync(GatewayIdentityDefaults.DiscoveryPath)).RootElement;
        JsonElement jwks = JsonDocument.Parse(await http.GetStringAsync(GatewayIdentityDefaults.JwksPath)).RootElement;

        Assert.Equal(IdentityTestHost.IssuerText, discovery.GetProperty("issuer").GetString());
        Assert.Equal(IdentityTestHost.IssuerText + "connect/token", discovery.GetProperty("token_endpoint").GetString());
        Assert.Equal(IdentityTestHost.IssuerText + ".well-known/jwks", discovery.GetProperty("jwks_uri").GetString());
        Assert.Equal(["S256"], discovery.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
        JsonElement key = Assert.Single(jwks.GetProperty("keys").EnumerateArray());
        Assert.Equal(_host.Ring.Snapshot.Current.KeyId, key.GetProperty("kid").GetString());
        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        Assert.False(key.TryGetProperty("d", out _), "the JWKS must not publish the private exponent");
        Assert.False(key.TryGetProperty("p", out _));
    }

    [Fact]
    public async Task Bearer_ExpiredTamperedOrMissingToken_IsUnauthorized()
    {
        string secret = await _host.AddServiceClientAsync("ai-triage", "ai-service");
        using HttpClient http = _host.CreateClient();
        string token = await _host.ClientTokenAsync(http, "ai-triage", secret);
        string[] parts = token.Split('.');
        string payload = System.Text.Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(parts[1]));
        string tampered = parts[0] + "." + Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(payload.Replace("ai-service", "security-admin", StringComparison.Ordinal)) + "." + parts[2];

        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIAsync(http, null));
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIAsync(http, tampered));
        Assert.Equal(IdentityFailure.InvalidSignature, (await _host.Validator.ValidateAsync(tampered)).Failure);
        Assert.Equal(HttpStatusCode.OK, await WhoAmIAsync(http, token));
        _host.Clock.Advance(_host.Options.AccessTokenLifetime + _host.Options.ClockSkew + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIAsync(http, token));
        Assert.Equal(IdentityFailure.Expired, (await _host.Validator.ValidateAsync(token)).Failure);
    }

    private static async Task<HttpStatusCode> WhoAmIAsync(HttpClient http, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return (await http.SendAsync(request)).StatusCode;
    }
}
