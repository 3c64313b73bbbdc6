using System.Text.Json;

namespace Gateway.Host.Tests.Support;

/// <summary>OAuth2 clients of a running gateway and their access tokens (client credentials at its /connect/token).</summary>
internal static class GatewayTokens
{
    /// <summary>Registers a service client with <c>gatewayctl identity client add</c>; returns its secret.</summary>
    public static Task<string> AddClientAsync(string data, GatewayProcess gateway, string clientId) => AddClientAsync(data, gateway.Root, clientId);

    /// <summary>Registers a service client of the gateway prepared under <paramref name="root"/>; returns its secret.</summary>
    public static async Task<string> AddClientAsync(string data, string root, string clientId)
    {
        (int exit, string output) = await Gatewayctl.RunAsync("identity", "client", "add", clientId, "--kind", "service", "--data", data, "--policy", Path.Combine(root, "policies"));
        Assert.True(exit == 0, output);
        string line = output.Split('\n').Single(l => l.StartsWith("secret: ", StringComparison.Ordinal));
        return line["secret: ".Length..].Trim();
    }

    public static async Task<string> TokenAsync(HttpClient http, string clientId, string secret)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        });
        using HttpResponseMessage response = await http.PostAsync("connect/token", form);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using JsonDocument json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("access_token").GetString()!;
    }
}
