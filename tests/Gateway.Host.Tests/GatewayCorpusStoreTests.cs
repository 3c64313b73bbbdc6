using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;

namespace Gateway.Host.Tests;

/// <summary>
/// An independent corpus through the whole gateway: every storable test file pydicom ships (Debian
/// <c>python3-pydicom</c>: CT, MR, RT plan, dose and structure set, SR, ECG waveform, secondary capture in every
/// compression, big endian, deflated, odd lengths, private and UN sequences) is sent by DCMTK's storescu to the VLAN
/// leg, archived, and forwarded to Orthanc; Orthanc must hold each one with the data set storescu sent.
/// </summary>
public sealed class GatewayCorpusStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Storescu_EveryCorpusFileDcmtkCanSend_ArrivesAtThePacsUnchanged()
    {
        PydicomCorpus.AssertInstalled();
        string source = _temp.Sub("source");
        IReadOnlyList<string> chosen = await PydicomCorpus.CopyStorableAsync(source);
        Assert.True(chosen.Count >= 60, $"only {chosen.Count} storable files in the corpus");

        // The reference: what DCMTK's storescu sends to DCMTK's storescp, accepting every transfer syntax (+xa) and
        // writing what it received bit for bit (+B). storescu drops Data Set Trailing Padding as it sends, and a few
        // corpus files it cannot send at all (it proposes no context for their syntax); they are no test of the gateway.
        int port = FreePort.Next();
        var sendable = new List<string>();
        string reference = _temp.Sub("reference");
        await using (BackgroundTool storescp = await BackgroundTool.StartStorescpAsync("REFERENCE", reference, port, "+xa", "+B"))
        {
            foreach (string uid in chosen)
            {
                ToolResult direct = await ExternalTool.RunAsync("storescu", ["-R", "-aet", "MODALITY", "-aec", "REFERENCE", "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture), Path.Combine(source, uid + ".dcm")]);
                if (direct.ExitCode == 0)
                {
                    sendable.Add(uid);
                }
            }
        }

        Assert.True(sendable.Count >= 60, $"storescu could send only {sendable.Count} of {chosen.Count} corpus files to storescp");
        string root = _temp.Sub("gateway");
        await using OrthancServer pacs = await TestPacs.StartAsync(_temp.Sub("orthanc"), root);
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(root, Delivery.ForwardingTo(pacs));

        // -R: each file in its own transfer syntax (one association per file), so what arrives is what was stored.
        foreach (string uid in sendable)
        {
            ToolResult sent = await ExternalTool.RunAsync("storescu", [.. gateway.Vlan(), "-R", "127.0.0.1", gateway.VlanPortText, Path.Combine(source, uid + ".dcm")]);
            Assert.True(sent.ExitCode == 0, $"{uid}: {sent.StandardError}");
        }

        string[] expected = [.. sendable.Order(StringComparer.Ordinal)];
        IReadOnlyList<string> held = [];
        for (DateTime end = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < end; await Task.Delay(250))
        {
            held = await pacs.InstanceUidsAsync();
            if (held.Count >= expected.Length)
            {
                break;
            }
        }

        Assert.Equal(expected, held);
        Dictionary<string, string> received = [];
        foreach (string file in Directory.EnumerateFiles(reference))
        {
            received[(await DicomFiles.ReadAsync(file)).SopInstanceUid] = file;
        }

        foreach (string uid in sendable)
        {
            await Delivery.AssertSameAtPacsAsync(pacs, received[uid], _temp.Sub("check"));
        }
    }
}
