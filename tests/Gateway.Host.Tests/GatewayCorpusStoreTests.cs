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
                ToolResult direct = await ExternalTool.RunAsync("storescu", [.. await ProposalAsync(source, uid), "-aet", "MODALITY", "-aec", "REFERENCE", "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture), Path.Combine(source, uid + ".dcm")]);
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

        // One association per file, proposing the file's own transfer syntax, so what arrives is what was stored.
        foreach (string uid in sendable)
        {
            ToolResult sent = await ExternalTool.RunAsync("storescu", [.. gateway.Vlan(), .. await ProposalAsync(source, uid), "127.0.0.1", gateway.VlanPortText, Path.Combine(source, uid + ".dcm")]);
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

        string check = _temp.Sub("check");
        foreach (string uid in sendable)
        {
            await PydicomCorpus.AssertSameDataSetAtPacsAsync(pacs, received[uid], uid, check);
        }
    }

    // storescu proposes the uncompressed syntaxes unless told which compressed one to propose; -R proposes only the
    // SOP class of the file. A compressed syntax storescu has no option for is sent as it would be: not at all.
    private static async Task<string[]> ProposalAsync(string source, string uid)
    {
        Gateway.Dicom.IO.DicomFileReader reader = await Gateway.Dicom.IO.DicomFileReader.OpenAsync(Path.Combine(source, uid + ".dcm"));
        await using (reader)
        {
            string? option = reader.TransferSyntax.Uid.Value switch
            {
                "1.2.840.10008.1.2.4.50" => "-xy",
                "1.2.840.10008.1.2.4.51" => "-xx",
                "1.2.840.10008.1.2.4.70" => "-xs",
                "1.2.840.10008.1.2.4.80" => "-xt",
                "1.2.840.10008.1.2.4.81" => "-xu",
                "1.2.840.10008.1.2.4.90" => "-xv",
                "1.2.840.10008.1.2.4.91" => "-xw",
                "1.2.840.10008.1.2.5" => "-xr",
                "1.2.840.10008.1.2.1.99" => "-xd",
                _ => null,
            };
            return option is null ? ["-R"] : ["-R", option];
        }
    }
}
