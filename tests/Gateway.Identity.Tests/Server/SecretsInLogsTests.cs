using System.Net;
using Gateway.Identity.Tests.Support;

namespace Gateway.Identity.Tests.Server;

public sealed class SecretsInLogsTests
{
    [Fact]
    public async Task TraceLogs_OfTokenAndLoginRequests_HoldNoSecretPasswordCodeOrToken()
    {
        var logs = new CapturingLoggerProvider();
        await using IdentityTestHost host = await IdentityTestHost.StartAsync(logs: logs);
        var callback = new Uri("https://viewer.test/callback");
        await host.AddViewerClientAsync("web-viewer", callback, "clinician");
        await host.AddUserAsync("alice.meyer", "canary-password-5b1e77", "clinician");
        string secret = await host.AddServiceClientAsync("ai-triage", "ai-service");
        using HttpClient http = host.CreateClient();

        string token = await host.ClientTokenAsync(http, "ai-triage", secret);
        (HttpResponseMessage wrong, _) = await host.RequestClientTokenAsync(http, "ai-triage", secret + "x");
        var flow = new PkceFlow(http, "web-viewer", callback);
        string code = await flow.LoginAndGetCodeAsync("alice.meyer", "canary-password-5b1e77");
        (HttpResponseMessage redeemed, System.Text.Json.JsonElement json) = await flow.RedeemAsync(code);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        Assert.NotEmpty(logs.Lines);
        AssertNowhere(logs, "client secret", secret);
        AssertNowhere(logs, "password", "canary-password-5b1e77");
        AssertNowhere(logs, "authorization code", code);
        AssertNowhere(logs, "PKCE verifier", flow.Verifier);
        AssertNowhere(logs, "client token signature", token.Split('.')[2]);
        AssertNowhere(logs, "user token signature", json.GetProperty("access_token").GetString()!.Split('.')[2]);
    }

    private static void AssertNowhere(CapturingLoggerProvider logs, string what, string value)
    {
        string? line = logs.Lines.FirstOrDefault(l => l.Contains(value, StringComparison.Ordinal));
        Assert.True(line is null, $"the {what} appears in the log: {line}");
    }
}
