using Gateway.Archive.Tests.Support;

namespace Gateway.Archive.Tests;

/// <summary>Retention with a callback before each batch (the host writes the audit record of the deletion there).</summary>
public sealed class ArchiveRetentionCallbackTests : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private readonly ArchiveHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task PurgeAsync_CallbackSeesExactlyWhatIsPurged_WithItsStudyAndClass()
    {
        using ArchiveStore store = _h.Open(o => o with { ObjectRetention = TimeSpan.FromDays(1) });
        var delivered = new TestInstance();
        var pending = new TestInstance();
        ArchiveStoreResult stored = await store.StoreAsync(delivered.Request("PACS"), delivered.Open(), CancellationToken.None);
        await DeliverAllAsync(store, "PACS");
        await store.StoreAsync(pending.Request("PACS"), pending.Open(), CancellationToken.None);
        _h.Time.Advance(TimeSpan.FromDays(2));
        var seen = new List<ArchivePurgeCandidate>();

        ArchivePurgeResult result = await store.PurgeAsync(
            (batch, _) =>
            {
                // Called before the purge: the object is still readable here.
                Assert.True(File.Exists(_h.ObjectFileOf(delivered.SopUid)));
                seen.AddRange(batch);
                return Task.CompletedTask;
            },
            CancellationToken.None);

        ArchivePurgeCandidate only = Assert.Single(seen);
        Assert.Equal(1, result.ObjectsPurged);
        Assert.Equal(delivered.SopUid, only.SopInstanceUid);
        Assert.Equal(delivered.StudyUid, only.StudyInstanceUid);
        Assert.Equal(delivered.SeriesUid, only.SeriesInstanceUid);
        Assert.Equal(TestInstance.CTImageStorage, only.SopClassUid);
        Assert.Equal(stored.InstanceId, only.InstanceId);
        Assert.Equal(delivered.PatientId, stored.PatientId);
        Assert.Null(await store.OpenDataSetAsync(delivered.SopUid, CancellationToken.None));
    }

    [Fact]
    public async Task PurgeAsync_CallbackThrows_NothingIsPurged()
    {
        using ArchiveStore store = _h.Open(o => o with { ObjectRetention = TimeSpan.Zero });
        var instance = new TestInstance();
        await store.StoreAsync(instance.Request("PACS"), instance.Open(), CancellationToken.None);
        await DeliverAllAsync(store, "PACS");
        _h.Time.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<IOException>(() => store.PurgeAsync((_, _) => throw new IOException("the audit log refused"), CancellationToken.None));

        Assert.NotNull(await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(instance.SopUid, CancellationToken.None)));
        Assert.Single(_h.ObjectFiles());
        Assert.Equal(1, (await store.PurgeAsync(CancellationToken.None)).ObjectsPurged);
    }

    [Fact]
    public async Task PurgeAsync_InstanceQueuedAgainWhileTheCallbackRuns_IsNotPurged()
    {
        using ArchiveStore store = _h.Open(o => o with { ObjectRetention = TimeSpan.Zero });
        var instance = new TestInstance();
        await store.StoreAsync(instance.Request("PACS"), instance.Open(), CancellationToken.None);
        await DeliverAllAsync(store, "PACS");
        _h.Time.Advance(TimeSpan.FromSeconds(1));

        // The same instance arrives again for a destination that has not had it: it must stay until delivered there.
        ArchivePurgeResult result = await store.PurgeAsync(
            async (_, ct) => await store.StoreAsync(instance.Request("PACS", "AI"), instance.Open(), ct),
            CancellationToken.None);

        Assert.Equal(0, result.ObjectsPurged);
        Assert.NotNull(await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(instance.SopUid, CancellationToken.None)));
    }

    [Fact]
    public async Task PurgeAsync_MoreThanOneBatch_CallsBackPerBatchAndPurgesAll()
    {
        using ArchiveStore store = _h.Open(o => o with { ObjectRetention = TimeSpan.Zero, PurgeUnforwarded = true });
        const int Count = 300;
        for (int i = 0; i < Count; i++)
        {
            var instance = new TestInstance { PixelBytes = 16, Seed = i };
            await store.StoreAsync(instance.Request(), instance.Open(), CancellationToken.None);
        }

        _h.Time.Advance(TimeSpan.FromSeconds(1));
        var batches = new List<int>();

        ArchivePurgeResult result = await store.PurgeAsync((batch, _) => { batches.Add(batch.Count); return Task.CompletedTask; }, CancellationToken.None);

        Assert.Equal(Count, result.ObjectsPurged);
        Assert.Equal(Count, batches.Sum());
        Assert.True(batches.Count >= 2, "expected several batches");
        Assert.DoesNotContain(0, batches);
        Assert.Empty(_h.ObjectFiles());
    }

    private static async Task DeliverAllAsync(ArchiveStore store, string destination)
    {
        while (await store.Outbox.LeaseAsync(destination, Lease, CancellationToken.None) is { } lease)
        {
            await store.Outbox.MarkDeliveredAsync(lease, CancellationToken.None);
        }
    }
}
