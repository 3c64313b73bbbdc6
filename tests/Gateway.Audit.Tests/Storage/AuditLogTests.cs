using Gateway.Audit.Export;
using Gateway.Audit.Records;
using Gateway.Audit.Storage;
using Gateway.Audit.Tests.Support;
using Gateway.Audit.Verification;

namespace Gateway.Audit.Tests.Storage;

public sealed class AuditLogTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AppendAsync_Records_GetSequentialIndexesAndReadBackDecrypted()
    {
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        await using (log)
        {
            Assert.Equal(0, await log.AppendAsync(SampleRecords.Transfer(0)));
            Assert.Equal(1, await log.AppendAsync(SampleRecords.Denied(1)));
            Assert.Equal(2, log.Size);
        }

        using AuditDataKey key = AuditDataKey.Load(new AuditLogPaths(_dir.Path).DataKey, create: false);
        List<AuditSearchHit> hits = AuditSearch.Search(_dir.Path, key, new AuditFilter()).ToList();
        Assert.Equal([0L, 1L], hits.Select(h => h.Index));
        Assert.Equal(AuditRecordSerializer.Serialize(SampleRecords.Transfer(0)), AuditRecordSerializer.Serialize(hits[0].Record));
        Assert.Equal("DOE^JANE", hits[0].Record.ParticipantObjects[0].Name);
    }

    [Fact]
    public async Task Dispose_SignsAFinalCheckpointCoveringEveryRecord()
    {
        await TestLogs.CreateAsync(_dir.Path, 7);

        AuditVerificationReport report = Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(7, report.LatestCheckpoint!.Size);
    }

    [Fact]
    public async Task Checkpoints_EveryNRecords_AreSigned()
    {
        await TestLogs.CreateAsync(_dir.Path, 25, checkpointEvery: 10);

        AuditVerificationReport report = Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.True(report.CheckpointCount >= 3, $"{report.CheckpointCount} checkpoints");
    }

    [Fact]
    public async Task Checkpoints_AfterTheInterval_AreSignedWithoutNewAppends()
    {
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path) with { CheckpointInterval = TimeSpan.FromMilliseconds(100) });
        await using (log)
        {
            await log.AppendAsync(SampleRecords.Transfer(0));
            for (int i = 0; i < 600 && log.LatestCheckpoint?.Size != 1; i++)
            {
                await Task.Delay(50);
            }

            Assert.Equal(1, log.LatestCheckpoint?.Size);
        }
    }

    [Fact]
    public async Task Reopen_ContinuesTheChainAndTheTree()
    {
        await TestLogs.CreateAsync(_dir.Path, 5);
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        await using (log)
        {
            Assert.False(log.Recovery.Repaired);
            Assert.Equal(5, await log.AppendAsync(SampleRecords.Transfer(5)));
        }

        AuditVerificationReport report = Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(6, report.RecordCount);
    }

    [Fact]
    public async Task AppendAsync_ConcurrentWriters_ShareCommitsAndLoseNothing()
    {
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        long[] indexes;
        await using (log)
        {
            indexes = await Task.WhenAll(Enumerable.Range(0, 16).Select(async writer =>
            {
                var mine = new List<long>();
                for (int i = 0; i < 50; i++)
                {
                    mine.Add(await log.AppendAsync(SampleRecords.Transfer((writer * 100) + i)));
                }

                return mine;
            })).ContinueWith(t => t.Result.SelectMany(x => x).ToArray(), TaskScheduler.Default);
            Assert.True(log.CommitCount < 800, $"{log.CommitCount} commits for 800 records: no group commit");
        }

        Assert.Equal(Enumerable.Range(0, 800).Select(i => (long)i), indexes.Order());
        AuditVerificationReport report = Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(800, report.RecordCount);
    }

    [Fact]
    public async Task Open_SecondWriter_IsRefused()
    {
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        await using (log)
        {
            AuditLogException ex = Assert.Throws<AuditLogException>(() => AuditLog.Open(TestLogs.Options(_dir.Path)));
            Assert.Contains("in use", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Open_KeysAndDirectories_AreOwnerOnly()
    {
        await TestLogs.CreateAsync(_dir.Path, 1);
        var paths = new AuditLogPaths(_dir.Path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(paths.SigningKey));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(paths.DataKey));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(paths.Keys));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(paths.Segments));
    }

    [Fact]
    public async Task Open_KeyFileReadableByOthers_IsRefused()
    {
        await TestLogs.CreateAsync(_dir.Path, 1);
        var paths = new AuditLogPaths(_dir.Path);
        File.SetUnixFileMode(paths.DataKey, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        AuditLogException ex = Assert.Throws<AuditLogException>(() => AuditLog.Open(TestLogs.Options(_dir.Path)));
        Assert.Contains("0600", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_WrongDataKey_IsRefusedForUnsignedRecords_AndSearchNamesTheKey()
    {
        await TestLogs.CreateAsync(_dir.Path, 2);
        using AuditDataKey other = AuditDataKey.FromBytes(new byte[32]);

        AuditLogException ex = Assert.Throws<AuditLogException>(() => AuditSearch.Search(_dir.Path, other, new AuditFilter()).ToList());
        Assert.Contains("data key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_ExistingLogWithoutItsKeys_IsRefusedNotGivenNewKeys()
    {
        await TestLogs.CreateAsync(_dir.Path, 2);
        var paths = new AuditLogPaths(_dir.Path);
        string publicKey = await File.ReadAllTextAsync(paths.PublicKey);
        File.Move(paths.DataKey, paths.DataKey + ".moved");

        Assert.Throws<AuditLogException>(() => AuditLog.Open(TestLogs.Options(_dir.Path)));
        Assert.False(File.Exists(paths.DataKey));

        File.Move(paths.DataKey + ".moved", paths.DataKey);
        File.Move(paths.SigningKey, paths.SigningKey + ".moved");
        Assert.Throws<AuditLogException>(() => AuditLog.Open(TestLogs.Options(_dir.Path)));
        Assert.Equal(publicKey, await File.ReadAllTextAsync(paths.PublicKey));
    }

    [Fact]
    public async Task AppendAsync_InvalidRecord_IsRejectedBeforeWriting()
    {
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        await using (log)
        {
            await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendAsync(SampleRecords.Transfer(0) with { ActiveParticipants = [] }));
            await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendAsync(SampleRecords.Transfer(0) with { EventId = (AuditEventId)123 }));
            await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendAsync(SampleRecords.Transfer(0) with { OutcomeDescription = "line\nbreak" }));
            await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendAsync(SampleRecords.Transfer(0) with { AssociationId = new string('x', 2000) }));
            Assert.Equal(0, log.Size);
        }
    }

    [Fact]
    public async Task AppendAsync_AfterDispose_Throws()
    {
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        await log.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await log.AppendAsync(SampleRecords.Transfer(0)));
    }

    [Fact]
    public async Task AppendAsync_WriteFails_PropagatesAndRefusesLaterAppends()
    {
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        await using (log)
        {
            await log.AppendAsync(SampleRecords.Transfer(0));
            // The disk goes away under the writer: its segment handle is closed.
            var segment = (FileStream)typeof(AuditLog).GetField("_segment", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(log)!;
            await segment.DisposeAsync();

            await Assert.ThrowsAsync<AuditLogException>(async () => await log.AppendAsync(SampleRecords.Transfer(1)));
            AuditLogException later = await Assert.ThrowsAsync<AuditLogException>(async () => await log.AppendAsync(SampleRecords.Transfer(2)));
            Assert.Contains("failed earlier", later.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Segments_RollOver_AndVerifyAcrossThem()
    {
        await TestLogs.CreateAsync(_dir.Path, 40, checkpointEvery: 7, segmentMaxBytes: 8 * 1024);

        Assert.True(new AuditLogPaths(_dir.Path).ListSegments().Count > 2);
        AuditVerificationReport report = Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(40, report.RecordCount);
    }

    [Fact]
    public async Task DependencyInjection_ResolvesTheLogAsIAuditLog()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        services.AddAuditLog(TestLogs.Options(_dir.Path));
        Microsoft.Extensions.DependencyInjection.ServiceProvider provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);
        await using (provider)
        {
            IAuditLog log = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IAuditLog>(provider);
            Assert.Equal(0, await log.AppendAsync(SampleRecords.Transfer(0)));
        }

        Assert.True(Verify().IsValid);
    }

    private AuditVerificationReport Verify() =>
        AuditLogVerifier.Verify(_dir.Path, new AuditLogReader(new AuditLogPaths(_dir.Path)).StoredVerifier());
}
