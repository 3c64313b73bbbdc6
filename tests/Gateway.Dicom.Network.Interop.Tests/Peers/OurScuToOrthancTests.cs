using Gateway.Dicom.Network.Interop.Tests.Support;
using TestPki = Gateway.Dicom.Network.Tests.Support.TestPki;

namespace Gateway.Dicom.Network.Interop.Tests.Peers;

/// <summary>
/// Our SCU and SCP against Orthanc (Debian's package, its own DICOM stack on DCMTK) as a real process: C-ECHO,
/// C-STORE, C-FIND at each level, C-MOVE to DCMTK's storescp and to our SCP, C-GET, and the same over DICOM TLS.
/// </summary>
public sealed class OurScuToOrthancTests : IClassFixture<DcmtkFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public OurScuToOrthancTests(DcmtkFixture dcmtk)
    {
        Assert.NotNull(dcmtk.Version);
        OrthancServer.EnsureInstalled();
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task EchoStoreFindMoveGet_AgainstOrthanc_WorkAndRetrieveEqualInstances()
    {
        string source = _temp.Sub("source");
        await TestStudies.WriteAllAsync(source);
        string moved = _temp.Sub("moved");
        int destinationPort = FreePort.Next();
        await using BackgroundTool storescp = await BackgroundTool.StartStorescpAsync("DEST", moved, destinationPort);
        await using QueryRetrieveHost ours = await QueryRetrieveHost.StartAsync(_temp.Sub("ours"));
        await using OrthancServer orthanc = await OrthancServer.StartAsync(
            _temp.Sub("orthanc"), "ORTHANC", [("DEST", destinationPort), (QueryRetrieveHost.AETitle, ours.Port)]);
        string[] peer = OurScuToDcmtkTests.Peer(orthanc.DicomPort, "ORTHANC");

        (await Gatewayctl.RunAsync(["dicom", "echo", .. peer])).EnsureSuccess();
        (await Gatewayctl.RunAsync(["dicom", "store", .. peer, source])).EnsureSuccess();
        ToolResult studies = (await Gatewayctl.RunAsync(
            ["dicom", "find", .. peer, "-L", "STUDY", "-k", "PatientID=P1", "-k", "StudyInstanceUID", "-k", "NumberOfStudyRelatedInstances", "-k", "ModalitiesInStudy"]))
            .EnsureSuccess();
        ToolResult series = (await Gatewayctl.RunAsync(
            ["dicom", "find", .. peer, "-m", "patient", "-L", "SERIES", "-k", "PatientID=P1", "-k", "StudyInstanceUID=" + TestStudies.Study1, "-k", "SeriesInstanceUID", "-k", "Modality"]))
            .EnsureSuccess();
        ToolResult move = (await Gatewayctl.RunAsync(["dicom", "move", .. peer, "--destination", "DEST", "-L", "STUDY", "-k", "StudyInstanceUID=" + TestStudies.Study2])).EnsureSuccess();
        ToolResult moveToUs = (await Gatewayctl.RunAsync(
            ["dicom", "move", .. peer, "--destination", QueryRetrieveHost.AETitle, "-L", "SERIES", "-k", "StudyInstanceUID=" + TestStudies.Study1, "-k", "SeriesInstanceUID=" + TestStudies.Series1Mr]))
            .EnsureSuccess();
        string retrieved = _temp.Sub("retrieved");
        ToolResult get = (await Gatewayctl.RunAsync(["dicom", "get", .. peer, "-L", "STUDY", "-k", "StudyInstanceUID=" + TestStudies.Study3, "--out", retrieved])).EnsureSuccess();

        Assert.Equal(TestStudies.All.Select(i => i.SopInstanceUid).Order(StringComparer.Ordinal), await orthanc.InstanceUidsAsync());
        var study = Assert.Single(OurScuToDcmtkTests.JsonLines(studies.StandardOutput));
        Assert.Equal(TestStudies.Study1, OurScuToDcmtkTests.Value(study, "0020000D"));
        Assert.Equal(5, (int?)study["00201208"]?["Value"]?[0]);
        Assert.Equal(
            [(TestStudies.Series1Ct, "CT"), (TestStudies.Series1Mr, "MR")],
            OurScuToDcmtkTests.JsonLines(series.StandardOutput).Select(m => (OurScuToDcmtkTests.Value(m, "0020000E"), OurScuToDcmtkTests.Value(m, "00080060"))).Order());
        Assert.Contains("completed 2, failed 0", move.StandardError, StringComparison.Ordinal);
        Assert.Contains("completed 2, failed 0", moveToUs.StandardError, StringComparison.Ordinal);
        Assert.Contains("completed 1, failed 0", get.StandardError, StringComparison.Ordinal);
        await OurScuToDcmtkTests.AssertSameInstancesAsync(source, moved, TestStudies.InStudy(TestStudies.Study2));
        await OurScuToDcmtkTests.AssertSameInstancesAsync(source, ours.Directory, TestStudies.InSeries(TestStudies.Series1Mr));
        await OurScuToDcmtkTests.AssertSameInstancesAsync(source, retrieved, TestStudies.InStudy(TestStudies.Study3));
    }

    [Fact]
    public async Task EchoAndStore_OverDicomTlsToOrthanc_StoreTheInstancesAndAnUntrustedClientIsRefused()
    {
        using var pki = new TestPki();
        string source = _temp.Sub("source");
        await TestStudies.WriteAllAsync(source);
        await using OrthancServer orthanc = await OrthancServer.StartAsync(_temp.Sub("orthanc"), "ORTHANC", [], (pki.Server.Cert, pki.Server.Key, pki.CaFile));
        string[] peer = OurScuToDcmtkTests.Peer(orthanc.DicomPort, "ORTHANC");
        string[] tls = ["--tls-cert", pki.Client.Cert, "--tls-key", pki.Client.Key, "--tls-ca", pki.CaFile];

        ToolResult rogue = await Gatewayctl.RunAsync(["dicom", "echo", .. peer, "--tls-cert", pki.RogueClient.Cert, "--tls-key", pki.RogueClient.Key, "--tls-ca", pki.CaFile, "--timeout", "10"]);
        (await Gatewayctl.RunAsync(["dicom", "echo", .. peer, .. tls])).EnsureSuccess();
        (await Gatewayctl.RunAsync(["dicom", "store", .. peer, .. tls, source])).EnsureSuccess();

        Assert.Equal(3, rogue.ExitCode);
        Assert.Equal(TestStudies.All.Select(i => i.SopInstanceUid).Order(StringComparer.Ordinal), await orthanc.InstanceUidsAsync());
        string sent = Path.Combine(source, TestStudies.Instance(1) + ".dcm");
        string stored = Path.Combine(_temp.Sub("check"), "stored.dcm");
        await File.WriteAllBytesAsync(stored, await orthanc.InstanceFileAsync(TestStudies.Instance(1)));
        Assert.Equal((await DicomFiles.ReadAsync(sent)).DataSet, (await DicomFiles.ReadAsync(stored)).DataSet);
    }
}
