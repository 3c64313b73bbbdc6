using Gateway.Archive.Outbox;
using Gateway.Archive.Tests.Support;

namespace Gateway.Archive.Tests;

public sealed class ArchiveOutboxTests : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private readonly ArchiveHarness _h = new();
    private readonly ArchiveStore _store;

    public ArchiveOutboxTests()
    {
        _store = _h.Open(o => o with { DeadLetterAfter = TimeSpan.FromHours(1) });
    }

    private ArchiveOutbox Outbox => _store.Outbox;

    public void Dispose()
    {
        _store.Dispose();
        _h.Dispose();
    }

    [Fact]
    public async Task LeaseAsync_OldestDueFirst_OneLeasePerItem_ThenDeliveredStaysAsHistory()
    {
        TestInstance a = await StoreAsync("PACS", "AI");
        _h.Time.Advance(TimeSpan.FromSeconds(1));
        TestInstance b = await StoreAsync("PACS");

        OutboxLease? first = await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None);
        OutboxLease? second = await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None);
        OutboxLease? none = await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(none);
        Assert.Equal(a.SopUid, first.SopInstanceUid);
        Assert.Equal(b.SopUid, second.SopInstanceUid);
        Assert.Equal(a.SopClass, first.SopClassUid);
        Assert.Equal("1.2.840.10008.1.2.1", first.TransferSyntaxUid);
        Assert.Equal(0, first.Attempts);
        Assert.Equal(_h.Time.Now + Lease, second.LeasedUntil);

        _h.Time.Advance(TimeSpan.FromSeconds(3));
        Assert.True(await Outbox.MarkDeliveredAsync(first, CancellationToken.None));
        Assert.False(await Outbox.MarkDeliveredAsync(first, CancellationToken.None));

        OutboxCounts pacs = (await Outbox.GetCountsAsync(CancellationToken.None)).Single(c => c.Destination == "PACS");
        Assert.Equal(1, pacs.Delivered);
        Assert.Equal(1, pacs.Leased);
        Assert.Equal(0, pacs.Pending);
        OutboxCounts ai = (await Outbox.GetCountsAsync(CancellationToken.None)).Single(c => c.Destination == "AI");
        Assert.Equal(1, ai.Pending);
        Assert.Equal(2, await Outbox.GetDepthAsync(CancellationToken.None));
        OutboxItem delivered = Assert.Single(await Outbox.ListAsync(new OutboxQuery { States = [OutboxState.Delivered] }, CancellationToken.None));
        Assert.Equal(_h.Time.Now, delivered.DeliveredAt);
        Assert.Equal(1, delivered.Attempts);
    }

    [Fact]
    public async Task LeaseAsync_ExpiredLease_IsTakenAgainAndTheStaleTokenLosesTheCompletion()
    {
        await StoreAsync("PACS");
        OutboxLease first = (await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None))!;
        _h.Time.Advance(Lease + TimeSpan.FromSeconds(1));

        OutboxLease? again = await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None);

        Assert.NotNull(again);
        Assert.Equal(first.Id, again.Id);
        Assert.NotEqual(first.Token, again.Token);
        Assert.False(await Outbox.MarkDeliveredAsync(first, CancellationToken.None));
        Assert.Equal(OutboxFailureOutcome.LeaseLost, await Outbox.MarkFailedAsync(first, _h.Time.Now, "late", CancellationToken.None));
        Assert.True(await Outbox.MarkDeliveredAsync(again, CancellationToken.None));
    }

    [Fact]
    public async Task MarkFailedAsync_BackToPendingAtTheCallersTime_CountingAttempts()
    {
        await StoreAsync("PACS");
        OutboxLease lease = (await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None))!;

        OutboxFailureOutcome outcome = await Outbox.MarkFailedAsync(lease, _h.Time.Now + TimeSpan.FromSeconds(30), "association rejected", CancellationToken.None);

        Assert.Equal(OutboxFailureOutcome.Retrying, outcome);
        Assert.Null(await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None));
        OutboxItem item = Assert.Single(await Outbox.ListAsync(new OutboxQuery { Destination = "PACS" }, CancellationToken.None));
        Assert.Equal(OutboxState.Pending, item.State);
        Assert.Equal("association rejected", item.LastError);
        Assert.Equal(1, (await Outbox.GetCountsAsync(CancellationToken.None)).Single().Retrying);

        _h.Time.Advance(TimeSpan.FromSeconds(30));
        OutboxLease? retry = await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None);
        Assert.NotNull(retry);
        Assert.Equal(1, retry.Attempts);
    }

    [Fact]
    public async Task MarkFailedAsync_AfterTheDeadLetterAge_DeadLettersUntilAnOperatorRetries()
    {
        await StoreAsync("PACS");
        OutboxLease lease = (await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None))!;
        await Outbox.MarkFailedAsync(lease, _h.Time.Now + TimeSpan.FromMinutes(1), "refused", CancellationToken.None);
        _h.Time.Advance(TimeSpan.FromHours(1));
        lease = (await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None))!;

        OutboxFailureOutcome outcome = await Outbox.MarkFailedAsync(lease, _h.Time.Now + TimeSpan.FromMinutes(1), "still refused", CancellationToken.None);

        Assert.Equal(OutboxFailureOutcome.DeadLettered, outcome);
        _h.Time.Advance(TimeSpan.FromDays(1));
        Assert.Null(await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None));
        OutboxItem dead = Assert.Single(await Outbox.ListAsync(new OutboxQuery { States = [OutboxState.DeadLetter] }, CancellationToken.None));
        Assert.Equal(2, dead.Attempts);
        Assert.Equal("still refused", dead.LastError);
        Assert.Equal(0, await Outbox.GetDepthAsync(CancellationToken.None));

        Assert.Equal(0, await Outbox.RetryAsync(new OutboxRetry { AllDead = true, Destination = "OTHER" }, CancellationToken.None));
        Assert.Equal(1, await Outbox.RetryAsync(new OutboxRetry { AllDead = true, Destination = "PACS" }, CancellationToken.None));

        OutboxLease? retried = await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None);
        Assert.NotNull(retried);
        Assert.Equal(2, retried.Attempts);

        // The dead-letter clock starts again at the retry: one more failure retries instead of dead-lettering at once.
        Assert.Equal(OutboxFailureOutcome.Retrying, await Outbox.MarkFailedAsync(retried, _h.Time.Now, "once more", CancellationToken.None));
    }

    [Fact]
    public async Task DeadLetterAsync_GivesUpAtOnce_AndRetryByIdBringsItBack()
    {
        await StoreAsync("PACS");
        OutboxLease lease = (await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None))!;

        Assert.Equal(OutboxFailureOutcome.DeadLettered, await Outbox.DeadLetterAsync(lease, "0xA900 from peer", CancellationToken.None));
        Assert.Equal(1, await Outbox.RetryAsync(new OutboxRetry { Id = lease.Id }, CancellationToken.None));
        Assert.Equal(0, await Outbox.RetryAsync(new OutboxRetry { Id = lease.Id + 1000 }, CancellationToken.None));
        Assert.NotNull(await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None));
    }

    [Fact]
    public async Task DeadLetterExpiredAsync_MovesOnlyFailedItemsPastTheAge()
    {
        await StoreAsync("PACS");
        await StoreAsync("PACS");
        OutboxLease lease = (await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None))!;
        await Outbox.MarkFailedAsync(lease, _h.Time.Now + TimeSpan.FromDays(1), "down", CancellationToken.None);
        _h.Time.Advance(TimeSpan.FromHours(2));

        Assert.Equal(1, await Outbox.DeadLetterExpiredAsync(CancellationToken.None));

        OutboxCounts counts = Assert.Single(await Outbox.GetCountsAsync(CancellationToken.None));
        Assert.Equal(1, counts.DeadLetter);
        Assert.Equal(1, counts.Pending);
    }

    [Fact]
    public async Task GetFlowAsync_GivesArrivalAndServiceRatesForTheQueueingModel()
    {
        DateTimeOffset start = _h.Time.Now;
        for (int i = 0; i < 10; i++)
        {
            await StoreAsync("PACS");
            _h.Time.Advance(TimeSpan.FromSeconds(6));
        }

        // The forwarder delivers 4 items taking 2 s each.
        for (int i = 0; i < 4; i++)
        {
            OutboxLease lease = (await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None))!;
            _h.Time.Advance(TimeSpan.FromSeconds(2));
            await Outbox.MarkDeliveredAsync(lease, CancellationToken.None);
        }

        OutboxFlow flow = await Outbox.GetFlowAsync("PACS", start, start + TimeSpan.FromSeconds(100), CancellationToken.None);

        Assert.Equal(10, flow.Arrivals);
        Assert.Equal(4, flow.Completions);
        Assert.Equal(TimeSpan.FromSeconds(8), flow.BusyTime);
        Assert.Equal(6, flow.Depth);
        Assert.Equal(0.1, flow.ArrivalRate, 6);
        Assert.Equal(0.5, flow.ServiceRate!.Value, 6);
        Assert.Equal(0.2, flow.Utilisation!.Value, 6);
        Assert.Equal(TimeSpan.FromSeconds(2.5), flow.PredictedWait);

        var events = new List<OutboxEvent>();
        await foreach (OutboxEvent e in Outbox.ReadEventsAsync("PACS", start, start + TimeSpan.FromSeconds(100), CancellationToken.None))
        {
            events.Add(e);
        }

        Assert.Equal(10, events.Count(e => e.Kind == OutboxEventKind.Arrival));
        Assert.Equal(4, events.Count(e => e.Kind == OutboxEventKind.Completion));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Timestamp <= p.Second.Timestamp));
        Assert.All(events.Where(e => e.Kind == OutboxEventKind.Completion), e => Assert.Equal(TimeSpan.FromSeconds(2), e.ServiceTime));
    }

    [Fact]
    public void OutboxFlow_OverloadedQueue_HasNoPredictedWait()
    {
        var flow = new OutboxFlow
        {
            Destination = "PACS",
            Since = DateTimeOffset.UnixEpoch,
            Until = DateTimeOffset.UnixEpoch.AddSeconds(10),
            Arrivals = 20,
            Completions = 1,
            BusyTime = TimeSpan.FromSeconds(1),
            Depth = 19,
        };

        Assert.Equal(2.0, flow.Utilisation);
        Assert.Null(flow.PredictedWait);
    }

    [Fact]
    public async Task Open_ReleasesLeasesOfThePreviousRun()
    {
        await StoreAsync("PACS");
        Assert.NotNull(await Outbox.LeaseAsync("PACS", TimeSpan.FromHours(1), CancellationToken.None));
        _store.Dispose();

        using ArchiveStore reopened = _h.Open();

        Assert.Equal(1, reopened.OpenReport.LeasesReleased);
        Assert.NotNull(await reopened.Outbox.LeaseAsync("PACS", Lease, CancellationToken.None));
    }

    [Fact]
    public async Task StoreAsync_DuplicateForADeliveredDestination_IsNotQueuedAgain()
    {
        TestInstance instance = await StoreAsync("PACS");
        OutboxLease lease = (await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None))!;
        await Outbox.MarkDeliveredAsync(lease, CancellationToken.None);

        ArchiveStoreResult again = await _store.StoreAsync(instance.Request("PACS"), instance.Open(), CancellationToken.None);

        Assert.Equal(ArchiveStoreOutcome.Duplicate, again.Outcome);
        Assert.Empty(again.QueuedDestinations);
        Assert.Null(await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None));
    }

    [Fact]
    public async Task ArchiveAdmin_BesideAnOpenStore_ListsAndRetries()
    {
        await StoreAsync("PACS");
        OutboxLease lease = (await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None))!;
        await Outbox.DeadLetterAsync(lease, "error text", CancellationToken.None);

        using var admin = ArchiveAdmin.Open(_h.Options(), _h.Time);

        Assert.True(admin.KeysAvailable);
        OutboxItem dead = Assert.Single(await admin.Outbox.ListAsync(new OutboxQuery(), CancellationToken.None));
        Assert.Equal("error text", dead.LastError);
        Assert.Equal(1, await admin.Outbox.RetryAsync(new OutboxRetry { AllDead = true }, CancellationToken.None));
        Assert.NotNull(await Outbox.LeaseAsync("PACS", Lease, CancellationToken.None));
    }

    private async Task<TestInstance> StoreAsync(params string[] destinations)
    {
        var instance = new TestInstance();
        await _store.StoreAsync(instance.Request(destinations), instance.Open(), CancellationToken.None);
        return instance;
    }
}
