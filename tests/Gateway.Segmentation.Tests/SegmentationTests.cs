using System.Globalization;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Segmentation.Tests.Support;
using static Gateway.Segmentation.Tests.Support.SegmentedNetwork;

namespace Gateway.Segmentation.Tests;

/// <summary>
/// Network segmentation for real: a modality and a rogue host on a device VLAN, Orthanc as the PACS on the clinical
/// network, the built gateway between them with one leg in each (see <see cref="SegmentedNetwork"/>). What the VLAN can
/// reach, what goes through, what is refused and audited.
/// </summary>
[Collection(SegmentationCollection.Name)]
public sealed class SegmentationTests(SegmentedNetwork network)
{
    private static readonly TimeSpan AuditTimeout = TimeSpan.FromSeconds(30);
    private static readonly string Vlan = VlanPort.ToString(CultureInfo.InvariantCulture);

    [NetnsFact]
    public async Task Modality_CannotReachThePacsDirectly_AndWouldIfTheGatewayHostRouted()
    {
        Assert.True(await NetworkNamespaces.CanConnectAsync(network.Gateway, PacsAddress, PacsDicomPort), "control: the PACS listens and the gateway reaches it");
        Assert.Equal("0", (await ExecAsync(network.Gateway, "cat", "/proc/sys/net/ipv4/ip_forward")).EnsureSuccess().StandardOutput.Trim());

        bool direct = await NetworkNamespaces.CanConnectAsync(network.Modality, PacsAddress, PacsDicomPort);
        ToolResult echo = await ExecAsync(network.Modality, "echoscu", "-aet", ModalityAE, "-aec", PacsAE, "-to", "5", PacsAddress, PacsDicomPort.ToString(CultureInfo.InvariantCulture));

        Assert.False(direct, "the modality opened a TCP connection to the PACS past the gateway");
        Assert.NotEqual(0, echo.ExitCode);

        // The same topology with a routing gateway host: the modality's packets would reach the PACS. This is what
        // SECURITY.md's ip_forward=0 item is for, and it shows that the refusal above is the namespace's doing.
        (await ExecAsync(network.Gateway, "sysctl", "-qw", "net.ipv4.ip_forward=1")).EnsureSuccess();
        try
        {
            Assert.True(await NetworkNamespaces.CanConnectAsync(network.Modality, PacsAddress, PacsDicomPort), "with ip_forward=1 the modality should reach the PACS");
        }
        finally
        {
            (await ExecAsync(network.Gateway, "sysctl", "-qw", "net.ipv4.ip_forward=0")).EnsureSuccess();
        }

        Assert.False(await NetworkNamespaces.CanConnectAsync(network.Modality, PacsAddress, PacsDicomPort));
    }

