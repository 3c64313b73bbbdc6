using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;

namespace Gateway.Host.Tests;

/// <summary>
/// Devices (DCMTK's findscu, getscu, movescu) on the gateway's VLAN leg, served through the gateway by Orthanc as the
/// PACS over mutual TLS and by wlmscpfs as the RIS: what the device receives equals what the PACS holds.
/// </summary>
public sealed class GatewayRelayTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task FindGetAndMove_FromADevice_AreServedByThePacsOverTls()
    {
        string root = _temp.Sub("gateway");
        (OrthancServer started, string source) = await TestPacs.StartWithTestStudiesAsync(_temp, root);
        await using OrthancServer pacs = started;

        string moved = _temp.Sub("moved");
        int devicePort = FreePort.Next();
        await using BackgroundTool device = await BackgroundTool.StartStorescpAsync("VIEWER", moved, devicePort);
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(root, new Dictionary<string, string?>
        {
            ["Gateway:Upstreams:Pacs:AETitle"] = "PACS",
            ["Gateway:Upstreams:Pacs:Host"] = "127.0.0.1",
            ["Gateway:Upstreams:Pacs:Port"] = pacs.PortText,
            ["Gateway:Routing:QueryRetrieve"] = "Pacs",
            ["Gateway:Devices:VIEWER:Host"] = "127.0.0.1",
            ["Gateway:Devices:VIEWER:Port"] = devicePort.ToString(CultureInfo.InvariantCulture),
        });

        ToolResult find = (await ExternalTool.RunAsync(
            "findscu", [.. gateway.Vlan(), "-v", "-S", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "-k", "PatientID", "-k", "NumberOfStudyRelatedInstances", "127.0.0.1", gateway.VlanPortText]))
            .EnsureSuccess();
        string retrieved = _temp.Sub("retrieved");
        ToolResult get = (await ExternalTool.RunAsync(
            "getscu", [.. gateway.Vlan(), "-v", "-S", "-od", retrieved, "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + TestStudies.Study1, "127.0.0.1", gateway.VlanPortText]))
            .EnsureSuccess();
        ToolResult move = (await ExternalTool.RunAsync(
            "movescu", [.. gateway.Vlan(), "-v", "-S", "-aem", "VIEWER", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + TestStudies.Study2, "127.0.0.1", gateway.VlanPortText]))
            .EnsureSuccess();

        FindscuOutput studies = FindscuOutput.Parse(find.Output);
        Assert.Equal([TestStudies.Study1, TestStudies.Study2, TestStudies.Study3], studies.Values("0020,000D").Order(StringComparer.Ordinal));
        Assert.Equal(["1", "2", "5"], studies.Values("0020,1208").Order(StringComparer.Ordinal));
        Assert.True(get.Output.Contains("Received Final C-GET Response (Success)", StringComparison.Ordinal) || get.Output.Contains("Received C-GET Response (Success)", StringComparison.Ordinal), get.ToString());
        Assert.Contains("Received Final Move Response (Success)", move.Output, StringComparison.Ordinal);
        await AssertSameAsync(source, retrieved, TestStudies.InStudy(TestStudies.Study1));
        await AssertSameAsync(source, moved, TestStudies.InStudy(TestStudies.Study2));
    }

    [Fact]
    public async Task Worklist_FromADevice_IsAnsweredByTheRis()
    {
        int risPort = FreePort.Next();
        await using BackgroundTool ris = await PeerServers.StartWlmscpfsAsync(_temp.Sub("wl"), risPort, "RIS");
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(_temp.Sub("gateway"), new Dictionary<string, string?>
        {
            ["Gateway:Upstreams:Ris:AETitle"] = "RIS",
            ["Gateway:Upstreams:Ris:Host"] = "127.0.0.1",
            ["Gateway:Upstreams:Ris:Port"] = risPort.ToString(CultureInfo.InvariantCulture),
            ["Gateway:Upstreams:Ris:Tls"] = "false",
            ["Gateway:Routing:Worklist"] = "Ris",
        });

        ToolResult ct = (await ExternalTool.RunAsync(
            "findscu", [.. gateway.Vlan("CTSCANNER1", "GW_MWL"), "-v", "-W", "-k", "PatientID", "-k", "AccessionNumber", "-k", "ScheduledProcedureStepSequence[0].Modality=CT", "127.0.0.1", gateway.VlanPortText]))
            .EnsureSuccess();
        ToolResult mr = (await ExternalTool.RunAsync(
            "findscu", [.. gateway.Vlan("MRSCANNER1", "GW_MWL"), "-v", "-W", "-k", "PatientID", "-k", "ScheduledProcedureStepSequence[0].Modality=MR", "127.0.0.1", gateway.VlanPortText]))
            .EnsureSuccess();

        FindscuOutput items = FindscuOutput.Parse(ct.Output);
        Assert.Equal(["WLPAT001"], items.Values("0010,0020"));
        Assert.Equal(["ACC0001"], items.Values("0008,0050"));
        Assert.Empty(FindscuOutput.Parse(mr.Output).Responses);
    }

    [Fact]
    public async Task Find_WithTheUpstreamDown_FailsPromptlyAndTheGatewayKeepsServing()
    {
        int nobody = FreePort.Next();
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(_temp.Sub("gateway"), new Dictionary<string, string?>
        {
            ["Gateway:Upstreams:Pacs:AETitle"] = "PACS",
            ["Gateway:Upstreams:Pacs:Host"] = "127.0.0.1",
            ["Gateway:Upstreams:Pacs:Port"] = nobody.ToString(CultureInfo.InvariantCulture),
            ["Gateway:Upstreams:Pacs:TimeoutSeconds"] = "5",
            ["Gateway:Routing:QueryRetrieve"] = "Pacs",
        });

        ToolResult find = await ExternalTool.RunAsync("findscu", [.. gateway.Vlan(), "-v", "-S", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "127.0.0.1", gateway.VlanPortText]);

        Assert.True(find.Output.Contains("Received Final Find Response (Failed: UnableToProcess)", StringComparison.Ordinal), find.ToString());
        (await ExternalTool.RunAsync("echoscu", [.. gateway.Vlan(), "127.0.0.1", gateway.VlanPortText])).EnsureSuccess();
    }

    [Fact]
    public async Task Find_UpstreamAnswersPendingWarning_TheDeviceGetsFF01()
    {
        // The upstream: a Study Root Q/R SCP over the test studies that does not index KVP, so that a query with it
        // is answered with FF01 (optional key not supported) on every match.
        string store = _temp.Sub("pacs");
        await TestStudies.WriteAllAsync(store);
        var service = new Gateway.Dicom.Network.Services.DirectoryQueryRetrieveService(new Gateway.Dicom.Network.Services.DirectoryQueryRetrieveOptions { Directory = store, AETitle = "PACS" });
        await service.ScanAsync();
        var acceptance = new Gateway.Dicom.Network.Associations.AssociationAcceptancePolicy
        {
            AETitle = "PACS",
            AbstractSyntaxes = new Dictionary<string, IReadOnlyList<Gateway.Dicom.DicomTransferSyntax>>
            {
                [Gateway.Dicom.DicomUids.StudyRootQueryRetrieveInformationModelFind.Value] = [Gateway.Dicom.DicomTransferSyntax.ExplicitVRLittleEndian, Gateway.Dicom.DicomTransferSyntax.ImplicitVRLittleEndian],
            },
        };
        await using var upstream = new Gateway.Dicom.Network.DicomServer(new Gateway.Dicom.Network.DicomServerOptions { Port = 0 }, acceptance, () => new Gateway.Dicom.Network.Services.DimseServiceDispatcher(find: service));
        await upstream.StartAsync();
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(_temp.Sub("gateway"), new Dictionary<string, string?>
        {
            ["Gateway:Upstreams:Pacs:AETitle"] = "PACS",
            ["Gateway:Upstreams:Pacs:Host"] = "127.0.0.1",
            ["Gateway:Upstreams:Pacs:Port"] = upstream.LocalEndPoint!.Port.ToString(CultureInfo.InvariantCulture),
            ["Gateway:Upstreams:Pacs:Tls"] = "false",
            ["Gateway:Routing:QueryRetrieve"] = "Pacs",
        });

        ToolResult plain = (await ExternalTool.RunAsync(
            "findscu", [.. gateway.Vlan(), "-d", "-S", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "127.0.0.1", gateway.VlanPortText])).EnsureSuccess();
        ToolResult warned = (await ExternalTool.RunAsync(
            "findscu", [.. gateway.Vlan(), "-d", "-S", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "-k", "KVP=120", "127.0.0.1", gateway.VlanPortText])).EnsureSuccess();

        Assert.Equal(3, Regex.Count(plain.Output, "DIMSE Status +: 0xff00"));
        Assert.DoesNotContain("0xff01", plain.Output, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Count(warned.Output, "DIMSE Status +: 0xff01"));
        Assert.DoesNotContain("0xff00", warned.Output, StringComparison.Ordinal);
    }

    private static async Task AssertSameAsync(string source, string received, IEnumerable<TestInstance> expected)
    {
        Dictionary<string, byte[]> sent = await DicomFiles.ReadDirectoryAsync(source);
        Dictionary<string, byte[]> arrived = await DicomFiles.ReadDirectoryAsync(received);
        string[] uids = [.. expected.Select(i => i.SopInstanceUid).Order(StringComparer.Ordinal)];
        Assert.Equal(uids, arrived.Keys.Order(StringComparer.Ordinal));
        Assert.All(uids, uid => Assert.True(sent[uid].AsSpan().SequenceEqual(arrived[uid]), uid + " differs from what the PACS holds"));
    }
}
