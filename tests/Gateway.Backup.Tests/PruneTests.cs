using Gateway.Backup.Tests.Support;

namespace Gateway.Backup.Tests;

public sealed class PruneTests
{
    [Fact]
    public async Task Prune_BeforeRetention_IsRefusedAndDeletesNothing()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(2);
        SnapshotResult s = await h.SnapshotAsync(retention: TimeSpan.FromDays(3));
        BackupRepository repo = h.Repository();

        Assert.Throws<RetentionException>(() => repo.Prune(h.Verifier(), DateTimeOffset.UtcNow.AddDays(2), s.Manifest.Id));
        PruneResult all = repo.Prune(h.Verifier(), DateTimeOffset.UtcNow.AddDays(2), null);

        Assert.Empty(all.DeletedSnapshots);
        Assert.Equal([s.Manifest.Id], repo.ListSnapshots());
    }

    [Fact]
    public async Task Prune_AfterRetention_DeletesSnapshotAndOnlyBlobsNoOtherSnapshotNames()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(3);
        SnapshotResult older = await h.SnapshotAsync(retention: TimeSpan.FromDays(1));
        SnapshotResult newer = await h.SnapshotAsync(retention: TimeSpan.FromDays(30));
        BackupRepository repo = h.Repository();

        PruneResult result = repo.Prune(h.Verifier(), DateTimeOffset.UtcNow.AddDays(2), null);

        Assert.Equal([older.Manifest.Id], result.DeletedSnapshots);
        Assert.Equal([newer.Manifest.Id], repo.ListSnapshots());
        Assert.All(newer.Manifest.Files, f => Assert.True(repo.HasBlob(f.Sha256, f.Size)));
    }
}
