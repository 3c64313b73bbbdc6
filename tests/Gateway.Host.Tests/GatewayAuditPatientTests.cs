using System.Globalization;
using System.Text;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;

namespace Gateway.Host.Tests;

/// <summary>
/// The patient participant object (PS3.15 A.5: Patient, role Patient, id type Patient Number) in the gateway's Import,
/// Query and Instances Transferred records: a compliance officer finds every record about a patient with
/// <c>gatewayctl audit search --patient-id</c>; the id stays out of plaintext files and operational logs.
/// </summary>
public sealed class GatewayAuditPatientTests : IDisposable
{
    private const int Import = 110107;
    private const int Query = 110112;
    private const int Transferred = 110104;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task StoreQueryGetAndMove_EachRecordNamesItsPatient_AndSearchByPatientIdFindsThem()
    {
        string root = _temp.Sub("gateway");
        (OrthancServer started, _) = await TestPacs.StartWithTestStudiesAsync(_temp, root);
        await using OrthancServer pacs = started;

        const string CanaryId = "CANARY-PID-5150";
        string stored = _temp.Sub("stored");
        await (TestStudies.All[0] with
        {
            PatientId = CanaryId,
            PatientName = "CANARY^PATIENT",
            StudyUid = TestStudies.Root + ".6.1",
            SeriesUid = TestStudies.Root + ".6.2",
            SopInstanceUid = TestStudies.Root + ".6.3",
        }).WriteAsync(stored);
        int devicePort = FreePort.Next();
        await using BackgroundTool viewer = await BackgroundTool.StartStorescpAsync("VIEWER", _temp.Sub("moved"), devicePort);
        await using (GatewayProcess gateway = await GatewayProcess.StartAsync(root, new Dictionary<string, string?>
        {
            ["Gateway:Upstreams:Pacs:AETitle"] = "PACS",
            ["Gateway:Upstreams:Pacs:Host"] = "127.0.0.1",
            ["Gateway:Upstreams:Pacs:Port"] = pacs.PortText,
            ["Gateway:Routing:QueryRetrieve"] = "Pacs",
            ["Gateway:Devices:VIEWER:Host"] = "127.0.0.1",
            ["Gateway:Devices:VIEWER:Port"] = devicePort.ToString(CultureInfo.InvariantCulture),
        }))
        {
            (await ExternalTool.RunAsync("storescu", [.. gateway.Vlan(), "+sd", "127.0.0.1", gateway.VlanPortText, stored])).EnsureSuccess();
            (await ExternalTool.RunAsync(
                "findscu", [.. gateway.Vlan(), "-S", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "-k", "PatientID=P2", "127.0.0.1", gateway.VlanPortText])).EnsureSuccess();
            (await ExternalTool.RunAsync(
                "findscu", [.. gateway.Vlan(), "-S", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "-k", "PatientID=P*", "127.0.0.1", gateway.VlanPortText])).EnsureSuccess();

            // Retrieves by Study Instance UID only: the patient comes from the instances that went through.
            (await ExternalTool.RunAsync(
                "getscu", [.. gateway.Vlan(), "-S", "-od", _temp.Sub("got"), "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + TestStudies.Study3, "127.0.0.1", gateway.VlanPortText])).EnsureSuccess();
            (await ExternalTool.RunAsync(
                "movescu", [.. gateway.Vlan(), "-S", "-aem", "VIEWER", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + TestStudies.Study2, "127.0.0.1", gateway.VlanPortText])).EnsureSuccess();
        }

        string audit = Path.Combine(root, "data", "audit");
        IReadOnlyList<(long Index, int EventId, string Line)> canary = await Gatewayctl.AuditSearchAsync(audit, "--patient-id", CanaryId);
        IReadOnlyList<(long Index, int EventId, string Line)> p2 = await Gatewayctl.AuditSearchAsync(audit, "--patient-id", "P2");
        IReadOnlyList<(long Index, int EventId, string Line)> p3 = await Gatewayctl.AuditSearchAsync(audit, "--patient-id", "P3");
        IReadOnlyList<(long Index, int EventId, string Line)> p1 = await Gatewayctl.AuditSearchAsync(audit, "--patient-id", "P1");
        IReadOnlyList<(long Index, int EventId, string Line)> queries = await Gatewayctl.AuditSearchAsync(audit, "--event", Query.ToString(CultureInfo.InvariantCulture));

        Assert.Equal([Import], canary.Select(r => r.EventId));
        Assert.Contains("patients=" + CanaryId, canary[0].Line, StringComparison.Ordinal);
        Assert.Equal([Query, Transferred], p2.Select(r => r.EventId));
        Assert.Equal([Transferred], p3.Select(r => r.EventId));
        Assert.Empty(p1);

        // The wildcard query names no single patient, so it carries none; the exact one carries P2.
        Assert.Equal(2, queries.Count);
        Assert.Single(queries, q => q.Line.Contains("patients=P2", StringComparison.Ordinal));
        Assert.Single(queries, q => !q.Line.Contains("patients=", StringComparison.Ordinal));

        // Encrypted at rest: the patient id is in no file in plaintext, operational logs included.
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            byte[] bytes = await File.ReadAllBytesAsync(file);
            Assert.False(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(CanaryId)) >= 0, $"{CanaryId} in plaintext (UTF-8) in {file}");
            Assert.False(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(CanaryId)) >= 0, $"{CanaryId} in plaintext (UTF-16) in {file}");
        }
    }
}
