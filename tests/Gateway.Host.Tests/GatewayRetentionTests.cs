using System.Globalization;
using Gateway.Archive;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Host.Tests;

/// <summary>
/// Scheduled retention in the running gateway with a short retention: what every destination received leaves the local
/// archive and each purge is a DICOM Study Deleted record (with its study and patient) in the audit log; what is not yet
/// delivered everywhere stays, however long it waits.
/// </summary>
public sealed class GatewayRetentionTests : IDisposable
{
    private const int StudyDeleted = 110105;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ShortRetention_ForwardedInstancesArePurged_EachStudyDeletedIsAudited_NoPatientIdInTheLogs()
    {
        int pacsPort = FreePort.Next();
        await using BackgroundTool pacs = await BackgroundTool.StartStorescpAsync("PACS", _temp.Sub("pacs"), pacsPort);
        string root = _temp.Sub("gateway");
        await using (GatewayProcess gateway = await StartAndStoreAsync(root, Settings(pacsPort)))
        {
            ArchiveStore archive = gateway.Services.GetRequiredService<ArchiveStore>();

            // Delivered to the PACS, then purged by the retention that runs every second.
            DateTime end = DateTime.UtcNow.AddSeconds(30);
            while (await CountArchivedAsync(archive) > 0 && DateTime.UtcNow < end)
            {
                await Task.Delay(250);
            }

            Assert.Equal(0, await CountArchivedAsync(archive));

            // The pass that purged them finishes (and logs its counts) before the gateway stops.
            await GatewayLogs.WaitForAsync(root, "Retention purged", TimeSpan.FromSeconds(15));
        }

        Assert.Empty(Directory.EnumerateFiles(Path.Combine(root, "data", "archive", "objects"), "*.obj", SearchOption.AllDirectories));
        Assert.Equal(TestStudies.All.Count, Directory.GetFiles(_temp.Sub("pacs")).Length);

        // One Study Deleted record per study and pass (a study purged in two passes has two), each naming its patient.
        string audit = Path.Combine(root, "data", "audit");
        IReadOnlyList<(long Index, int EventId, string Line)> deleted = [.. (await Gatewayctl.AuditSearchAsync(audit)).Where(r => r.EventId == StudyDeleted)];
        Assert.InRange(deleted.Count, 3, TestStudies.All.Count);
        Assert.All(deleted, r => Assert.Contains(" D outcome=0 users=GATEWAY patients=", r.Line, StringComparison.Ordinal));
        foreach ((string patient, int imports) in new[] { ("P1", 5), ("P2", 2), ("P3", 1) })
        {
            IReadOnlyList<(long Index, int EventId, string Line)> forPatient = await Gatewayctl.AuditSearchAsync(audit, "--patient-id", patient);
            Assert.Contains(forPatient, r => r.EventId == StudyDeleted);
            Assert.Equal(imports, forPatient.Count(r => r.EventId == 110107));
        }

        (int verified, string verifyOutput) = await Gatewayctl.RunAsync("audit", "verify", "--dir", audit);
        Assert.True(verified == 0, verifyOutput);
        string logs = await GatewayLogs.ReadAsync(root);
        Assert.True(logs.Contains("Retention purged", StringComparison.Ordinal), logs);
        Assert.DoesNotContain("Doe^John", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShortRetention_InstancesNotYetDeliveredEverywhere_StayAndNothingIsAuditedAsDeleted()
    {
        int pacsPort = FreePort.Next();
        await using BackgroundTool pacs = await BackgroundTool.StartStorescpAsync("PACS", _temp.Sub("pacs"), pacsPort);
        string root = _temp.Sub("gateway");
        Dictionary<string, string?> settings = Settings(pacsPort);

        // A second destination that never answers: everything stays pending for it.
        settings["Gateway:Upstreams:Ai:AETitle"] = "AI";
        settings["Gateway:Upstreams:Ai:Host"] = "127.0.0.1";
        settings["Gateway:Upstreams:Ai:Port"] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        settings["Gateway:Upstreams:Ai:Tls"] = "false";
        settings["Gateway:Upstreams:Ai:TimeoutSeconds"] = "2";
        settings["Gateway:Routing:ForwardTo:1"] = "Ai";
        await using (GatewayProcess gateway = await StartAndStoreAsync(root, settings))
        {
            ArchiveStore archive = gateway.Services.GetRequiredService<ArchiveStore>();
            var retention = gateway.Services.GetRequiredService<Gateway.Host.Archive.RetentionService>();

            // Delivered to the PACS, well past the retention, with retention running every second (and once more here).
            DateTime end = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < end && Directory.GetFiles(_temp.Sub("pacs")).Length < TestStudies.All.Count)
            {
                await Task.Delay(250);
            }

            Assert.Equal(TestStudies.All.Count, Directory.GetFiles(_temp.Sub("pacs")).Length);
            await Task.Delay(TimeSpan.FromSeconds(3));
            ArchivePurgeResult result = await retention.RunOnceAsync(CancellationToken.None);

            Assert.Equal(0, result.ObjectsPurged);
            Assert.Equal(TestStudies.All.Count, await CountArchivedAsync(archive));
        }

        IReadOnlyList<(long Index, int EventId, string Line)> records = await Gatewayctl.AuditSearchAsync(Path.Combine(root, "data", "audit"));
        Assert.DoesNotContain(records, r => r.EventId == StudyDeleted);
        Assert.Equal(TestStudies.All.Count, records.Count(r => r.EventId == 110107));
    }

    // The gateway in root with the settings, after a device stored the test studies through it.
    private async Task<GatewayProcess> StartAndStoreAsync(string root, Dictionary<string, string?> settings)
    {
        string source = _temp.Sub("source");
        await TestStudies.WriteAllAsync(source);
        GatewayProcess gateway = await GatewayProcess.StartAsync(root, settings);
        ToolResult store = await ExternalTool.RunAsync("storescu", [.. gateway.Vlan(), "+sd", "127.0.0.1", gateway.VlanPortText, source]);
        if (store.ExitCode != 0)
        {
            await gateway.DisposeAsync();
            store.EnsureSuccess();
        }

        return gateway;
    }

    // How many of the test instances are still readable from the archive.
    private static async Task<int> CountArchivedAsync(ArchiveStore archive)
    {
        int count = 0;
        foreach (Gateway.Dicom.Network.Interop.Tests.Support.TestInstance instance in TestStudies.All)
        {
            ArchivedInstance? stored = await archive.OpenDataSetAsync(instance.SopInstanceUid, CancellationToken.None);
            if (stored is not null)
            {
                count++;
                await stored.DisposeAsync();
            }
        }

        return count;
    }

    private static Dictionary<string, string?> Settings(int pacsPort) => new()
    {
        ["Gateway:Upstreams:Pacs:AETitle"] = "PACS",
        ["Gateway:Upstreams:Pacs:Host"] = "127.0.0.1",
        ["Gateway:Upstreams:Pacs:Port"] = pacsPort.ToString(CultureInfo.InvariantCulture),
        ["Gateway:Upstreams:Pacs:Tls"] = "false",
        ["Gateway:Routing:ForwardTo:0"] = "Pacs",
        ["Gateway:Retention:KeepForwardedFor"] = "00:00:01",
        ["Gateway:Retention:Interval"] = "00:00:01",
    };
}
