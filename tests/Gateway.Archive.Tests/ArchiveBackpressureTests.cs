using Gateway.Archive.Outbox;
using Gateway.Archive.Tests.Support;

namespace Gateway.Archive.Tests;

public sealed class ArchiveBackpressureTests : IDisposable
{
    private readonly ArchiveHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task StoreAsync_BelowMinimumFreeSpace_RefusedBeforeWritingAnything()
    {
        using ArchiveStore store = _h.Open(o => o with { MinimumFreeBytes = long.MaxValue });
        var instance = new TestInstance();
        var source = instance.Open();

        ArchiveFullException ex = await Assert.ThrowsAsync<ArchiveFullException>(() => store.StoreAsync(instance.Request("PACS"), source, CancellationToken.None));

        Assert.Equal(ArchiveFullReason.DiskSpace, ex.Reason);
        Assert.Equal(0, source.Position);
        Assert.Empty(_h.WrittenSlots());
        Assert.Empty(_h.ObjectFiles());
        Assert.Equal(0L, _h.Query("SELECT COUNT(*) FROM instances"));
    }

    [Fact]
    public async Task StoreAsync_OutboxAtItsBound_RefusedUntilItemsAreDelivered()
    {
        using ArchiveStore store = _h.Open(o => o with { MaxOutboxDepth = 3 });
        var a = new TestInstance();
        var b = new TestInstance();
        var c = new TestInstance();
        await store.StoreAsync(a.Request("PACS", "AI"), a.Open(), CancellationToken.None);
        await store.StoreAsync(b.Request("PACS"), b.Open(), CancellationToken.None);

        ArchiveFullException ex = await Assert.ThrowsAsync<ArchiveFullException>(() => store.StoreAsync(c.Request("PACS"), c.Open(), CancellationToken.None));

        Assert.Equal(ArchiveFullReason.OutboxDepth, ex.Reason);
        Assert.Equal(2, _h.ObjectFiles().Count);

        // An instance with no destination adds nothing to the outbox and is still accepted.
        var local = new TestInstance();
        Assert.Equal(ArchiveStoreOutcome.Stored, (await store.StoreAsync(local.Request(), local.Open(), CancellationToken.None)).Outcome);

        OutboxLease lease = (await store.Outbox.LeaseAsync("PACS", TimeSpan.FromMinutes(1), CancellationToken.None))!;
        await store.Outbox.MarkDeliveredAsync(lease, CancellationToken.None);
        Assert.Equal(ArchiveStoreOutcome.Stored, (await store.StoreAsync(c.Request("PACS"), c.Open(), CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task OutboxDepth_CountsPendingAndLeasedOnly()
    {
        using ArchiveStore store = _h.Open();
        for (int i = 0; i < 3; i++)
        {
            var instance = new TestInstance();
            await store.StoreAsync(instance.Request("PACS"), instance.Open(), CancellationToken.None);
        }

        OutboxLease one = (await store.Outbox.LeaseAsync("PACS", TimeSpan.FromMinutes(1), CancellationToken.None))!;
        OutboxLease two = (await store.Outbox.LeaseAsync("PACS", TimeSpan.FromMinutes(1), CancellationToken.None))!;
        Assert.Equal(3, await store.Outbox.GetDepthAsync(CancellationToken.None));
        await store.Outbox.MarkDeliveredAsync(one, CancellationToken.None);
        await store.Outbox.DeadLetterAsync(two, null, CancellationToken.None);
        Assert.Equal(1, await store.Outbox.GetDepthAsync(CancellationToken.None));
        await store.Outbox.RetryAsync(new OutboxRetry { AllDead = true }, CancellationToken.None);
        Assert.Equal(2, await store.Outbox.GetDepthAsync(CancellationToken.None));
    }
}
