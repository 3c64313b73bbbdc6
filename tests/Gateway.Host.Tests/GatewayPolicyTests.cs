using System.Globalization;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;

namespace Gateway.Host.Tests;

/// <summary>The policy applied by the gateway to real DCMTK devices: default deny, spoofing, narrowed services, denied requests.</summary>
public sealed class GatewayPolicyTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task UnknownDeviceAndUnknownService_AreRejectedAtAssociation()
    {
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(_temp.Sub("gateway"));

        ToolResult stranger = await ExternalTool.RunAsync("echoscu", [.. gateway.Vlan("STRANGER"), "127.0.0.1", gateway.VlanPortText]);
        ToolResult wrongService = await ExternalTool.RunAsync("echoscu", [.. gateway.Vlan("MODALITY", "NOSUCHSVC"), "127.0.0.1", gateway.VlanPortText]);
        ToolResult known = await ExternalTool.RunAsync("echoscu", [.. gateway.Vlan("MODALITY"), "127.0.0.1", gateway.VlanPortText]);

        Assert.Contains("Calling AE Title Not Recognized", stranger.Output, StringComparison.Ordinal);
        Assert.Contains("Called AE Title Not Recognized", wrongService.Output, StringComparison.Ordinal);
        known.EnsureSuccess();
    }

    [Fact]
    public async Task KnownAETitleFromAnotherAddress_IsRefusedAsSpoofing()
    {
        string policy = GatewayProcess.DefaultPolicy.Replace("ae-titles: [VIEWER]\n    addresses: [127.0.0.1]", "ae-titles: [VIEWER]\n    addresses: [127.0.0.2]", StringComparison.Ordinal);
        Assert.Contains("127.0.0.2", policy, StringComparison.Ordinal);
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(_temp.Sub("gateway"), policy: policy);

        // VIEWER is bound to 127.0.0.2; the same title from 127.0.0.1 is somebody else.
        ToolResult spoofed = await ExternalTool.RunAsync("echoscu", [.. gateway.Vlan("VIEWER"), "127.0.0.1", gateway.VlanPortText]);

        Assert.Contains("Calling AE Title Not Recognized", spoofed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServiceTheDeviceHasNoFlowFor_IsNotNegotiatedAndADeniedMoveDestinationIsRefused()
    {
        int devicePort = FreePort.Next();
        await using BackgroundTool other = await BackgroundTool.StartStorescpAsync("OTHER", _temp.Sub("other"), devicePort);
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(_temp.Sub("gateway"), new Dictionary<string, string?>
        {
            ["Gateway:Upstreams:Pacs:AETitle"] = "PACS",
            ["Gateway:Upstreams:Pacs:Host"] = "127.0.0.1",
            ["Gateway:Upstreams:Pacs:Port"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Gateway:Routing:QueryRetrieve"] = "Pacs",
            ["Gateway:Devices:OTHER:Host"] = "127.0.0.1",
            ["Gateway:Devices:OTHER:Port"] = devicePort.ToString(CultureInfo.InvariantCulture),
        });

        // The worklist service allows echo and worklist only: a Q/R query to it finds no accepted context.
        ToolResult queryOnWorklistService = await ExternalTool.RunAsync(
            "findscu", [.. gateway.Vlan("MODALITY", "GW_MWL"), "-S", "-k", "QueryRetrieveLevel=STUDY", "127.0.0.1", gateway.VlanPortText]);

        // A move to a destination no flow lists is refused with Not Authorized before anything is fetched.
        ToolResult move = await ExternalTool.RunAsync(
            "movescu", [.. gateway.Vlan(), "-v", "-S", "-aem", "OTHER", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2.3", "127.0.0.1", gateway.VlanPortText]);

        Assert.NotEqual(0, queryOnWorklistService.ExitCode);
        Assert.Contains("No Acceptable Presentation Contexts", queryOnWorklistService.Output, StringComparison.Ordinal);
        Assert.True(move.Output.Contains("Received Final Move Response (Unknown Status: 0x124)", StringComparison.Ordinal), move.ToString());
        Assert.Empty(Directory.GetFiles(_temp.Sub("other")));
    }

    [Fact]
    public async Task InvalidPolicy_StopsTheGatewayAtStartWithTheFileAndLine()
    {
        GatewayStartupException error = await Assert.ThrowsAsync<GatewayStartupException>(() =>
            GatewayProcess.StartAsync(_temp.Sub("gateway"), policy: "version: 1\nflows:\n  - name: broken\n    from: nobody\n    to: nowhere\n    operations: [teleport]\n"));

        Assert.Contains("test.yaml:", error.Message, StringComparison.Ordinal);
        Assert.Contains("invalid", error.Message, StringComparison.Ordinal);
    }
}
