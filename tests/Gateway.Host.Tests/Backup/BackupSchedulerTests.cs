using Gateway.Host.Backup;
using Gateway.Host.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Host.Tests.Backup;

/// <summary>
/// The schedule (<see cref="BackupScheduler"/>) in a running gateway with short intervals: the first snapshot comes one
/// interval after start, not before; scheduled drills run on their own interval; both are the gateway's own doing in the
/// audit log.
/// </summary>
public sealed class BackupSchedulerTests
{
    private const int Export = 110106;
    private const int ApplicationActivity = 110100;

    [Fact]
    public async Task ScheduledSnapshot_FiresOneIntervalAfterStart_NotBefore_AsTheGatewayItself()
    {
        await using BackupSite site = await BackupSite.StartAsync(new Dictionary<string, string?> { ["Gateway:Backup:SnapshotInterval"] = "00:00:03" });
        BackupScheduler scheduler = site.Gateway.Services.GetRequiredService<BackupScheduler>();
        await site.StoreStudyAsync(2);
        Assert.Empty(await site.Backups.ListSnapshotsAsync());

        DateTime end = DateTime.UtcNow.AddSeconds(30);
        while (scheduler.SnapshotsRun < 2 && DateTime.UtcNow < end)
        {
            await Task.Delay(200);
        }

        Assert.True(scheduler.SnapshotsRun >= 2, $"{scheduler.SnapshotsRun} scheduled snapshot(s) in 30 s at an interval of 3 s");
        IReadOnlyList<BackupSnapshotInfo> snapshots = await site.Backups.ListSnapshotsAsync();
        Assert.True(snapshots.Count >= 2);
        Assert.All(snapshots, s => Assert.True(s.Verified, s.Problem));
        Assert.NotNull(site.Backups.LastSnapshotAt);
        string logs = await GatewayLogs.WaitForAsync(site.Root, "Backup {Operation} completed", TimeSpan.FromSeconds(5));
        Assert.Contains("Scheduled backup {What} every {Interval}", logs, StringComparison.Ordinal);
        Assert.Contains("\"Interval\":\"00:00:03\"", logs, StringComparison.Ordinal);

        await site.StopAsync();
        IReadOnlyList<(long Index, int EventId, string Line)> exports = [.. (await Gatewayctl.AuditSearchAsync(site.AuditDirectory)).Where(r => r.EventId == Export)];
        Assert.True(exports.Count >= 2);
        Assert.All(exports, r => Assert.Contains(" outcome=0 users=GATEWAY@", r.Line, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, 0, 1)]
    [InlineData(10.5, 1, 2)]
    [InlineData(35, 1, 4)]
    [InlineData(35, 3, 4)]
    [InlineData(40, 3, 5)]
    public void NextSlot_AfterARunLongerThanItsInterval_SkipsTheMissedSlots_NeverRunsTwiceInOne(double secondsSinceStart, long previous, long expected)
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(expected, BackupScheduler.NextSlot(start, start.AddSeconds(secondsSinceStart), TimeSpan.FromSeconds(10), previous));
    }

    [Fact]
    public async Task ScheduledDrill_RunsTheLatestSnapshot_OnItsInterval_AndPasses()
    {
        await using BackupSite site = await BackupSite.StartAsync(new Dictionary<string, string?> { ["Gateway:Backup:DrillInterval"] = "00:00:02" });
        await site.StoreStudyAsync(2);
        Assert.Equal(BackupOperationStatus.Completed, (await site.Backups.SnapshotNowAsync("alice")).Status);

        DateTime end = DateTime.UtcNow.AddSeconds(60);
        while (site.Backups.LastDrill is null && DateTime.UtcNow < end)
        {
            await Task.Delay(200);
        }

        BackupDrillInfo drill = Assert.IsType<BackupDrillInfo>(site.Backups.LastDrill);
        Assert.True(drill.Passed, string.Join("\n", drill.Checks.Select(c => $"{c.Passed} {c.Name}: {c.Detail}")));
        Assert.Contains(await site.Backups.ListDrillsAsync(), d => d.Id == drill.Id);

        await site.StopAsync();
        Assert.Contains(await Gatewayctl.AuditSearchAsync(site.AuditDirectory), r => r.EventId == ApplicationActivity && r.Line.Contains(" outcome=0 users=GATEWAY@", StringComparison.Ordinal) && !r.Line.Contains("alice", StringComparison.Ordinal));
    }
}
