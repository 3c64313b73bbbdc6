using System.Diagnostics.Metrics;
using Gateway.Host.Archive;
using Gateway.Host.Backup;
using Gateway.Host.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using ArchiveTestInstance = Gateway.Archive.Tests.Support.TestInstance;

namespace Gateway.Host.Tests.Backup;

/// <summary>
/// Backups inside the running gateway (<see cref="GatewayBackups"/>): snapshots taken while the gateway holds its audit
/// log, listed with their signed retention; drills; a purged study brought back into the live archive; one operation at
/// a time; archive verification of the live store; every action audited with the requesting user.
/// </summary>
public sealed class GatewayBackupsTests
{
    private const int Export = 110106;
    private const int Import = 110107;
    private const int ApplicationActivity = 110100;
    private const int SecurityAlert = 110113;

    [Fact]
    public async Task SnapshotNow_WhileTheGatewayHoldsTheAuditLog_IsListedWithItsRetention_AndAuditedWithTheRequester()
    {
        await using BackupSite site = await BackupSite.StartAsync(new Dictionary<string, string?> { ["Gateway:Backup:Retention"] = "10.00:00:00" });
        await site.StoreStudyAsync(3);

        // The running gateway holds the audit log: the offline command cannot record a snapshot beside it.
        (int offline, string offlineOutput) = await Gatewayctl.RunAsync("backup", "snapshot", "--data", Path.Combine(site.Root, "data"), "--repo", site.Repository);
        Assert.True(offline == 5, offlineOutput);

        BackupOperationResult<BackupSnapshotResult> result = await site.Backups.SnapshotNowAsync("alice");

        Assert.True(result.Status == BackupOperationStatus.Completed, result.Message);
        BackupSnapshotInfo taken = result.Value!.Snapshot;
        Assert.True(taken.Verified, taken.Problem);
        Assert.True(taken.KeyPinned);
        Assert.Matches("^[0-9a-f]{8}$", taken.SignedByKeyId);
        Assert.Equal(taken.CreatedUtc + TimeSpan.FromDays(10), taken.RetainUntilUtc);

        // The index, three objects, the audit log's segments and checkpoints, its public key and the policy.
        Assert.True(taken.FileCount >= 6, $"{taken.FileCount} files");
        Assert.Equal(taken.FileCount, result.Value.FilesRead);
        string manifest = Path.Combine(site.Repository, "snapshots", taken.Id, "manifest.json");
        Assert.Equal(ImmutableTree.IsImmutable(manifest), taken.Immutable);

        IReadOnlyList<BackupSnapshotInfo> listed = await site.Backups.ListSnapshotsAsync();
        BackupSnapshotInfo only = Assert.Single(listed);
        Assert.Equal(taken with { Age = only.Age }, only);
        Assert.InRange(only.Age, TimeSpan.Zero, TimeSpan.FromMinutes(5));

        // The gateway goes on recording after the snapshot's record went through its own log.
        await site.StoreStudyAsync(1);
        await site.StopAsync();
        IReadOnlyList<(long Index, int EventId, string Line)> records = await Gatewayctl.AuditSearchAsync(site.AuditDirectory);
        (long _, int _, string line) = Assert.Single(records, r => r.EventId == Export);
        Assert.Contains(" outcome=0 users=alice,GATEWAY@", line, StringComparison.Ordinal);
        Assert.Contains("," + site.Repository, line, StringComparison.Ordinal);
        (int verified, string verifyOutput) = await Gatewayctl.RunAsync("audit", "verify", "--dir", site.AuditDirectory);
        Assert.True(verified == 0, verifyOutput);
    }

