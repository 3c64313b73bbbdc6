using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;

namespace Gateway.Host.Tests;

/// <summary>
/// DIMSE user identity negotiation (PS3.7 D.3.3.7) with DCMTK's storescu: a flow that requires an identity with a role
/// admits a device that sends a JWT from the gateway's token endpoint, or the client's id and secret as username and
/// passcode, and refuses one that sends none, a bad one, or one without the role; every attempt is audited.
/// </summary>
public sealed class GatewayDimseIdentityTests : IDisposable
{
    private static readonly string Policy = GatewayProcess.DefaultPolicy
        .Replace("\nflows:", "\n  - name: dicomweb\n    kind: dicomweb\nflows:", StringComparison.Ordinal)
        .Replace("    move-destinations: [viewer]\n", "    move-destinations: [viewer]\n    identity-roles: [ct-operator]\n", StringComparison.Ordinal) + """

        roles:
          - name: ct-operator
            grants:
              - services: [dicomweb]
                operations: [qido]
          - name: clerk
            grants:
              - services: [dicomweb]
                operations: [qido]
        clients:
          - name: ct-console
            client-id: ct-console
            roles: [ct-operator]
          - name: clerk-app
            client-id: clerk-app
            roles: [clerk]
        """;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Storescu_FlowRequiringAnIdentityWithARole_AdmitsOnlyAValidIdentityHoldingIt()
    {
        Assert.Contains("identity-roles: [ct-operator]", Policy, StringComparison.Ordinal);
        string root = _temp.Sub("gateway");
        string data = Path.Combine(root, "data");
        string files = _temp.Sub("files");
        string file = await TestStudies.All[0].WriteAsync(files);
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(root, policy: Policy);
        using var https = new GatewayHttps(gateway);
        string consoleSecret = await GatewayTokens.AddClientAsync(data, gateway, "ct-console");
        string clerkSecret = await GatewayTokens.AddClientAsync(data, gateway, "clerk-app");
        string consoleJwt = await WriteAsync("console.jwt", await GatewayTokens.TokenAsync(https.Http, "ct-console", consoleSecret));
        string clerkJwt = await WriteAsync("clerk.jwt", await GatewayTokens.TokenAsync(https.Http, "clerk-app", clerkSecret));
        string forged = await WriteAsync("forged.jwt", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJjdC1jb25zb2xlIn0.");

        Task<ToolResult> Store(params string[] identity) =>
            ExternalTool.RunAsync("storescu", [.. gateway.Vlan(), .. identity, "127.0.0.1", gateway.VlanPortText, file]);

        // No identity, a forged token, a valid token without the role, a wrong passcode: association refused.
        foreach (string[] refused in new[] { Array.Empty<string>(), ["--jwt", forged], ["--jwt", clerkJwt], ["--user", "ct-console", "--password", "wrong"] })
        {
            ToolResult result = await Store(refused);
            Assert.True(result.ExitCode != 0 && result.Output.Contains("Association Rejected", StringComparison.OrdinalIgnoreCase), string.Join(' ', refused) + Environment.NewLine + result);
        }

        // The console's token (positive response requested), and its id and secret as username and passcode: stored.
        (await Store("--jwt", consoleJwt, "--pos-response")).EnsureSuccess();
        (await Store("--user", "ct-console", "--password", consoleSecret)).EnsureSuccess();

        await gateway.DisposeAsync();
        IReadOnlyList<string> logins = await GatewayAuditLog.SearchAsync(data, "110114");
        IReadOnlyList<string> dimse = [.. logins.Where(l => l.Contains("\"MODALITY\"", StringComparison.Ordinal))];
        Assert.Equal(2, dimse.Count(l => l.Contains("ct-console", StringComparison.Ordinal) && l.Contains("\"outcome\":\"Success\"", StringComparison.Ordinal)));
        Assert.Equal(2, dimse.Count(l => !l.Contains("\"outcome\":\"Success\"", StringComparison.Ordinal)));
        Assert.DoesNotContain(logins, l => l.Contains(consoleSecret, StringComparison.Ordinal));
        IReadOnlyList<string> alerts = await GatewayAuditLog.SearchAsync(data, GatewayAuditLog.SecurityAlert);
        Assert.Contains(alerts, a => a.Contains("identity-required", StringComparison.Ordinal));
        Assert.Contains(alerts, a => a.Contains("identity-role-not-allowed", StringComparison.Ordinal));
    }

    private async Task<string> WriteAsync(string name, string text)
    {
        string path = Path.Combine(_temp.Sub("identity"), name);
        await File.WriteAllTextAsync(path, text);
        return path;
    }
}
