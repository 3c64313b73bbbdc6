using System.Security.Cryptography;
using Gateway.Archive;
using Gateway.Archive.Outbox;
using Gateway.Archive.Tests.Support;
using Gateway.Backup.Tests.Support;

namespace Gateway.Backup.Tests;

public sealed class BackupCommandsTests
{
    [Fact]
    public async Task Snapshot_List_Restore_ArchiveVerify_ThroughGatewayctl()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(6);
        await h.Audit!.DisposeAsync();
        string repo = h.RepositoryDirectory;

        (int code, string output, _) = await RunAsync("backup", "snapshot", "--data", h.DataDirectory, "--repo", repo, "--policy", h.PolicyDirectory, "--retention-days", "7");
        Assert.Equal(0, code);
        Assert.Contains("snapshot 2", output, StringComparison.Ordinal);

        (code, output, _) = await RunAsync("backup", "list", "--repo", repo, "--data", h.DataDirectory);
        Assert.Equal(0, code);
        Assert.Contains("signed", output, StringComparison.Ordinal);

        string victim = h.ObjectFiles()[2];
        File.WriteAllBytes(victim, RandomNumberGenerator.GetBytes((int)new FileInfo(victim).Length));
        (code, output, _) = await RunAsync("archive", "verify", "--data", h.DataDirectory);
        Assert.Equal(4, code);
        Assert.Contains("DAMAGED " + Path.GetFileNameWithoutExtension(victim), output, StringComparison.Ordinal);
        Assert.Contains("security alert recorded", output, StringComparison.Ordinal);

        string target = h.Scratch("restored");
        (code, output, _) = await RunAsync("backup", "restore", "--repo", repo, "--to", target, "--key-dir", h.KeyDirectory, "--data", h.DataDirectory);
        Assert.Equal(0, code);
        Assert.Contains("6 object(s)", output, StringComparison.Ordinal);

        (code, _, string error) = await RunAsync("backup", "restore", "--repo", repo, "--to", target, "--key-dir", h.KeyDirectory, "--data", h.DataDirectory);
        Assert.Equal(2, code);
        Assert.StartsWith("error: restore target", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_Drill_DrillReport_RestoreStudy_ThroughGatewayctl()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(4, studies: 2);
        SnapshotResult s = await h.SnapshotAsync();
        await h.Audit!.DisposeAsync();
        string repo = h.RepositoryDirectory;

        (int code, string output, _) = await RunAsync("backup", "show", s.Manifest.Id, "--repo", repo, "--data", h.DataDirectory, "--files");
        Assert.Equal(0, code);
        Assert.Contains("signature and Merkle root verified", output, StringComparison.Ordinal);
        Assert.Contains(s.Manifest.MerkleRoot, output, StringComparison.Ordinal);

        Directory.CreateDirectory(h.Scratch("scratch"));
        (code, output, _) = await RunAsync("backup", "drill", "--data", h.DataDirectory, "--repo", repo, "--scratch", h.Scratch("scratch"), "--sample", "2");
        Assert.Equal(0, code);
        Assert.Contains("PASSED", output, StringComparison.Ordinal);

        (code, output, _) = await RunAsync("backup", "drill", "--data", h.DataDirectory, "--repo", repo, "--report");
        Assert.Equal(0, code);
        Assert.Contains(s.Manifest.Id, output, StringComparison.Ordinal);
        Assert.Contains("passed", output, StringComparison.Ordinal);

        (code, output, _) = await RunAsync("backup", "restore", "--repo", repo, "--data", h.DataDirectory, "--study", h.Instances[0].StudyUid);
        Assert.Equal(0, code);
        Assert.Contains("2 instance(s) verified; 0 stored, 2 already present", output, StringComparison.Ordinal);

        (code, _, string error) = await RunAsync("backup", "restore", "--repo", repo, "--data", h.DataDirectory);
        Assert.Equal(1, code);
        Assert.Contains("exactly one of --to DIR and --study UID", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prune_OfRetainedSnapshot_ExitsSixAndIsASecurityAlert()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(1);
        SnapshotResult s = await h.SnapshotAsync();
        await h.Audit!.DisposeAsync();

        (int code, _, string error) = await RunAsync("backup", "prune", "--repo", h.RepositoryDirectory, "--data", h.DataDirectory, "--id", s.Manifest.Id);

        Assert.Equal(6, code);
        Assert.Contains("retained until", error, StringComparison.Ordinal);
        Assert.Contains(s.Manifest.Id, Assert.Single(await AuditAsync(h, "110113")), StringComparison.Ordinal);
        Assert.Empty(await AuditAsync(h, "110100", "backup-prune"));
    }

    [Fact]
    public async Task Prune_PastRetention_DeletesAndRecordsEverySnapshotItDeleted()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(1);
        SnapshotResult old = await h.SnapshotAsync(new ShiftedTime(TimeSpan.FromDays(-3)), TimeSpan.FromDays(1));
        SnapshotResult kept = await h.SnapshotAsync();
        await h.Audit!.DisposeAsync();

        (int code, string output, string error) = await RunAsync("backup", "prune", "--repo", h.RepositoryDirectory, "--data", h.DataDirectory);

        Assert.True(code == 0, error);
        Assert.Contains("pruned 1 snapshot(s) " + old.Manifest.Id, output, StringComparison.Ordinal);
        string record = Assert.Single(await AuditAsync(h, "110100", "backup-prune"));
        Assert.Contains(old.Manifest.Id, record, StringComparison.Ordinal);
        Assert.DoesNotContain(kept.Manifest.Id, record, StringComparison.Ordinal);
        Assert.Equal([kept.Manifest.Id], h.Repository().ListSnapshots());
    }

