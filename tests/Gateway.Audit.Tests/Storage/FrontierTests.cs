using Gateway.Audit.Storage;
using Gateway.Audit.Tests.Support;
using Gateway.Audit.Verification;

namespace Gateway.Audit.Tests.Storage;

/// <summary>
/// The frontier saved with the checkpoints: opening reads only the records after it, and a frontier that does not match
/// its signed checkpoint or the records is never used (the whole log is read instead, and the reason reported).
/// </summary>
public sealed class FrontierTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Open_AfterCleanShutdown_ReadsNoRecord()
    {
        await CreateAsync(_dir.Path, 2500, checkpointEvery: 1000);

        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        await using (log)
        {
            Assert.Equal(0, log.RecordsReadAtOpen);
            Assert.Null(log.Recovery.FrontierProblem);
            Assert.Equal(2500, log.Size);
            Assert.Equal(2500, await log.AppendAsync(SampleRecords.Transfer(2500)));
        }

        AssertVerifies(_dir.Path, 2501);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(new AuditLogPaths(_dir.Path).Frontier));
    }

    [Fact]
    public async Task Open_AfterCrash_ReadsOnlyTheRecordsAfterTheLastFrontier()
    {
        string image = await CrashImageAsync(records: 250, checkpointEvery: 100);
        long saved = FrontierFile.Read(new AuditLogPaths(image).Frontier, out _, out _)!.Size;
        Assert.InRange(saved, 200, 249);

        AuditLog log = AuditLog.Open(TestLogs.Options(image));
        await using (log)
        {
            Assert.Null(log.Recovery.FrontierProblem);
            Assert.Equal(250, log.Size);
            Assert.Equal(250 - saved, log.RecordsReadAtOpen);
            Assert.Equal(250, await log.AppendAsync(SampleRecords.Transfer(250)));
        }

        AssertVerifies(image, 251);
    }

    [Fact]
    public async Task Open_FrontierOlderThanTheLatestCheckpoint_IsUsedAndTheRestChecked()
    {
        // A crash between writing a checkpoint and saving its frontier leaves the previous frontier.
        string live = _dir.Combine("live");
        byte[] oldFrontier;
        AuditLog log = AuditLog.Open(TestLogs.Options(live, checkpointEvery: 100));
        await using (log)
        {
            await LogFiles.AppendManyAsync(log, 100);
            await WaitForCheckpointAsync(log, 100);
            oldFrontier = await File.ReadAllBytesAsync(new AuditLogPaths(live).Frontier);
            await LogFiles.AppendManyAsync(log, 200);
        }

        await File.WriteAllBytesAsync(new AuditLogPaths(live).Frontier, oldFrontier);
        log = AuditLog.Open(TestLogs.Options(live));
        await using (log)
        {
            Assert.Null(log.Recovery.FrontierProblem);
            Assert.Equal(300, log.Size);
            Assert.Equal(200, log.RecordsReadAtOpen);
        }

        AssertVerifies(live, 300);
    }

    public static TheoryData<string> Tamperings => new()
    {
        "node", "last leaf hash", "proof", "record offset", "checkpoint offset", "segment",
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public async Task Open_TamperedFrontierWithValidChecksum_IsNotUsed_TheWholeLogIsRead(string field)
    {
        await CreateAsync(_dir.Path, 300, checkpointEvery: 100);
        // Someone with write access rewrites the newest slot and recomputes its checksum (which proves nothing).
        string path = new AuditLogPaths(_dir.Path).Frontier;
        Frontier frontier = FrontierFile.Read(path, out int slot, out _)!;
        byte[] zeros = new byte[32];
        Frontier forged = field switch
        {
            "node" => frontier with { Nodes = [zeros, .. frontier.Nodes.Skip(1)] },
            "last leaf hash" => frontier with { LastLeafHash = zeros },
            "proof" => frontier with { LastLeafProof = [zeros, .. frontier.LastLeafProof.Skip(1)] },
            "record offset" => frontier with { RecordOffset = frontier.RecordOffset - frontier.RecordLength },
            "checkpoint offset" => frontier with { CheckpointOffset = frontier.CheckpointOffset + 4 },
            _ => frontier with { SegmentFirstIndex = 1 },
        };
        byte[] file = await File.ReadAllBytesAsync(path);
        FrontierFile.Encode(forged).CopyTo(file, slot * FrontierFile.SlotSize);
        await File.WriteAllBytesAsync(path, file);

        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        await using (log)
        {
            Assert.NotNull(log.Recovery.FrontierProblem);
            Assert.Contains("was not used", log.Recovery.FrontierProblem, StringComparison.Ordinal);
            Assert.Equal(300, log.RecordsReadAtOpen);
            Assert.Equal(300, log.Size);
            Assert.Equal(300, await log.AppendAsync(SampleRecords.Transfer(300)));
        }

        AssertVerifies(_dir.Path, 301);
    }

    [Fact]
    public async Task Open_FrontierFromAnotherLog_IsNotUsed()
    {
        string other = _dir.Combine("other");
        await CreateAsync(other, 300, checkpointEvery: 100);
        await CreateAsync(_dir.Path, 300, checkpointEvery: 100);
        File.Copy(new AuditLogPaths(other).Frontier, new AuditLogPaths(_dir.Path).Frontier, overwrite: true);

        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        await using (log)
        {
            Assert.NotNull(log.Recovery.FrontierProblem);
            Assert.Equal(300, log.RecordsReadAtOpen);
        }
    }

    [Fact]
    public async Task Open_TornNewestSlot_FallsBackToTheOtherSlot()
    {
        await CreateAsync(_dir.Path, 300, checkpointEvery: 100);
        string path = new AuditLogPaths(_dir.Path).Frontier;
        FrontierFile.Read(path, out int slot, out _);
        byte[] file = await File.ReadAllBytesAsync(path);
        file.AsSpan(slot * FrontierFile.SlotSize, 100).Clear();
        await File.WriteAllBytesAsync(path, file);

        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        await using (log)
        {
            Assert.Null(log.Recovery.FrontierProblem);
            Assert.True(log.RecordsReadAtOpen is > 0 and < 300, $"{log.RecordsReadAtOpen} records read");
            Assert.Equal(300, log.Size);
        }
    }

    [Fact]
    public async Task Open_SlotWithValidChecksumButInconsistentFields_IsReported()
    {
        await CreateAsync(_dir.Path, 300, checkpointEvery: 100);
        string path = new AuditLogPaths(_dir.Path).Frontier;
        Frontier frontier = FrontierFile.Read(path, out int slot, out _)!;
        byte[] file = await File.ReadAllBytesAsync(path);
        // A node count that does not fit the size: no writer makes that, and a torn write would not pass the checksum.
        FrontierFile.Encode(frontier with { Nodes = [.. frontier.Nodes, new byte[32]] }).CopyTo(file, slot * FrontierFile.SlotSize);
        await File.WriteAllBytesAsync(path, file);

        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        await using (log)
        {
            Assert.Contains($"slot {slot}", log.Recovery.FrontierProblem, StringComparison.Ordinal);
            Assert.Equal(300, log.Size);
        }
    }

    [Fact]
    public async Task Open_BothSlotsUnreadable_ReadsTheWholeLogAndSaysWhy()
    {
        await CreateAsync(_dir.Path, 300, checkpointEvery: 100);
        await File.WriteAllBytesAsync(new AuditLogPaths(_dir.Path).Frontier, new byte[2 * FrontierFile.SlotSize]);

        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        await using (log)
        {
            Assert.Contains("no whole frontier", log.Recovery.FrontierProblem, StringComparison.Ordinal);
            Assert.Equal(300, log.RecordsReadAtOpen);
        }
    }

    [Fact]
    public async Task Open_EmptyFrontierFile_IsNoFrontierAndNoProblem()
    {
        // A frontier file that exists but never got a whole slot (a copy taken before the first checkpoint's frontier).
        await CreateAsync(_dir.Path, 300, checkpointEvery: 100);
        await File.WriteAllBytesAsync(new AuditLogPaths(_dir.Path).Frontier, []);

        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        await using (log)
        {
            Assert.Null(log.Recovery.FrontierProblem);
            Assert.Equal(300, log.RecordsReadAtOpen);
        }
    }

    [Fact]
    public async Task Open_TornTailAfterTheFrontier_IsCut()
    {
        string image = await CrashImageAsync(records: 250, checkpointEvery: 100);
        long saved = FrontierFile.Read(new AuditLogPaths(image).Frontier, out _, out _)!.Size;
        string segment = new AuditLogPaths(image).ListSegments()[^1].Path;
        long length = SegmentSurgery.RecordsEnd(segment);
        SegmentSurgery.WriteAtRecordsEnd(segment, new byte[] { 0, 0, 2, 0, 1, 2, 3 });

        AuditLog log = AuditLog.Open(TestLogs.Options(image));
        await using (log)
        {
            Assert.Null(log.Recovery.FrontierProblem);
            Assert.Equal(250, log.Recovery.TruncatedRecordIndex);
            Assert.Equal(length, new FileInfo(segment).Length);
            Assert.Equal(250 - saved, log.RecordsReadAtOpen);
        }
    }

    private static async Task CreateAsync(string directory, int count, int checkpointEvery)
    {
        AuditLog log = AuditLog.Open(TestLogs.Options(directory, checkpointEvery));
        await using (log)
        {
            await LogFiles.AppendManyAsync(log, count);
        }
    }

    // The files of a live log after `records` appends, as a crash would leave them (no shutdown checkpoint).
    private async Task<string> CrashImageAsync(int records, int checkpointEvery)
    {
        string live = _dir.Combine("live");
        string image = _dir.Combine("image");
        AuditLog log = AuditLog.Open(TestLogs.Options(live, checkpointEvery));
        await using (log)
        {
            await LogFiles.AppendManyAsync(log, records);
            await WaitForCheckpointAsync(log, records / checkpointEvery * checkpointEvery);
            LogFiles.CopyDirectory(live, image);
        }

        return image;
    }

    // Checkpoints are signed after their records are acknowledged: wait until the one at `size` (and its frontier) is saved.
    private static Task WaitForCheckpointAsync(AuditLog log, long size) => log.WaitForCheckpointAsync(size, TimeSpan.FromSeconds(60));

    private static void AssertVerifies(string directory, long records)
    {
        AuditVerificationReport report = AuditLogVerifier.Verify(directory, new AuditLogReader(new AuditLogPaths(directory)).StoredVerifier());
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(records, report.RecordCount);
    }
}