    [Fact]
    public async Task RunDrill_RestoresIntoScratch_SamplesEveryStudy_ReportsRtoAndRpo_IsListed_AndSetsTheMetrics()
    {
        await using BackupSite site = await BackupSite.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Backup:RtoTarget"] = "00:10:00",
            ["Gateway:Backup:RpoTarget"] = "02:00:00",
        });
        await site.StoreStudyAsync(2);
        await site.StoreStudyAsync(3);
        Assert.Equal(BackupOperationStatus.Completed, (await site.Backups.SnapshotNowAsync("alice")).Status);
        string[] liveFiles = [.. Directory.EnumerateFiles(Path.Combine(site.Root, "data", "archive"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

        BackupOperationResult<BackupDrillInfo> result = await site.Backups.RunDrillAsync("bob");

        Assert.True(result.Status == BackupOperationStatus.Completed, result.Message);
        BackupDrillInfo drill = result.Value!;
        Assert.True(drill.Passed, string.Join("\n", drill.Checks.Select(c => $"{c.Passed} {c.Name}: {c.Detail}")));
        Assert.Equal(2, drill.StudiesSampled);
        Assert.Equal(2, drill.StudiesOk);
        Assert.Equal(TimeSpan.FromMinutes(10), drill.RtoTarget);
        Assert.Equal(TimeSpan.FromHours(2), drill.RpoTarget);
        Assert.InRange(drill.Rto, TimeSpan.FromTicks(1), TimeSpan.FromMinutes(10));
        Assert.InRange(drill.Rpo, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        Assert.Contains("passed", result.Message, StringComparison.Ordinal);

        // Restored into scratch and removed; the live archive untouched.
        Assert.Empty(Directory.EnumerateFileSystemEntries(site.Scratch));
        string[] afterDrill = [.. Directory.EnumerateFiles(Path.Combine(site.Root, "data", "archive"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
        Assert.Equal(liveFiles, afterDrill);

        BackupDrillInfo listed = Assert.Single(await site.Backups.ListDrillsAsync());
        Assert.Null(listed.Problem);
        Assert.Equal(drill.Id, listed.Id);
        Assert.InRange(listed.Rto - drill.Rto, TimeSpan.FromMilliseconds(-1), TimeSpan.FromMilliseconds(1));
        Assert.True(listed.Passed);

        IReadOnlyDictionary<string, double> metrics = Observe(site.Gateway);
        Assert.Equal(1, metrics["gateway.backup.drill.passed"]);
        Assert.Equal(drill.Rto.TotalSeconds, metrics["gateway.backup.drill.rto"], 6);
        Assert.InRange(metrics["gateway.backup.snapshot.age"], 0, 300);

        await site.StopAsync();
        (long _, int _, string line) = Assert.Single(await Gatewayctl.AuditSearchAsync(site.AuditDirectory), r => r.EventId == ApplicationActivity && r.Line.Contains("users=bob,", StringComparison.Ordinal));
        Assert.Contains(" outcome=0 ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RestoreStudy_APurgedStudy_IsBackInTheRunningArchive_ByteForByte_OtherStudiesStayPurged()
    {
        await using BackupSite site = await BackupSite.StartAsync(new Dictionary<string, string?>
        {
            // Retention purges on demand here (RunOnceAsync): everything, at once.
            ["Gateway:Retention:Enabled"] = "false",
            ["Gateway:Retention:PurgeUnforwarded"] = "true",
            ["Gateway:Retention:KeepForwardedFor"] = "00:00:00",
        });
        IReadOnlyList<ArchiveTestInstance> wanted = await site.StoreStudyAsync(3);
        IReadOnlyList<ArchiveTestInstance> other = await site.StoreStudyAsync(2);
        BackupOperationResult<BackupSnapshotResult> snapshot = await site.Backups.SnapshotNowAsync("alice");
        Assert.Equal(BackupOperationStatus.Completed, snapshot.Status);
        await Task.Delay(TimeSpan.FromMilliseconds(20));
        Gateway.Archive.ArchivePurgeResult purged = await site.Gateway.Services.GetRequiredService<RetentionService>().RunOnceAsync(CancellationToken.None);
        Assert.Equal(5, purged.ObjectsPurged);
        Assert.Null(await site.ReadAsync(wanted[0].SopUid));

        BackupOperationResult<BackupStudyRestoreResult> result = await site.Backups.RestoreStudyAsync(wanted[0].StudyUid, null, "carol");

        Assert.True(result.Status == BackupOperationStatus.Completed, result.Message);
        Assert.Equal(snapshot.Value!.Snapshot.Id, result.Value!.SnapshotId);
        Assert.Equal((3, 3, 0, 0), (result.Value.Instances, result.Value.Restored, result.Value.AlreadyPresent, result.Value.Conflicts));
        foreach (ArchiveTestInstance instance in wanted)
        {
            Assert.Equal(instance.ToArray(), await site.ReadAsync(instance.SopUid));
        }

        foreach (ArchiveTestInstance instance in other)
        {
            Assert.Null(await site.ReadAsync(instance.SopUid));
        }

        BackupOperationResult<BackupStudyRestoreResult> again = await site.Backups.RestoreStudyAsync(wanted[0].StudyUid, snapshot.Value.Snapshot.Id, "carol");
        Assert.Equal((3, 0, 3), (again.Value!.Instances, again.Value.Restored, again.Value.AlreadyPresent));

        // Not a UID, or not in the snapshot: refused with a reason, the archive unchanged.
        BackupOperationResult<BackupStudyRestoreResult> bad = await site.Backups.RestoreStudyAsync("1.2.3.4; DROP", null, "carol");
        Assert.Equal(BackupOperationStatus.Failed, bad.Status);
        Assert.Contains("not a Study Instance UID", bad.Message, StringComparison.Ordinal);
        BackupOperationResult<BackupStudyRestoreResult> absent = await site.Backups.RestoreStudyAsync("1.2.3.4", null, "carol");
        Assert.Equal(BackupOperationStatus.Failed, absent.Status);
        Assert.Contains("holds no object of study 1.2.3.4", absent.Message, StringComparison.Ordinal);

        await site.StopAsync();
        IReadOnlyList<(long Index, int EventId, string Line)> imports = [.. (await Gatewayctl.AuditSearchAsync(site.AuditDirectory)).Where(r => r.Line.Contains("users=carol,", StringComparison.Ordinal))];
        Assert.Equal(2, imports.Count(r => r.EventId == Import && r.Line.Contains(" outcome=0 ", StringComparison.Ordinal)));

        // The failed restore of a study the snapshot lacks is recorded as a failure (outcome 8), by carol.
        Assert.Single(imports, r => r.EventId == Import && r.Line.Contains(" outcome=8 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SnapshotNow_WhileAnotherOperationRuns_IsRefusedAtOnceWithAClearMessage_NotQueued()
    {
        await using BackupSite site = await BackupSite.StartAsync();
        await site.StoreStudyAsync(20);

        Task<BackupOperationResult<BackupSnapshotResult>> first = site.Backups.SnapshotNowAsync("alice");
        BackupOperationResult<BackupSnapshotResult> second = await site.Backups.SnapshotNowAsync("bob");

        Assert.Equal(BackupOperationStatus.Busy, second.Status);
        Assert.StartsWith("a backup operation is running (snapshot requested by alice at ", second.Message, StringComparison.Ordinal);
        Assert.Null(second.Value);
        Assert.Equal(BackupOperationStatus.Completed, (await first).Status);

        // The gate is free again afterwards.
        Assert.Equal(BackupOperationStatus.Completed, (await site.Backups.SnapshotNowAsync("bob")).Status);
        Assert.Equal(2, (await site.Backups.ListSnapshotsAsync()).Count);
    }

    [Fact]
    public async Task VerifyArchive_OnTheRunningStore_FindsAnAlteredObject_AndRaisesASecurityAlertByTheRequester()
    {
        await using BackupSite site = await BackupSite.StartAsync();
        await site.StoreStudyAsync(3);
        Assert.Null(site.Backups.LastArchiveVerification);

        BackupOperationResult<BackupArchiveVerification> clean = await site.Backups.VerifyArchiveAsync("dave");
        Assert.True(clean.Status == BackupOperationStatus.Completed, clean.Message);
        Assert.True(clean.Value!.IsValid);
        Assert.Equal(3, clean.Value.ObjectsChecked);

        string victim = Directory.GetFiles(Path.Combine(site.Root, "data", "archive", "objects"), "*.obj", SearchOption.AllDirectories)[0];
        await using (var file = new FileStream(victim, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = file.Length - 10;
            int b = file.ReadByte();
            file.Position = file.Length - 10;
            file.WriteByte((byte)(b ^ 0xFF));
        }

        BackupOperationResult<BackupArchiveVerification> damaged = await site.Backups.VerifyArchiveAsync("dave");

        Assert.Equal(BackupOperationStatus.Completed, damaged.Status);
        Assert.Equal(Path.GetFileNameWithoutExtension(victim), Assert.Single(damaged.Value!.Damaged).ObjectName);
        Assert.Same(damaged.Value, site.Backups.LastArchiveVerification);
        Assert.Contains("1 damaged", damaged.Message, StringComparison.Ordinal);

        await site.StopAsync();
        IReadOnlyList<(long Index, int EventId, string Line)> records = await Gatewayctl.AuditSearchAsync(site.AuditDirectory);
        Assert.Single(records, r => r.EventId == SecurityAlert && r.Line.Contains("users=dave,", StringComparison.Ordinal));
        Assert.Equal(2, records.Count(r => r.EventId == ApplicationActivity && r.Line.Contains("users=dave,", StringComparison.Ordinal)));
    }

    // The backup gauges of this gateway's meter (other gateways of the test run have their own).
    private static Dictionary<string, double> Observe(GatewayProcess gateway)
    {
        object scope = gateway.Services.GetRequiredService<IMeterFactory>();
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == GatewayApplication.MeterName && ReferenceEquals(instrument.Meter.Scope, scope) && instrument.Name.StartsWith("gateway.backup.", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => values[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }
}
