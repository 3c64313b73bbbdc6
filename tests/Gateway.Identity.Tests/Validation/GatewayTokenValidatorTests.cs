using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Identity.Keys;
using Gateway.Identity.Tests.Support;
using Gateway.Identity.Validation;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Identity.Tests.Validation;

public sealed class GatewayTokenValidatorTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly TestIssuer _issuer = new();
    private readonly ManualTimeProvider _clock = new();
    private readonly GatewayIdentityOptions _options;
    private readonly GatewayTokenValidator _validator;

    public GatewayTokenValidatorTests()
    {
        string jwks = Path.Combine(_dir.Path, "sso-jwks.json");
        _issuer.WriteJwks(jwks);
        _options = IdentityTestHost.DefaultOptions() with { ExternalIssuers = [External(jwks)] };
        SigningKeyRing ring = SigningKeyRing.Open(Path.Combine(_dir.Path, "keys"), 2048, _clock, TimeSpan.FromSeconds(30));
        _validator = new GatewayTokenValidator(_options, ring, _clock);
    }

    public void Dispose()
    {
        _issuer.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task External_TokenWithRealmRoles_IsAcceptedWithMappedRolesOnly()
    {
        IdentityResult result = await _validator.ValidateAsync(_issuer.Token(_clock.GetUtcNow(), roles: ["radiologist", "offline_access", "uma_authorization"]));

        Assert.True(result.Succeeded, result.Failure.ToString());
        Assert.Equal("dr.x", result.Subject);
        Assert.Equal("web-viewer", result.ClientId);
        Assert.False(result.IsClient);
        Assert.Equal(["clinician"], result.Roles);
        Assert.Equal(TestIssuer.Name, result.Issuer);
    }

    [Fact]
    public async Task External_Lifetime_AcceptedWithinSkewRefusedBeyond()
    {
        string token = _issuer.Token(_clock.GetUtcNow(), lifetime: TimeSpan.FromMinutes(5));

        _clock.Advance(TimeSpan.FromMinutes(5) + _options.ClockSkew - TimeSpan.FromSeconds(1));
        Assert.True((await _validator.ValidateAsync(token)).Succeeded);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(IdentityFailure.Expired, (await _validator.ValidateAsync(token)).Failure);
    }

    [Fact]
    public async Task External_NotYetValid_IsRefused()
    {
        string token = _issuer.Token(_clock.GetUtcNow() + TimeSpan.FromMinutes(10));

        Assert.Equal(IdentityFailure.NotYetValid, (await _validator.ValidateAsync(token)).Failure);
    }

    [Fact]
    public async Task External_TamperedPayload_IsRefused()
    {
        string[] parts = _issuer.Token(_clock.GetUtcNow(), roles: ["radiologist"]).Split('.');
        string payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("dr.x", "alice.meyer", StringComparison.Ordinal);

        IdentityResult result = await _validator.ValidateAsync(parts[0] + "." + Base64UrlEncoder.Encode(payload) + "." + parts[2]);

        Assert.Equal(IdentityFailure.InvalidSignature, result.Failure);
    }

    [Fact]
    public async Task External_WrongAudienceOrUnknownIssuerOrForeignKey_IsRefused()
    {
        using RSA stranger = RSA.Create(2048);

        Assert.Equal(IdentityFailure.WrongAudience, (await _validator.ValidateAsync(_issuer.Token(_clock.GetUtcNow(), audience: "another-api"))).Failure);
        Assert.Equal(IdentityFailure.UnknownIssuer, (await _validator.ValidateAsync(_issuer.Token(_clock.GetUtcNow(), issuer: "https://evil.test/"))).Failure);
        Assert.Equal(IdentityFailure.InvalidSignature, (await _validator.ValidateAsync(_issuer.Token(_clock.GetUtcNow(), key: new RsaSecurityKey(stranger) { KeyId = "sso-key-1" }))).Failure);
    }

    [Fact]
    public async Task Token_AlgNoneOrHmacWithThePublicKey_IsRefused()
    {
        string[] parts = _issuer.Token(_clock.GetUtcNow()).Split('.');
        string none = Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";
        string hsHeader = Base64UrlEncoder.Encode("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"sso-key-1\"}");
        byte[] publicKey = _issuer.Key.Rsa.ExportSubjectPublicKeyInfo();
        string hs = hsHeader + "." + parts[1] + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(publicKey, Encoding.ASCII.GetBytes(hsHeader + "." + parts[1])));

        Assert.False((await _validator.ValidateAsync(none)).Succeeded);
        Assert.Equal(IdentityFailure.InvalidSignature, (await _validator.ValidateAsync(hs)).Failure);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a token")]
    [InlineData("a.b")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.e30")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.!!!.sig")]
    [InlineData("eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d")]
    public async Task Token_Malformed_IsRefusedWithoutThrowing(string token)
    {
        IdentityResult result = await _validator.ValidateAsync(token);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Failure, new[] { IdentityFailure.Malformed, IdentityFailure.UnknownIssuer, IdentityFailure.InvalidSignature });
    }

    [Fact]
    public async Task Token_LargerThanTheLimit_IsRefusedBeforeParsing()
    {
        IdentityResult result = await _validator.ValidateAsync(new string('a', GatewayTokenValidator.MaxTokenLength + 1));

        Assert.Equal(IdentityFailure.TooLarge, result.Failure);
    }

    [Fact]
    public async Task External_OverHttp_ThroughTheBearerScheme_GetsMappedRoles()
    {
        string jwks = Path.Combine(_dir.Path, "sso-jwks.json");
        await using IdentityTestHost host = await IdentityTestHost.StartAsync(IdentityTestHost.DefaultOptions() with { ExternalIssuers = [External(jwks)] });
        using HttpClient http = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _issuer.Token(host.Clock.GetUtcNow()));

        HttpResponseMessage response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonElement me = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("dr.x", me.GetProperty("sub").GetString());
        Assert.Equal("user", me.GetProperty("kind").GetString());
        Assert.Equal(["clinician"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task External_ByDiscovery_KeysComeFromTheIssuersJwks()
    {
        // The issuer's discovery document and JWKS are served by a handler in the test: no network.
        string jwksJson = await File.ReadAllTextAsync(Path.Combine(_dir.Path, "sso-jwks.json"));
        using var backchannel = new HttpClient(new StaticHandler(new Dictionary<string, string>
        {
            [TestIssuer.Name + "/.well-known/openid-configuration"] = JsonSerializer.Serialize(new { issuer = TestIssuer.Name, jwks_uri = TestIssuer.Name + "/protocol/openid-connect/certs" }),
            [TestIssuer.Name + "/protocol/openid-connect/certs"] = jwksJson,
        }));
        GatewayIdentityOptions options = _options with { ExternalIssuers = [External(null)] };
        var validator = new GatewayTokenValidator(options, SigningKeyRing.Open(Path.Combine(_dir.Path, "keys"), 2048, _clock, TimeSpan.FromSeconds(30)), _clock, backchannel);

        IdentityResult result = await validator.ValidateAsync(_issuer.Token(DateTimeOffset.UtcNow));

        Assert.True(result.Succeeded, result.Failure.ToString());
        Assert.Equal(["clinician"], result.Roles);
    }

    [Fact]
    public void Options_InsecureOrIncomplete_AreReportedEach()
    {
        GatewayIdentityOptions bad = IdentityTestHost.DefaultOptions() with
        {
            Issuer = new Uri("http://gateway.test/"),
            AccessTokenLifetime = TimeSpan.FromHours(2),
            ExternalIssuers = [new ExternalIssuerOptions { Issuer = "http://sso.test", Audiences = [], Algorithms = ["HS256"] }],
        };

        IReadOnlyList<string> problems = bad.Validate();

        Assert.Contains(problems, p => p.Contains("Issuer must be an absolute https URL", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("AccessTokenLifetime", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("at least one non-empty audience", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("asymmetric algorithms only", StringComparison.Ordinal));
        Assert.Empty(IdentityTestHost.DefaultOptions().Validate());
    }

    private static ExternalIssuerOptions External(string? jwksFile) => new()
    {
        Issuer = TestIssuer.Name,
        Audiences = ["dicom-gateway"],
        JwksFile = jwksFile,
        RoleClaim = "realm_access.roles",
        SubjectClaim = "preferred_username",
        RoleMap = new Dictionary<string, string> { ["radiologist"] = "clinician" },
    };

    private sealed class StaticHandler(IReadOnlyDictionary<string, string> documents) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(documents.TryGetValue(request.RequestUri!.AbsoluteUri, out string? body)
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") }
                : new HttpResponseMessage(HttpStatusCode.NotFound));
    }
}
