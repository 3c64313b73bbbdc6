using System.Globalization;
using Gateway.Dicom;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;

namespace Gateway.Host.Tests.DicomWeb;

/// <summary>
/// The DIMSE-to-DICOMweb bridge: DCMTK devices on the VLAN leg, and Orthanc as a PACS the gateway reaches only over
/// DICOMweb (its upstream has no DIMSE host; Orthanc knows no modality, so it cannot send anything anywhere itself).
/// Stores go by STOW-RS, C-FIND is answered from QIDO-RS, C-MOVE and C-GET from WADO-RS.
/// </summary>
public sealed class GatewayBridgeTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Bridge_DcmtkDevicesAndOrthancOverDicomWeb_StoreFindMoveAndGetAsDirectly_AndAudited()
    {
        await using OrthancServer pacs = await OrthancServer.StartAsync(_temp.Sub("orthanc"), "PACS", []);
        string source = _temp.Sub("source");
        await TestStudies.WriteAllAsync(source);
        string moved = _temp.Sub("moved");
        int viewerPort = FreePort.Next();
        await using BackgroundTool viewer = await BackgroundTool.StartStorescpAsync("VIEWER", moved, viewerPort);
        string root = _temp.Sub("gateway");
        string data = Path.Combine(root, "data");
        string scratch = _temp.Sub("scratch");
        string retrieved = _temp.Sub("retrieved");
        GatewayProcess gateway = await GatewayProcess.StartAsync(root, BridgeSettings(pacs, viewerPort));
        await using (gateway)
        {
            // C-STORE from a modality: archived, then forwarded by STOW-RS.
            (await ExternalTool.RunAsync("storescu", [.. gateway.Vlan(), "127.0.0.1", gateway.VlanPortText, .. Directory.GetFiles(source).Order(StringComparer.Ordinal)])).EnsureSuccess();
            await WaitForPacsCountAsync(pacs, TestStudies.All.Count, TimeSpan.FromSeconds(30));
            Assert.Equal([.. TestStudies.All.Select(i => i.SopInstanceUid).Order(StringComparer.Ordinal)], await Delivery.PacsUidsAsync(pacs));
            foreach (string file in Directory.GetFiles(source))
            {
                await Delivery.AssertSameAtPacsAsync(pacs, file, scratch);
            }

            // C-FIND through the gateway (QIDO-RS) answers what Orthanc's own DIMSE port answers, value for value.
            foreach ((string model, string[] keys) in Queries)
            {
                IReadOnlyList<string> bridged = await FindAsync(scratch, model, keys, [.. gateway.Vlan(), "127.0.0.1", gateway.VlanPortText]);
                IReadOnlyList<string> direct = await FindAsync(scratch, model, keys, ["-aet", "MODALITY", "-aec", "PACS", "127.0.0.1", pacs.PortText]);
                Assert.NotEmpty(direct);
                Assert.Equal(direct, bridged);
            }

            // C-MOVE to a VLAN device and C-GET, both served by WADO-RS.
            ToolResult move = (await ExternalTool.RunAsync(
                "movescu", [.. gateway.Vlan(), "-v", "-S", "-aem", "VIEWER", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + TestStudies.Study2, "127.0.0.1", gateway.VlanPortText]))
                .EnsureSuccess();
            ToolResult get = (await ExternalTool.RunAsync(
                "getscu", [.. gateway.Vlan(), "-v", "-S", "-od", retrieved, "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + TestStudies.Study1, "127.0.0.1", gateway.VlanPortText]))
                .EnsureSuccess();
            ToolResult image = (await ExternalTool.RunAsync(
                "getscu", [.. gateway.Vlan(), "-v", "-S", "-od", _temp.Sub("image"), "-k", "QueryRetrieveLevel=IMAGE", "-k", "StudyInstanceUID=" + TestStudies.Study3,
                    "-k", "SeriesInstanceUID=" + TestStudies.Series3Sc, "-k", "SOPInstanceUID=" + TestStudies.Instance(8), "127.0.0.1", gateway.VlanPortText]))
                .EnsureSuccess();

            Assert.Contains("Received Final Move Response (Success)", move.Output, StringComparison.Ordinal);
            Assert.Matches(@"Number of Completed Suboperations\s*: 5\s", get.Output);
            Assert.Matches(@"Number of Completed Suboperations\s*: 1\s", image.Output);
            Assert.Matches(@"Number of Failed Suboperations\s*: 0\s", get.Output);
            await AssertSameDataSetsAsync(source, moved, TestStudies.InStudy(TestStudies.Study2), scratch);
            await AssertSameDataSetsAsync(source, retrieved, TestStudies.InStudy(TestStudies.Study1), scratch);
            await AssertSameDataSetsAsync(source, _temp.Sub("image"), [TestStudies.All[^1]], scratch);
        }

        // The same audit trail as the DIMSE relays: imports, queries, and what each retrieve transferred.
        IReadOnlyList<string> imports = await GatewayAuditLog.SearchAsync(data, GatewayAuditLog.Import);
        Assert.Equal(TestStudies.All.Count, imports.Count);
        IReadOnlyList<string> queries = await GatewayAuditLog.SearchAsync(data, GatewayAuditLog.Query);
        Assert.Equal(Queries.Length, queries.Count);
        IReadOnlyList<string> transferred = await GatewayAuditLog.SearchAsync(data, GatewayAuditLog.InstancesTransferred);
        Assert.Contains(transferred, t => t.Contains(TestStudies.Study2, StringComparison.Ordinal) && t.Contains("C-MOVE to VIEWER: completed 2, failed 0", StringComparison.Ordinal));
        Assert.Contains(transferred, t => t.Contains(TestStudies.Study1, StringComparison.Ordinal) && t.Contains("C-GET: completed 5, failed 0", StringComparison.Ordinal));
        Assert.Contains(transferred, t => t.Contains(TestStudies.Study3, StringComparison.Ordinal) && t.Contains("C-GET: completed 1, failed 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Forward_OrthancDownMidForward_RetriesAndDeliversEachInstanceOnceItReturns()
    {
        await using OrthancServer pacs = await OrthancServer.StartAsync(_temp.Sub("orthanc"), "PACS", []);
        string source = _temp.Sub("source");
        await TestStudies.WriteAllAsync(source);
        string[] files = [.. Directory.GetFiles(source).Order(StringComparer.Ordinal)];
        string root = _temp.Sub("gateway");
        GatewayProcess gateway = await GatewayProcess.StartAsync(root, BridgeSettings(pacs, FreePort.Next()));
        await using (gateway)
        {
            (await ExternalTool.RunAsync("storescu", [.. gateway.Vlan(), "127.0.0.1", gateway.VlanPortText, .. files[..3]])).EnsureSuccess();
            await WaitForPacsCountAsync(pacs, 3, TimeSpan.FromSeconds(30));

            // The PACS goes away; the gateway still takes the modality's images (archive first) and keeps trying.
            await pacs.StopAsync();
            (await ExternalTool.RunAsync("storescu", [.. gateway.Vlan(), "127.0.0.1", gateway.VlanPortText, .. files[3..]])).EnsureSuccess();
            await WaitForFailedAttemptAsync(Path.Combine(root, "data"), TimeSpan.FromSeconds(15));

            await pacs.StartAgainAsync();
            await WaitForPacsCountAsync(pacs, files.Length, TimeSpan.FromSeconds(60));
            Assert.Equal([.. TestStudies.All.Select(i => i.SopInstanceUid).Order(StringComparer.Ordinal)], await Delivery.PacsUidsAsync(pacs));
            Gateway.Archive.Outbox.OutboxCounts counts = Assert.Single(await Delivery.OutboxAsync(Path.Combine(root, "data")));
            Assert.Equal(files.Length, counts.Delivered);
            Assert.Equal(0, counts.DeadLetter);
        }
    }

    // Study Root at the study level (matching on a date range too), at the series level of one study, and Patient Root at
    // the patient level (which QIDO-RS answers from its studies).
    private static readonly (string Model, string[] Keys)[] Queries =
    [
        ("-S", ["QueryRetrieveLevel=STUDY", "StudyInstanceUID", "PatientID", "PatientName", "PatientBirthDate", "StudyDate", "StudyTime", "AccessionNumber", "StudyDescription", "NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances"]),
        ("-S", ["QueryRetrieveLevel=STUDY", "StudyDate=20240101-20241231", "StudyInstanceUID", "PatientName"]),
        ("-S", ["QueryRetrieveLevel=SERIES", "StudyInstanceUID=" + TestStudies.Study1, "SeriesInstanceUID", "Modality", "SeriesNumber", "NumberOfSeriesRelatedInstances"]),
        ("-P", ["QueryRetrieveLevel=PATIENT", "PatientID", "PatientName"]),
    ];

    private static Dictionary<string, string?> BridgeSettings(OrthancServer pacs, int viewerPort) => new()
    {
        ["Gateway:Upstreams:Pacs:DicomWeb"] = $"http://127.0.0.1:{pacs.HttpPort.ToString(CultureInfo.InvariantCulture)}/dicom-web/",
        ["Gateway:Upstreams:Pacs:TimeoutSeconds"] = "10",
        ["Gateway:Routing:QueryRetrieve"] = "Pacs",
        ["Gateway:Routing:ForwardTo:0"] = "Pacs",
        ["Gateway:Devices:VIEWER:Host"] = "127.0.0.1",
        ["Gateway:Devices:VIEWER:Port"] = viewerPort.ToString(CultureInfo.InvariantCulture),
    };

    // findscu's answers, extracted as files (-X) and read with our codec so that text is compared decoded (Orthanc answers
    // DIMSE in Latin-1, the bridge in UTF-8): one line per answer with the requested keys, multi-values sorted, answers sorted.
    private static async Task<IReadOnlyList<string>> FindAsync(string scratch, string model, string[] keys, string[] target)
    {
        string directory = Directory.CreateDirectory(Path.Combine(scratch, "find-" + Guid.NewGuid().ToString("N"))).FullName;
        (await ExternalTool.RunAsync("findscu", [.. target[..^2], model, "-X", "-od", directory, .. keys.SelectMany(k => new[] { "-k", k }), .. target[^2..]])).EnsureSuccess();
        DicomTag[] compared = [.. keys.Select(k => k.Split('=')[0]).Where(k => k != "QueryRetrieveLevel").Select(Tag)];
        var answers = new List<string>();
        foreach (string file in Directory.GetFiles(directory, "rsp*.dcm"))
        {
            DicomFileReader reader = await DicomFileReader.OpenAsync(file);
            await using (reader)
            {
                DicomDataset answer = await reader.ReadDatasetAsync();
                answers.Add(string.Join(" | ", compared.Select(t => $"{t}={string.Join('\\', answer.GetStrings(t).Select(v => v.TrimEnd(' ', '\0')).Order(StringComparer.Ordinal))}")));
            }
        }

        answers.Sort(StringComparer.Ordinal);
        return answers;
    }

    private static DicomTag Tag(string keyword) =>
        Gateway.Dicom.Dictionary.DicomDictionary.Standard.FindByKeyword(keyword) is { } entry
            ? new DicomTag(entry.GroupLow, entry.ElementLow)
            : throw new ArgumentException("unknown keyword " + keyword, nameof(keyword));

    // What a device received equals what the modality sent, data set for data set (the file meta group is the sender's own
    // and not compared); re-encoded as explicit VR little endian by dcmconv when it travelled in another syntax.
    private static async Task AssertSameDataSetsAsync(string source, string received, IEnumerable<TestInstance> expected, string scratch)
    {
        Dictionary<string, string> sent = await FilesByUidAsync(source);
        Dictionary<string, string> arrived = await FilesByUidAsync(received);
        string[] uids = [.. expected.Select(i => i.SopInstanceUid).Order(StringComparer.Ordinal)];
        Assert.Equal(uids, arrived.Keys.Order(StringComparer.Ordinal));
        foreach (string uid in uids)
        {
            (_, DicomTransferSyntax sentSyntax, byte[] original) = await DicomFiles.ReadAsync(sent[uid]);
            (_, DicomTransferSyntax arrivedSyntax, byte[] copy) = await DicomFiles.ReadAsync(arrived[uid]);
            if (!sentSyntax.Equals(arrivedSyntax))
            {
                original = await Normalized.ExplicitLittleEndianDataSetAsync(sent[uid], scratch);
                copy = await Normalized.ExplicitLittleEndianDataSetAsync(arrived[uid], scratch);
            }

            Assert.True(original.AsSpan().SequenceEqual(copy), uid + " differs from what the modality sent");
        }
    }

    private static async Task<Dictionary<string, string>> FilesByUidAsync(string directory)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string path in Directory.GetFiles(directory))
        {
            (string uid, _, _) = await DicomFiles.ReadAsync(path);
            files[uid.TrimEnd('\0', ' ')] = path;
        }

        return files;
    }

    private static async Task WaitForPacsCountAsync(OrthancServer pacs, long expected, TimeSpan timeout)
    {
        DateTime end = DateTime.UtcNow + timeout;
        long count;
        while ((count = await Delivery.PacsCountAsync(pacs)) < expected)
        {
            Assert.True(DateTime.UtcNow < end, $"the PACS holds {count} of {expected} instances after {timeout.TotalSeconds} s");
            await Task.Delay(200);
        }
    }

    // Until the forwarder has failed at least once against the stopped PACS (an item waits for its retry).
    private static async Task WaitForFailedAttemptAsync(string dataDirectory, TimeSpan timeout)
    {
        DateTime end = DateTime.UtcNow + timeout;
        while (!(await Delivery.OutboxAsync(dataDirectory)).Any(c => c.Retrying > 0))
        {
            Assert.True(DateTime.UtcNow < end, $"no forwarding attempt failed within {timeout.TotalSeconds} s");
            await Task.Delay(200);
        }
    }
}