    [NetnsFact]
    public async Task AllowedFlow_EchoAndStoreFromTheModality_ReachThePacsThroughTheGateway()
    {
        ToolResult echo = await ExecAsync(network.Modality, "echoscu", "-aet", ModalityAE, "-aec", GatewayAE, VlanAddress, Vlan);
        ToolResult store = await ExecAsync(network.Modality, "storescu", "-aet", ModalityAE, "-aec", GatewayAE, "-R", VlanAddress, Vlan, network.CtFile);

        echo.EnsureSuccess();
        store.EnsureSuccess();
        DateTime end = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(await network.PacsInstanceUidsAsync()).Contains(network.CtSopInstanceUid))
        {
            Assert.True(DateTime.UtcNow < end, $"the CT instance did not reach the PACS within 60 s:{Environment.NewLine}{network.GatewayOutput}");
            await Task.Delay(250);
        }
    }

    [NetnsFact]
    public async Task DeniedFlows_AreRefusedAtTheGateway_AndAuditedAsSecurityAlerts()
    {
        ToolResult stranger = await ExecAsync(network.Modality, "echoscu", "-aet", "STRANGER", "-aec", GatewayAE, VlanAddress, Vlan);
        ToolResult noFlow = await ExecAsync(network.Modality, "echoscu", "-aet", ModalityAE, "-aec", WorklistAE, VlanAddress, Vlan);
        ToolResult mr = await ExecAsync(network.Modality, "storescu", "-aet", ModalityAE, "-aec", GatewayAE, "-R", VlanAddress, Vlan, network.MrFile);

        Assert.Contains("Calling AE Title Not Recognized", stranger.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, noFlow.ExitCode);
        Assert.Contains("Association Rejected", noFlow.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, mr.ExitCode);
        Assert.Contains("No Acceptable Presentation Contexts", mr.Output, StringComparison.Ordinal);

        string strangerAlert = await GatewayAuditAlerts.WaitForAsync(network.DataDirectory, a => a.Contains("STRANGER", StringComparison.Ordinal), AuditTimeout);
        string noFlowAlert = await GatewayAuditAlerts.WaitForAsync(
            network.DataDirectory, a => a.Contains(ModalityAE, StringComparison.Ordinal) && a.Contains(WorklistAE, StringComparison.Ordinal), AuditTimeout);
        Assert.Contains(ModalityAddress, strangerAlert, StringComparison.Ordinal);
        Assert.Contains("unknown-peer", strangerAlert, StringComparison.Ordinal);
        Assert.Contains(ModalityAddress, noFlowAlert, StringComparison.Ordinal);
        Assert.DoesNotContain(network.MrSopInstanceUid, await network.PacsInstanceUidsAsync());
    }

    [NetnsFact]
    public async Task SpoofedAETitle_FromAnotherAddressOnTheVlan_IsRefusedAndAudited_TheRealDeviceIsServed()
    {
        ToolResult spoofedEcho = await ExecAsync(network.Rogue, "echoscu", "-aet", ModalityAE, "-aec", GatewayAE, VlanAddress, Vlan);
        ToolResult spoofedStore = await ExecAsync(network.Rogue, "storescu", "-aet", ModalityAE, "-aec", GatewayAE, "-R", VlanAddress, Vlan, network.CtFile);
        ToolResult real = await ExecAsync(network.Modality, "echoscu", "-aet", ModalityAE, "-aec", GatewayAE, VlanAddress, Vlan);

        Assert.Contains("Calling AE Title Not Recognized", spoofedEcho.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, spoofedStore.ExitCode);
        Assert.Contains("Calling AE Title Not Recognized", spoofedStore.Output, StringComparison.Ordinal);
        real.EnsureSuccess();
        string alert = await GatewayAuditAlerts.WaitForAsync(
            network.DataDirectory, a => a.Contains(RogueAddress, StringComparison.Ordinal) && a.Contains(ModalityAE, StringComparison.Ordinal), AuditTimeout);
        Assert.Contains("address-mismatch", alert, StringComparison.Ordinal);
    }

    [NetnsFact]
    public async Task VlanAddress_OffersOnlyTheDimsePort()
    {
        foreach (string host in new[] { network.Modality, network.Rogue })
        {
            Assert.True(await NetworkNamespaces.CanConnectAsync(host, VlanAddress, VlanPort), $"{host}: the VLAN DIMSE port");
            Assert.False(await NetworkNamespaces.CanConnectAsync(host, VlanAddress, ClinicalPort), $"{host}: the clinical DIMSE port on the VLAN address");
            Assert.False(await NetworkNamespaces.CanConnectAsync(host, VlanAddress, HttpsPort), $"{host}: HTTPS on the VLAN address");
        }

        // Everything the gateway's namespace listens on: the VLAN address carries the DIMSE port and nothing else.
        ToolResult listening = (await ExecAsync(network.Gateway, "ss", "-Hltn")).EnsureSuccess();
        string[] onVlan = [.. listening.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3])
            .Where(local => local.StartsWith(VlanAddress + ":", StringComparison.Ordinal) || local.StartsWith("0.0.0.0:", StringComparison.Ordinal)
                || local.StartsWith("*:", StringComparison.Ordinal) || local.StartsWith("[::]:", StringComparison.Ordinal))];
        Assert.Equal([$"{VlanAddress}:{Vlan}"], onVlan);
    }

    [NetnsFact]
    public async Task VlanHosts_WithTheSecurityMdFirewall_ReachNothingButTheDimsePort_WhileTheClinicalSideKeepsHttps()
    {
        // Linux's weak host model: without a firewall a VLAN host reaches the listeners bound to the clinical address
        // through the VLAN interface. This is why SECURITY.md's firewall is required, not optional.
        Assert.True(
            await NetworkNamespaces.CanConnectAsync(network.Modality, ClinicalAddress, HttpsPort),
            "the VLAN no longer reaches the clinical address without a firewall: revisit SECURITY.md's reason for the rule");

        string ruleset = Path.Combine(network.Root, "firewall.nft");
        await File.WriteAllTextAsync(ruleset, RepositoryFiles.SecurityMdFirewall(VlanInterface));
        (await ExecAsync(network.Gateway, "nft", "-f", ruleset)).EnsureSuccess();
        try
        {
            // Dropped packets make each probe wait its full timeout: probe all at once.
            (string Host, string Address, int Port)[] probes =
            [
                .. new[] { network.Modality, network.Rogue }.SelectMany(host => new[]
                {
                    (host, VlanAddress, HttpsPort), (host, VlanAddress, ClinicalPort),
                    (host, ClinicalAddress, HttpsPort), (host, ClinicalAddress, ClinicalPort), (host, ClinicalAddress, VlanPort),
                    (host, PacsAddress, PacsDicomPort),
                }),
            ];
            bool[] reached = await Task.WhenAll(probes.Select(p => NetworkNamespaces.CanConnectAsync(p.Host, p.Address, p.Port)));
            Assert.Empty(probes.Where((_, i) => reached[i]).Select(p => $"{p.Host} reached {p.Address}:{p.Port}"));

            (await ExecAsync(network.Modality, "echoscu", "-aet", ModalityAE, "-aec", GatewayAE, VlanAddress, Vlan)).EnsureSuccess();
            ToolResult health = await ExecAsync(
                network.Clinical, "curl", "-fsS", "--max-time", "20", "--cacert", network.Pki.CaFile, $"https://{ClinicalAddress}:{HttpsPort.ToString(CultureInfo.InvariantCulture)}/healthz/live");
            Assert.True(health.ExitCode == 0, health.ToString());
        }
        finally
        {
            (await ExecAsync(network.Gateway, "nft", "delete", "table", "inet", "dicom-gateway")).EnsureSuccess();
        }
    }
}