    // The decrypted records of one event id (and containing a text, when given) in the harness's audit log.
    private static async Task<string[]> AuditAsync(BackupHarness h, string eventId, string? containing = null)
    {
        (int code, string output, string error) = await RunAsync("audit", "search", "--dir", Path.Combine(h.DataDirectory, "audit"), "--event", eventId, "--format", "jsonl");
        Assert.True(code == 0, error);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => containing is null || l.Contains(containing, StringComparison.Ordinal))];
    }

    private sealed class ShiftedTime(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow + offset;
    }

    [Fact]
    public async Task ArchiveRebuildIndex_ThroughGatewayctl_RefusesAnExistingIndex_RebuildsALostOne_ReportsDamage()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(5);
        await h.Audit!.DisposeAsync();
        string index = Path.Combine(h.DataDirectory, "archive", "index.db");

        (int code, _, string error) = await RunAsync("archive", "rebuild-index", "--data", h.DataDirectory);
        Assert.Equal(2, code);
        Assert.Contains("--force", error, StringComparison.Ordinal);

        foreach (string suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            File.Delete(index + suffix);
        }

        string victim = h.ObjectFiles()[1];
        File.WriteAllBytes(victim, RandomNumberGenerator.GetBytes((int)new FileInfo(victim).Length));
        (code, string output, _) = await RunAsync("archive", "rebuild-index", "--data", h.DataDirectory);

        Assert.Equal(4, code);
        Assert.Contains("NOT INDEXED " + Path.GetFileNameWithoutExtension(victim), output, StringComparison.Ordinal);
        Assert.Contains("from 5 object(s)", output, StringComparison.Ordinal);
        Assert.Contains("4 instance(s)", output, StringComparison.Ordinal);
        Assert.True(File.Exists(index));
        (code, output, _) = await RunAsync("audit", "search", "--dir", Path.Combine(h.DataDirectory, "audit"), "--event", "ApplicationActivity", "--format", "jsonl");
        Assert.Equal(0, code);
        Assert.Contains("archive-rebuild-index", output, StringComparison.Ordinal);

        await using (ArchiveStore store = ArchiveStore.Open(h.ArchiveOptions()))
        {
            int readable = 0;
            foreach (TestInstance i in h.Instances)
            {
                if (await store.GetInstanceAsync(i.SopUid, CancellationToken.None) is not null)
                {
                    Assert.Equal(i.ToArray(), await BackupHarness.ReadAllAsync(await store.OpenDataSetAsync(i.SopUid, CancellationToken.None)));
                    readable++;
                }
            }

            Assert.Equal(4, readable);
        }

        // The damaged object was set aside (archive/unindexed/), not left for the next open to delete as an orphan.
        Assert.True(File.Exists(Path.Combine(h.DataDirectory, "archive", "unindexed", Path.GetFileName(victim))));
        (code, output, _) = await RunAsync("archive", "rebuild-index", "--data", h.DataDirectory, "--force");
        Assert.Equal(0, code);
        Assert.Contains("from 4 object(s)", output, StringComparison.Ordinal);
        Assert.Contains("the outbox is empty", output, StringComparison.Ordinal);
        await using (ArchiveStore store = ArchiveStore.Open(h.ArchiveOptions()))
        {
            Assert.Empty(await store.Outbox.GetCountsAsync(CancellationToken.None));
        }

        // An incident responder who knows the PACS lost what it had asks for everything to be sent again.
        (code, _, error) = await RunAsync("archive", "rebuild-index", "--data", h.DataDirectory, "--force", "--requeue", "NOT\\AN-AE");
        Assert.Equal(2, code);
        Assert.Contains("--requeue", error, StringComparison.Ordinal);
        (code, output, _) = await RunAsync("archive", "rebuild-index", "--data", h.DataDirectory, "--force", "--requeue", "PACS", "--requeue", "ARCHIVE2", "--requeue", "PACS");
        Assert.Equal(0, code);
        Assert.Contains("8 outbox item(s) queued for PACS, ARCHIVE2", output, StringComparison.Ordinal);
        await using (ArchiveStore store = ArchiveStore.Open(h.ArchiveOptions()))
        {
            IReadOnlyList<OutboxCounts> counts = await store.Outbox.GetCountsAsync(CancellationToken.None);
            Assert.Equal(["ARCHIVE2", "PACS"], counts.Select(c => c.Destination).Order(StringComparer.Ordinal));
            Assert.All(counts, c => Assert.Equal(4, c.Pending));
        }
    }

    [Fact]
    public async Task Snapshot_WhileTheAuditLogIsHeld_ExitsFive()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(1);

        (int code, _, string error) = await RunAsync("backup", "snapshot", "--data", h.DataDirectory, "--repo", h.RepositoryDirectory);

        Assert.Equal(5, code);
        Assert.Contains("in use", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = await Gateway.Cli.Program.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
