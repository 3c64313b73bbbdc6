using Gateway.Audit.Storage;
using Gateway.Audit.Tests.Support;
using Gateway.Audit.Verification;

namespace Gateway.Audit.Tests.Storage;

/// <summary>Overlapping syncs: batches complete in order, each after its own sync, and a failed sync fails what follows.</summary>
public sealed class GroupCommitTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AppendAsync_LaterBatchSyncedFirst_WaitsForTheEarlierBatch()
    {
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        await using (log)
        {
            using var firstSyncEntered = new SemaphoreSlim(0);
            using var releaseFirstSync = new SemaphoreSlim(0);
            log.SyncHook = sequence =>
            {
                if (sequence == 1)
                {
                    firstSyncEntered.Release();
                    releaseFirstSync.Wait();
                }
            };

            Task<long> first = log.AppendAsync(SampleRecords.Transfer(0)).AsTask();
            Task<long> second;
            try
            {
                Assert.True(await firstSyncEntered.WaitAsync(TimeSpan.FromSeconds(30)));
                // The first batch is being synced; the second is written and synced by another committer meanwhile.
                second = log.AppendAsync(SampleRecords.Transfer(1)).AsTask();
                await Task.Delay(300);
                Assert.False(second.IsCompleted, "the second record was acknowledged before the first was durable");
                Assert.Equal(0, log.Size);
            }
            finally
            {
                releaseFirstSync.Release();
            }

            Assert.Equal(0, await first.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(1, await second.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(2, log.Size);
        }

        Assert.True(Verify().IsValid);
    }

    [Fact]
    public async Task AppendAsync_EarlierSyncFails_FailsTheLaterBatchEvenThoughItsSyncSucceeded()
    {
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        await using (log)
        {
            using var firstSyncEntered = new SemaphoreSlim(0);
            using var releaseFirstSync = new SemaphoreSlim(0);
            log.SyncHook = sequence =>
            {
                if (sequence == 1)
                {
                    firstSyncEntered.Release();
                    releaseFirstSync.Wait();
                    throw new IOException("fdatasync failed (errno 5)");
                }
            };

            Task<long> first = log.AppendAsync(SampleRecords.Transfer(0)).AsTask();
            Task<long> second;
            try
            {
                Assert.True(await firstSyncEntered.WaitAsync(TimeSpan.FromSeconds(30)));
                second = log.AppendAsync(SampleRecords.Transfer(1)).AsTask();
                await Task.Delay(300);
            }
            finally
            {
                releaseFirstSync.Release();
            }

            await Assert.ThrowsAsync<AuditLogException>(() => first.WaitAsync(TimeSpan.FromSeconds(30)));
            AuditLogException later = await Assert.ThrowsAsync<AuditLogException>(() => second.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("errno 5", later.Message, StringComparison.Ordinal);
            Assert.Equal(0, log.Size);
            await Assert.ThrowsAsync<AuditLogException>(async () => await log.AppendAsync(SampleRecords.Transfer(2)));
        }
    }

    [Fact]
    public async Task Checkpoints_SequentialAppendsWithOverlappingSyncs_FallExactlyEveryNRecords()
    {
        // Regression: a record completed while the previous checkpoint was being signed started a second one at size 11.
        await TestLogs.CreateAsync(_dir.Path, 30, checkpointEvery: 10);

        IReadOnlyList<CheckpointStore.StoredNote> notes = CheckpointStore.ReadAll(new AuditLogPaths(_dir.Path).Checkpoints, out _, out _);
        Assert.Equal(["10", "20", "30"], notes.Select(n => n.Text!.Split('\n')[1]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task AppendAsync_ConcurrentWritersAcrossSegments_LoseNothingWithAnyNumberOfSyncs(int syncs)
    {
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path, checkpointEvery: 37) with { MaxConcurrentSyncs = syncs, SegmentMaxBytes = 32 * 1024 });
        long[] indexes;
        await using (log)
        {
            indexes = (await Task.WhenAll(Enumerable.Range(0, 8).Select(async writer =>
            {
                var mine = new List<long>();
                for (int i = 0; i < 40; i++)
                {
                    mine.Add(await log.AppendAsync(SampleRecords.Transfer((writer * 100) + i)));
                }

                return mine;
            }))).SelectMany(x => x).ToArray();
        }

        Assert.Equal(Enumerable.Range(0, 320).Select(i => (long)i), indexes.Order());
        Assert.True(new AuditLogPaths(_dir.Path).ListSegments().Count > 3);
        AuditVerificationReport report = Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(320, report.RecordCount);
    }

    private AuditVerificationReport Verify() =>
        AuditLogVerifier.Verify(_dir.Path, new AuditLogReader(new AuditLogPaths(_dir.Path)).StoredVerifier());
}
