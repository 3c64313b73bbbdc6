using System.Text.Json;
using Gateway.Identity.Tests.Support;
using Gateway.Identity.Validation;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gateway.Identity.Tests.Server;

public sealed class KeyRotationTests : IAsyncLifetime
{
    private IdentityTestHost _host = null!;

    public async Task InitializeAsync() => _host = await IdentityTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task RotateSigningKey_NewKeySigns_OldTokensStayValidUntilTheyExpire_ThenTheOldKeyLeavesTheJwks()
    {
        string secret = await _host.AddServiceClientAsync("ai-triage", "ai-service");
        using HttpClient http = _host.CreateClient();
        string before = await _host.ClientTokenAsync(http, "ai-triage", secret);
        string oldKid = new JsonWebToken(before).Kid;
        _host.Clock.Advance(TimeSpan.FromMinutes(1));

        // What gatewayctl identity rotate-signing-key does, from another process, on the same directory.
        await using (IdentityAdmin admin = IdentityAdmin.Open(_host.DataDirectory, time: _host.Clock))
        {
            admin.OpenKeys().Rotate();
        }

        _host.Clock.Advance(_host.Options.KeyRefreshInterval);
        string after = await _host.ClientTokenAsync(http, "ai-triage", secret);
        string newKid = new JsonWebToken(after).Kid;

        Assert.NotEqual(oldKid, newKid);
        Assert.Equal([newKid, oldKid], await JwksKidsAsync(http));
        Assert.True((await _host.Validator.ValidateAsync(before)).Succeeded);
        Assert.True((await _host.Validator.ValidateAsync(after)).Succeeded);

        // The old token expires; later the old key is no longer published (nor accepted).
        _host.Clock.Advance(_host.Options.AccessTokenLifetime - TimeSpan.FromMinutes(1) - _host.Options.KeyRefreshInterval + _host.Options.ClockSkew + TimeSpan.FromSeconds(1));
        Assert.Equal(IdentityFailure.Expired, (await _host.Validator.ValidateAsync(before)).Failure);
        _host.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal([newKid], await JwksKidsAsync(http));
    }

    private static async Task<string[]> JwksKidsAsync(HttpClient http) =>
        [.. JsonDocument.Parse(await http.GetStringAsync(GatewayIdentityDefaults.JwksPath)).RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!)];
}
