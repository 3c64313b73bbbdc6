using Gateway.Archive.Index;
using Gateway.Archive.Outbox;
using Gateway.Archive.Tests.Support;

namespace Gateway.Archive.Tests;

public sealed class ArchiveRetentionTests : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private readonly ArchiveHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task PurgeAsync_RemovesOnlyObjectsDeliveredEverywhereAndOldEnough()
    {
        using ArchiveStore store = _h.Open(o => o with { ObjectRetention = TimeSpan.FromDays(7), HistoryRetention = TimeSpan.FromDays(30) });
        var delivered = new TestInstance();
        var halfDelivered = new TestInstance();
        var recent = new TestInstance();
        var local = new TestInstance();
        await store.StoreAsync(delivered.Request("PACS"), delivered.Open(), CancellationToken.None);
        await store.StoreAsync(halfDelivered.Request("PACS", "AI"), halfDelivered.Open(), CancellationToken.None);
        await store.StoreAsync(local.Request(), local.Open(), CancellationToken.None);
        await DeliverAllAsync(store, "PACS");
        _h.Time.Advance(TimeSpan.FromDays(6));
        await store.StoreAsync(recent.Request("PACS"), recent.Open(), CancellationToken.None);
        await DeliverAllAsync(store, "PACS");
        _h.Time.Advance(TimeSpan.FromDays(2));

        ArchivePurgeResult result = await store.PurgeAsync(CancellationToken.None);

        Assert.Equal(1, result.ObjectsPurged);
        Assert.True(result.BytesFreed > 0);
        Assert.Null(await store.OpenDataSetAsync(delivered.SopUid, CancellationToken.None));
        Assert.NotNull(await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(halfDelivered.SopUid, CancellationToken.None)));
        Assert.NotNull(await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(recent.SopUid, CancellationToken.None)));
        Assert.NotNull(await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(local.SopUid, CancellationToken.None)));
        Assert.Equal(3, _h.ObjectFiles().Count);

        // The purged instance stays as history: index row (no key), delivered outbox row.
        ArchivedInstanceInfo? history = await store.GetInstanceAsync(delivered.SopUid, CancellationToken.None);
        Assert.NotNull(history);
        Assert.True(history.IsPurged);
        Assert.Null(_h.Query("SELECT wrapped_key FROM instances WHERE sop_instance_uid = $p0", delivered.SopUid));
        Assert.Contains(await DeliveredAsync(store), i => i.SopInstanceUid == delivered.SopUid);
        Assert.Empty(await store.FindStudiesAsync(new ArchiveStudyQuery { StudyInstanceUid = delivered.StudyUid }, CancellationToken.None));
        Assert.NotNull(await store.GetStudyAsync(delivered.StudyUid, CancellationToken.None));

        // After the history retention, the row, its outbox row and its now empty series and study go too.
        _h.Time.Advance(TimeSpan.FromDays(31));
        ArchivePurgeResult later = await store.PurgeAsync(CancellationToken.None);
        Assert.Equal(1, later.ObjectsPurged); // recent
        Assert.Equal(1, later.InstancesForgotten);
        Assert.Equal(1, later.OutboxRowsRemoved);
        Assert.Null(await store.GetInstanceAsync(delivered.SopUid, CancellationToken.None));
        Assert.Null(await store.GetStudyAsync(delivered.StudyUid, CancellationToken.None));
    }

    [Fact]
    public async Task PurgeAsync_DeadLetteredItem_KeepsTheObject()
    {
        using ArchiveStore store = _h.Open(o => o with { ObjectRetention = TimeSpan.Zero });
        var instance = new TestInstance();
        await store.StoreAsync(instance.Request("PACS"), instance.Open(), CancellationToken.None);
        OutboxLease lease = (await store.Outbox.LeaseAsync("PACS", Lease, CancellationToken.None))!;
        await store.Outbox.DeadLetterAsync(lease, "refused", CancellationToken.None);
        _h.Time.Advance(TimeSpan.FromDays(100));

        Assert.Equal(0, (await store.PurgeAsync(CancellationToken.None)).ObjectsPurged);
        Assert.Single(_h.ObjectFiles());
    }

    [Fact]
    public async Task PurgeAsync_UnforwardedInstances_OnlyWhenConfigured()
    {
        var instance = new TestInstance();
        using (ArchiveStore store = _h.Open(o => o with { ObjectRetention = TimeSpan.FromDays(1) }))
        {
            await store.StoreAsync(instance.Request(), instance.Open(), CancellationToken.None);
            _h.Time.Advance(TimeSpan.FromDays(2));
            Assert.Equal(0, (await store.PurgeAsync(CancellationToken.None)).ObjectsPurged);
        }

        using ArchiveStore purging = _h.Open(o => o with { ObjectRetention = TimeSpan.FromDays(1), PurgeUnforwarded = true });
        Assert.Equal(1, (await purging.PurgeAsync(CancellationToken.None)).ObjectsPurged);
        Assert.Empty(_h.ObjectFiles());
    }

    [Fact]
    public async Task StoreAsync_SameBytesAfterPurge_ArchivesTheObjectAgainUnderTheOldRow()
    {
        using ArchiveStore store = _h.Open(o => o with { ObjectRetention = TimeSpan.Zero });
        var instance = new TestInstance();
        ArchiveStoreResult first = await store.StoreAsync(instance.Request("PACS"), instance.Open(), CancellationToken.None);
        await DeliverAllAsync(store, "PACS");
        _h.Time.Advance(TimeSpan.FromSeconds(1));
        await store.PurgeAsync(CancellationToken.None);

        ArchiveStoreResult again = await store.StoreAsync(instance.Request("PACS", "AI"), instance.Open(), CancellationToken.None);

        Assert.Equal(ArchiveStoreOutcome.Duplicate, again.Outcome);
        Assert.Equal(first.InstanceId, again.InstanceId);
        Assert.Equal(["AI"], again.QueuedDestinations);
        Assert.Equal(instance.ToArray(), await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(instance.SopUid, CancellationToken.None)));
    }

    [Fact]
    public async Task Open_AfterPurgeCommittedButBeforeTheFileWasDeleted_RemovesTheFile()
    {
        var instance = new TestInstance();
        string file;
        using (ArchiveStore store = _h.Open(o => o with { ObjectRetention = TimeSpan.Zero }))
        {
            await store.StoreAsync(instance.Request("PACS"), instance.Open(), CancellationToken.None);
            await DeliverAllAsync(store, "PACS");
            file = _h.ObjectFileOf(instance.SopUid);
            byte[] copy = File.ReadAllBytes(file);
            _h.Time.Advance(TimeSpan.FromSeconds(1));
            await store.PurgeAsync(CancellationToken.None);
            File.WriteAllBytes(file, copy);
        }

        using ArchiveStore reopened = _h.Open();

        Assert.Equal(1, reopened.OpenReport.OrphanObjectsRemoved);
        Assert.False(File.Exists(file));
    }

    private static Task<IReadOnlyList<OutboxItem>> DeliveredAsync(ArchiveStore store) =>
        store.Outbox.ListAsync(new OutboxQuery { States = [OutboxState.Delivered] }, CancellationToken.None);

    private static async Task DeliverAllAsync(ArchiveStore store, string destination)
    {
        while (await store.Outbox.LeaseAsync(destination, Lease, CancellationToken.None) is { } lease)
        {
            await store.Outbox.MarkDeliveredAsync(lease, CancellationToken.None);
        }
    }
}
