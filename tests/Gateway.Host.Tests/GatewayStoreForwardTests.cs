using System.Text;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;

namespace Gateway.Host.Tests;

/// <summary>
/// C-STORE from a DCMTK device through the gateway: archived encrypted, acknowledged, then forwarded over mutual TLS
/// to Orthanc as the PACS; what the PACS holds equals what was sent, and no patient data is readable on disk.
/// </summary>
public sealed class GatewayStoreForwardTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Storescu_ThroughTheGateway_ArrivesAtThePacsEqualAndNothingReadableStaysOnDisk()
    {
        string root = _temp.Sub("gateway");
        await using OrthancServer pacs = await TestPacs.StartAsync(_temp.Sub("orthanc"), root);
        string source = _temp.Sub("source");
        await TestStudies.WriteAllAsync(source);
        TestInstance canary = TestStudies.All[0] with
        {
            PatientId = "CANARY-778899",
            PatientName = "CANARY^PLAINTEXT",
            SopInstanceUid = TestStudies.Root + ".7.1",
            StudyUid = TestStudies.Root + ".7.2",
            SeriesUid = TestStudies.Root + ".7.3",
        };
        await canary.WriteAsync(source);
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(root, Delivery.ForwardingTo(pacs));

        (await ExternalTool.RunAsync("storescu", [.. gateway.Vlan(), "+sd", "127.0.0.1", gateway.VlanPortText, source])).EnsureSuccess();
        ToolResult stranger = await ExternalTool.RunAsync("storescu", [.. gateway.Vlan("STRANGER"), "+sd", "127.0.0.1", gateway.VlanPortText, source]);
        Assert.NotEqual(0, stranger.ExitCode);

        string[] expected = [.. TestStudies.All.Select(i => i.SopInstanceUid).Append(canary.SopInstanceUid).Order(StringComparer.Ordinal)];
        IReadOnlyList<string> held = [];
        for (DateTime end = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < end; await Task.Delay(200))
        {
            held = await pacs.InstanceUidsAsync();
            if (held.Count >= expected.Length)
            {
                break;
            }
        }

        Assert.Equal(expected, held);
        foreach (string file in Directory.GetFiles(source))
        {
            // storescu itself re-encodes the implicit VR file to the explicit VR it negotiated: compared in one encoding.
            await Delivery.AssertSameAtPacsAsync(pacs, file, _temp.Sub("check"));
        }

        await gateway.DisposeAsync();

        // The audit log holds one Import per instance and a Security Alert for the stranger, and verifies.
        string audit = Path.Combine(gateway.DataDirectory, "audit");
        (int verified, string verifyOutput) = await Gatewayctl.RunAsync("audit", "verify", "--dir", audit, "--decrypt");
        (int searched, string imports) = await Gatewayctl.RunAsync("audit", "search", "--dir", audit, "--event", "110107", "--format", "jsonl");
        (_, string alerts) = await Gatewayctl.RunAsync("audit", "search", "--dir", audit, "--event", "110113", "--format", "jsonl");
        Assert.True(verified == 0, verifyOutput);
        Assert.Equal(0, searched);
        Assert.Equal(expected.Length, imports.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("STRANGER", alerts, StringComparison.Ordinal);
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            byte[] bytes = await File.ReadAllBytesAsync(file);
            foreach (string secret in new[] { "CANARY^PLAINTEXT", "CANARY-778899", "CANARY" })
            {
                Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(secret)), $"{secret} in plaintext (UTF-8) in {file}");
                Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(secret)), $"{secret} in plaintext (UTF-16) in {file}");
            }
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
