using System.Globalization;
using System.Text.Json.Nodes;
using Gateway.Dicom.IO;
using Gateway.Dicom.Network.Interop.Tests.Support;
using TestPki = Gateway.Dicom.Network.Tests.Support.TestPki;

namespace Gateway.Dicom.Network.Interop.Tests.Peers;

/// <summary>
/// Our SCU (<c>gatewayctl dicom echo|store|find|move|get</c>, run in-process as an operator types it) against DCMTK's
/// storescp (plain, TLS, small PDUs, compressed data), dcmqrscp (Q/R) and wlmscpfs (worklist) as real processes.
/// </summary>
public sealed class OurScuToDcmtkTests : IClassFixture<DcmtkFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public OurScuToDcmtkTests(DcmtkFixture dcmtk)
    {
        Assert.NotNull(dcmtk.Version);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task EchoAndStore_ToStorescp_DeliverEveryInstanceEqualToWhatWasSent()
    {
        string source = _temp.Sub("source");
        await TestStudies.WriteAllAsync(source);
        string received = _temp.Sub("received");
        int port = FreePort.Next();
        await using BackgroundTool storescp = await BackgroundTool.StartStorescpAsync("STORESCP", received, port);

        (await Gatewayctl.RunAsync(["dicom", "echo", .. Peer(port, "STORESCP")])).EnsureSuccess();
        ToolResult store = (await Gatewayctl.RunAsync(["dicom", "store", .. Peer(port, "STORESCP"), source])).EnsureSuccess();

        Assert.Contains("8 sent, 0 failed", store.Output, StringComparison.Ordinal);
        await AssertSameInstancesAsync(source, received);
    }

    [Fact]
    public async Task Store_LargeInstancesToStorescpWithTheSmallestPdu_AreFragmentedAndArriveIntact()
    {
        string source = _temp.Sub("source");
        for (int i = 1; i <= 2; i++)
        {
            await TestStudies.Large(i).WriteAsync(source);
        }

        string received = _temp.Sub("received");
        int port = FreePort.Next();
        await using BackgroundTool storescp = await BackgroundTool.StartStorescpAsync("STORESCP", received, port, "--max-pdu", "4096");

        (await Gatewayctl.RunAsync(["dicom", "store", .. Peer(port, "STORESCP"), "--max-pdu", "4096", source])).EnsureSuccess();

        await AssertSameInstancesAsync(source, received);
    }

    [Fact]
    public async Task Store_CompressedFilesToStorescpAcceptingThem_ArriveWithoutDecoding()
    {
        string original = await TestStudies.Large(3).WriteAsync(_temp.Sub("original"));
        string source = _temp.Sub("source");
        (await ExternalTool.RunAsync("dcmcjpeg", "+e1", original, Path.Combine(source, "jpeg.dcm"))).EnsureSuccess();
        string received = _temp.Sub("received");
        int port = FreePort.Next();

        // Plain storescp accepts uncompressed syntaxes only: the file cannot travel and we say so.
        await using (BackgroundTool strict = await BackgroundTool.StartStorescpAsync("STORESCP", received, port))
        {
            ToolResult refused = await Gatewayctl.RunAsync(["dicom", "store", .. Peer(port, "STORESCP"), source]);
            Assert.Equal(3, refused.ExitCode);
            Assert.Contains("No accepted presentation context", refused.StandardError, StringComparison.Ordinal);
        }

        port = FreePort.Next();
        await using BackgroundTool storescp = await BackgroundTool.StartStorescpAsync("STORESCP", received, port, "+xa");
        (await Gatewayctl.RunAsync(["dicom", "store", .. Peer(port, "STORESCP"), source])).EnsureSuccess();

        (_, DicomTransferSyntax syntax, byte[] sent) = await DicomFiles.ReadAsync(Path.Combine(source, "jpeg.dcm"));
        (_, DicomTransferSyntax receivedSyntax, byte[] arrived) = await DicomFiles.ReadAsync(Normalized.SingleFile(received));
        Assert.Equal("1.2.840.10008.1.2.4.70", syntax.Uid.Value);
        Assert.Equal(syntax, receivedSyntax);
        Assert.Equal(sent, arrived);
    }

    [Fact]
    public async Task EchoAndStore_OverTlsToStorescp_DeliverTheInstances()
    {
        using var pki = new TestPki();
        string source = _temp.Sub("source");
        await TestStudies.WriteAllAsync(source);
        string received = _temp.Sub("received");
        int port = FreePort.Next();
        await using BackgroundTool storescp = await BackgroundTool.StartStorescpAsync(
            "STORESCP", received, port, "+tls", pki.Server.Key, pki.Server.Cert, "-pw", "+cf", pki.CaFile);
        string[] tls = ["--tls-cert", pki.Client.Cert, "--tls-key", pki.Client.Key, "--tls-ca", pki.CaFile];

        (await Gatewayctl.RunAsync(["dicom", "echo", .. Peer(port, "STORESCP"), .. tls])).EnsureSuccess();
        (await Gatewayctl.RunAsync(["dicom", "store", .. Peer(port, "STORESCP"), .. tls, source])).EnsureSuccess();

        await AssertSameInstancesAsync(source, received);
        Assert.Contains("TLS", storescp.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_ToStorescpWithAnUntrustedCertificateOrRejectingOurs_FailsWithExit3AndSendsNothing()
    {
        using var pki = new TestPki();
        string source = _temp.Sub("source");
        await TestStudies.All[0].WriteAsync(source);
        string received = _temp.Sub("received");
        int port = FreePort.Next();
        await using BackgroundTool storescp = await BackgroundTool.StartStorescpAsync(
            "STORESCP", received, port, "+tls", pki.Server.Key, pki.Server.Cert, "-pw", "+cf", pki.CaFile);

        ToolResult untrustedServer = await Gatewayctl.RunAsync(
            ["dicom", "store", .. Peer(port, "STORESCP"), "--tls-cert", pki.Client.Cert, "--tls-key", pki.Client.Key, "--tls-ca", pki.RogueCaFile, source]);
        ToolResult rejectedClient = await Gatewayctl.RunAsync(
            ["dicom", "store", .. Peer(port, "STORESCP"), "--tls-cert", pki.RogueClient.Cert, "--tls-key", pki.RogueClient.Key, "--tls-ca", pki.CaFile, source]);
        ToolResult plain = await Gatewayctl.RunAsync(["dicom", "echo", .. Peer(port, "STORESCP"), "--timeout", "5"]);

        Assert.Equal(3, untrustedServer.ExitCode);
        Assert.Equal(3, rejectedClient.ExitCode);
        Assert.Equal(3, plain.ExitCode);
        Assert.Empty(Directory.GetFiles(received));
    }

    [Fact]
    public async Task StoreFindMoveGet_AgainstDcmqrscp_WorkAndRetrieveEqualInstances()
    {
        string source = _temp.Sub("source");
        await TestStudies.WriteAllAsync(source);
        string moved = _temp.Sub("moved");
        int destinationPort = FreePort.Next();
        int port = FreePort.Next();
        await using BackgroundTool storescp = await BackgroundTool.StartStorescpAsync("DEST", moved, destinationPort);
        await using BackgroundTool dcmqrscp = await PeerServers.StartDcmqrscpAsync(_temp.Sub("qr"), port, "DCMQRSCP", ("DEST", destinationPort));
        string[] peer = Peer(port, "DCMQRSCP");

        (await Gatewayctl.RunAsync(["dicom", "echo", .. peer])).EnsureSuccess();
        (await Gatewayctl.RunAsync(["dicom", "store", .. peer, source])).EnsureSuccess();
        ToolResult studies = (await Gatewayctl.RunAsync(["dicom", "find", .. peer, "-L", "STUDY", "-k", "StudyInstanceUID", "-k", "PatientID", "-k", "StudyDate"])).EnsureSuccess();
        ToolResult images = (await Gatewayctl.RunAsync(
            ["dicom", "find", .. peer, "-m", "patient", "-L", "IMAGE", "-k", "PatientID=P1", "-k", "StudyInstanceUID=" + TestStudies.Study1, "-k", "SeriesInstanceUID=" + TestStudies.Series1Mr, "-k", "SOPInstanceUID"]))
            .EnsureSuccess();
        ToolResult move = (await Gatewayctl.RunAsync(["dicom", "move", .. peer, "--destination", "DEST", "-L", "STUDY", "-k", "StudyInstanceUID=" + TestStudies.Study1])).EnsureSuccess();
        string retrieved = _temp.Sub("retrieved");
        ToolResult get = (await Gatewayctl.RunAsync(["dicom", "get", .. peer, "-L", "SERIES", "-k", "StudyInstanceUID=" + TestStudies.Study2, "-k", "SeriesInstanceUID=" + TestStudies.Series2Ct, "--out", retrieved]))
            .EnsureSuccess();

        Assert.Equal(
            [(TestStudies.Study1, "P1", "20240115"), (TestStudies.Study2, "P2", "20240220"), (TestStudies.Study3, "P3", "20231231")],
            JsonLines(studies.StandardOutput).Select(m => (Value(m, "0020000D"), Value(m, "00100020"), Value(m, "00080020"))).Order());
        Assert.Equal([TestStudies.Instance(4), TestStudies.Instance(5)], JsonLines(images.StandardOutput).Select(m => Value(m, "00080018")).Order(StringComparer.Ordinal));
        Assert.Contains("completed 5, failed 0", move.StandardError, StringComparison.Ordinal);
        Assert.Contains("completed 2, failed 0", get.StandardError, StringComparison.Ordinal);
        await AssertSameInstancesAsync(source, moved, TestStudies.InStudy(TestStudies.Study1));
        await AssertSameInstancesAsync(source, retrieved, TestStudies.InSeries(TestStudies.Series2Ct));
    }

    [Fact]
    public async Task FindWorklist_AgainstWlmscpfs_ReturnsTheScheduledStepThatMatches()
    {
        int port = FreePort.Next();
        await using BackgroundTool wlmscpfs = await PeerServers.StartWlmscpfsAsync(_temp.Sub("wl"), port, "WLMSCP");
        string[] query =
        [
            "dicom", "find", .. Peer(port, "WLMSCP"), "-m", "worklist", "-k", "PatientName", "-k", "PatientID", "-k", "AccessionNumber",
            "-k", "ScheduledProcedureStepSequence[0].ScheduledStationAETitle", "-k", "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate",
        ];

        ToolResult ct = (await Gatewayctl.RunAsync([.. query, "-k", "ScheduledProcedureStepSequence[0].Modality=CT"])).EnsureSuccess();
        ToolResult mr = (await Gatewayctl.RunAsync([.. query, "-k", "ScheduledProcedureStepSequence[0].Modality=MR"])).EnsureSuccess();

        JsonObject item = Assert.Single(JsonLines(ct.StandardOutput));
        Assert.Equal("WLPAT001", Value(item, "00100020"));
        Assert.Equal("ACC0001", Value(item, "00080050"));
        Assert.Equal("WORKLIST^PATIENT", (string?)item["00100010"]!["Value"]![0]!["Alphabetic"]);
        JsonObject step = item["00400100"]!["Value"]![0]!.AsObject();
        Assert.Equal("CT", Value(step, "00080060"));
        Assert.Equal("CTSCANNER1", Value(step, "00400001"));
        Assert.Equal("20261128", Value(step, "00400002"));
        Assert.Empty(JsonLines(mr.StandardOutput));
        Assert.Contains("0 matches", mr.StandardError, StringComparison.Ordinal);
    }

    internal static string[] Peer(int port, string aeTitle) =>
        ["--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--calling-aet", "GWSCU", "--called-aet", aeTitle];

    internal static IReadOnlyList<JsonObject> JsonLines(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => JsonNode.Parse(l)!.AsObject())];

    internal static string? Value(JsonObject match, string tag) => (string?)match[tag]?["Value"]?[0];

    /// <summary>
    /// Every instance of <paramref name="expected"/> (all in <paramref name="source"/> when null) arrived, and nothing
    /// else: with equal data set bytes when it travelled in its own transfer syntax, or equal after DCMTK's
    /// <c>dcmconv +te</c> when a peer accepted another (an implicit VR file sent where explicit VR was chosen).
    /// </summary>
    internal static async Task AssertSameInstancesAsync(string source, string received, IEnumerable<TestInstance>? expected = null)
    {
        Dictionary<string, string> sent = await FilesByUidAsync(source);
        Dictionary<string, string> arrived = await FilesByUidAsync(received);
        string[] uids = expected is null ? [.. sent.Keys.Order(StringComparer.Ordinal)] : [.. expected.Select(i => i.SopInstanceUid).Order(StringComparer.Ordinal)];
        Assert.Equal(uids, arrived.Keys.Order(StringComparer.Ordinal));
        string scratch = Directory.CreateTempSubdirectory("gw-cmp-").FullName;
        try
        {
            foreach (string uid in uids)
            {
                (_, DicomTransferSyntax sentSyntax, byte[] sentBytes) = await DicomFiles.ReadAsync(sent[uid]);
                (_, DicomTransferSyntax arrivedSyntax, byte[] arrivedBytes) = await DicomFiles.ReadAsync(arrived[uid]);
                if (!sentSyntax.Equals(arrivedSyntax))
                {
                    sentBytes = await Normalized.ExplicitLittleEndianDataSetAsync(sent[uid], scratch);
                    arrivedBytes = await Normalized.ExplicitLittleEndianDataSetAsync(arrived[uid], scratch);
                }

                Assert.True(sentBytes.AsSpan().SequenceEqual(arrivedBytes), $"{uid} differs from what was sent ({sentSyntax} -> {arrivedSyntax})");
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static async Task<Dictionary<string, string>> FilesByUidAsync(string directory)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string path in Directory.EnumerateFiles(directory))
        {
            files.Add((await DicomFiles.ReadAsync(path)).SopInstanceUid, path);
        }

        return files;
    }
}
