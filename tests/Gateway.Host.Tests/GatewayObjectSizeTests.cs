using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;

namespace Gateway.Host.Tests;

/// <summary>
/// A flow's <c>max-object-size</c> holds for DIMSE too, although a C-STORE's size is only known as it streams in:
/// past the first allowing rule's limit the policy decides again with the size, so a later rule may take the object,
/// and if none does the sender gets Not Authorized, a Security Alert is written, and nothing of it is archived.
/// </summary>
public sealed class GatewayObjectSizeTests : IDisposable
{
    private const string Policy = """
        version: 1
        mode: enforce
        timezone: UTC
        zones:
          - name: test-vlan
            kind: device
            networks: [127.0.0.0/8]
        peers:
          - name: modality
            zone: test-vlan
            ae-titles: [MODALITY]
            addresses: [127.0.0.1]
          - name: ct
            zone: test-vlan
            ae-titles: [CTSCANNER1]
            addresses: [127.0.0.1]
        services:
          - name: pacs
            kind: pacs
            ae-title: GATEWAY
        flows:
          - name: modality-small
            from: modality
            to: pacs
            operations: [echo, store]
            sop-classes: [all-storage]
            max-object-size: 64 KiB
          - name: ct-small
            from: ct
            to: pacs
            operations: [echo, store]
            sop-classes: [all-storage]
            max-object-size: 64 KiB
          - name: ct-large
            from: ct
            to: pacs
            operations: [store]
            sop-classes: [ct]
            max-object-size: 1 MiB
        """;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Store_LargerThanTheFlowAllows_IsNotAuthorizedAlertedAndNotArchived_UnlessALaterRuleTakesIt()
    {
        string root = _temp.Sub("gateway");
        IReadOnlyList<(string Uid, string File)> small = await FaultInstances.WriteAsync(_temp.Sub("small"), 2, size: 16);
        IReadOnlyList<(string Uid, string File)> large = await FaultInstances.WriteAsync(_temp.Sub("large"), 2, size: 300); // 180 KB of pixels
        string data;
        await using (GatewayProcess gateway = await GatewayProcess.StartAsync(root, policy: Policy))
        {
            data = gateway.DataDirectory;
            StorescuBatch modality = await StorescuBatch.SendAsync(gateway.VlanPort, [small[0].File, large[0].File, small[1].File], noHalt: true);
            Assert.True(modality.Responses.Count == 3, modality.Tool.ToString());
            Assert.Equal("Success", modality.Responses[small[0].File]);
            Assert.Equal("Success", modality.Responses[small[1].File]);
            Assert.Contains("0x124", modality.Responses[large[0].File], StringComparison.Ordinal); // DCMTK names no C-STORE status 0124 (PS3.7 C.5.12 Refused: Not Authorized)

            StorescuBatch ct = await StorescuBatch.SendAsync(gateway.VlanPort, [large[1].File], callingAE: "CTSCANNER1");
            Assert.True(ct.Acknowledged.Count == 1, ct.Tool.ToString());
        }

        IReadOnlyList<string> imports = await GatewayAuditLog.SearchAsync(data, GatewayAuditLog.Import);
        Assert.Equal(3, imports.Count);
        Assert.Single(imports, i => i.Contains("flow:ct-large", StringComparison.Ordinal));
        IReadOnlyList<string> alerts = await GatewayAuditLog.SearchAsync(data, GatewayAuditLog.SecurityAlert);
        Assert.Single(alerts, a => a.Contains("MODALITY", StringComparison.Ordinal) && a.Contains("too-large", StringComparison.OrdinalIgnoreCase));
    }
}
