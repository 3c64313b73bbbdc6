using System.Text.RegularExpressions;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;

namespace Gateway.Host.Tests.Archive;

/// <summary>
/// The forwarder keeps its association to the PACS open for <c>Gateway:Routing:AssociationCloseDelay</c> after the
/// queue ran empty, so that instances arriving one by one do not each pay for a TLS handshake and an association; and
/// when the PACS ends that waiting association, the next instance goes on a new one without counting as a failure.
/// The PACS is DCMTK's storescp over mutual TLS, which logs every association it receives.
/// </summary>
public sealed partial class ForwarderAssociationTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("00:00:30", 1)]
    [InlineData("00:00:00", 2)]
    public async Task TwoStoresSecondsApart_UseOneAssociationWhileItWaits_TwoWhenTheDelayIsZero(string closeDelay, int expectedAssociations)
    {
        string root = _temp.Sub("gateway");
        string certs = GatewayProcess.CreatePki(root);
        string received = _temp.Sub("pacs");
        int pacsPort = FreePort.Next();
        await using BackgroundTool pacs = await StartPacsAsync(certs, received, pacsPort);
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(root, Settings(pacsPort, closeDelay));

        await StoreAsync(gateway, 0);
        await WaitForFilesAsync(received, 1, pacs);

        // Longer than the forwarder's idle poll: with no delay its association is gone by now.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await StoreAsync(gateway, 1);
        await WaitForFilesAsync(received, 2, pacs);

        Assert.Equal(expectedAssociations, AssociationsReceived(pacs.Output));
    }

    [Fact]
    public async Task ThePacsRestartsWhileTheAssociationWaits_TheNextInstanceGoesOnANewAssociation_WithoutAFailure()
    {
        string root = _temp.Sub("gateway");
        string certs = GatewayProcess.CreatePki(root);
        string received = _temp.Sub("pacs");
        int pacsPort = FreePort.Next();
        BackgroundTool pacs = await StartPacsAsync(certs, received, pacsPort);
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(root, Settings(pacsPort, "00:01:00"));
        try
        {
            await StoreAsync(gateway, 0);
            await WaitForFilesAsync(received, 1, pacs);

            // The PACS goes away and comes back while the forwarder holds its association open for the next instance.
            await pacs.DisposeAsync();
            pacs = await StartPacsAsync(certs, received, pacsPort);
            await Task.Delay(TimeSpan.FromSeconds(1.5));

            await StoreAsync(gateway, 1);
            await WaitForFilesAsync(received, 2, pacs);
            Assert.Equal(1, AssociationsReceived(pacs.Output));

            // No failed attempt (which would also have waited out a backoff of at least 1.6 s).
            await gateway.DisposeAsync();
            string logs = await GatewayLogs.ReadAsync(root);
            Assert.DoesNotContain("failed (attempt", logs, StringComparison.Ordinal);
            Assert.Contains("listening", logs, StringComparison.Ordinal);
        }
        finally
        {
            await pacs.DisposeAsync();
        }
    }

    private static Dictionary<string, string?> Settings(int pacsPort, string closeDelay) => new()
    {
        ["Gateway:Upstreams:Pacs:AETitle"] = "PACS",
        ["Gateway:Upstreams:Pacs:Host"] = "127.0.0.1",
        ["Gateway:Upstreams:Pacs:Port"] = pacsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Gateway:Routing:ForwardTo:0"] = "Pacs",
        ["Gateway:Routing:AssociationCloseDelay"] = closeDelay,
    };

    private static Task<BackgroundTool> StartPacsAsync(string certs, string directory, int port) =>
        BackgroundTool.StartStorescpAsync(
            "PACS", directory, port, "+tls", Path.Combine(certs, "gateway.key"), Path.Combine(certs, "gateway.crt"), "+cf", Path.Combine(certs, "ca.crt"));

    private async Task StoreAsync(GatewayProcess gateway, int index)
    {
        string file = await TestStudies.All[index].WriteAsync(_temp.Sub("source" + index));
        (await ExternalTool.RunAsync("storescu", [.. gateway.Vlan(), "127.0.0.1", gateway.VlanPortText, file])).EnsureSuccess();
    }

    private static async Task WaitForFilesAsync(string directory, int count, BackgroundTool pacs)
    {
        for (DateTime end = DateTime.UtcNow.AddSeconds(30); Directory.GetFiles(directory).Length < count; await Task.Delay(50))
        {
            Assert.True(DateTime.UtcNow < end, $"the PACS received {Directory.GetFiles(directory).Length} of {count} instances{Environment.NewLine}{pacs.Output}");
        }
    }

    private static int AssociationsReceived(string storescpOutput) => AssociationReceived().Count(storescpOutput);

    [GeneratedRegex("^I: Association Received", RegexOptions.Multiline)]
    private static partial Regex AssociationReceived();
}
