using Gateway.Audit.Storage;
using Gateway.Audit.Tests.Support;
using Gateway.Audit.Verification;

namespace Gateway.Audit.Tests.Storage;

/// <summary>A crash leaves a partial last record: opening cuts it (and says so), and nothing acknowledged is lost.</summary>
public sealed class TornTailTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<int> Cuts => new() { 1, 4, 20, 100, 300 };

    [Theory]
    [MemberData(nameof(Cuts))]
    public async Task Open_TornLastRecord_IsCutAndReported_AcknowledgedRecordsSurvive(int bytesLost)
    {
        string crash = await CrashImageAsync(acknowledged: 12);
        string segment = new AuditLogPaths(crash).ListSegments()[^1].Path;
        long length = SegmentSurgery.RecordsEnd(segment);
        // A 13th record was being written when the power went: only part of it reached the disk.
        List<SegmentSurgery.Frame> frames = SegmentSurgery.ReadFrames(segment);
        SegmentSurgery.Frame last = frames[^1];
        byte[] partial = File.ReadAllBytes(segment)[(int)last.Offset..(int)length];
        SegmentSurgery.WriteAtRecordsEnd(segment, partial.AsSpan(0, Math.Max(1, partial.Length - bytesLost)));

        AuditLog log = AuditLog.Open(TestLogs.Options(crash));
        await using (log)
        {
            Assert.True(log.Recovery.Repaired);
            Assert.Equal(12, log.Recovery.TruncatedRecordIndex);
            Assert.Equal(12, log.Size);
            Assert.Equal(length, new FileInfo(segment).Length);
            Assert.Equal(12, await log.AppendAsync(SampleRecords.Transfer(99)));
        }

        AuditVerificationReport report = AuditLogVerifier.Verify(crash, new AuditLogReader(new AuditLogPaths(crash)).StoredVerifier());
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(13, report.RecordCount);
    }

    [Fact]
    public async Task Open_ZeroFilledTail_IsTheEndOfTheRecordsNotARepair()
    {
        // A crash leaves the zeros the writer keeps ahead of its appends (and a file system may add more): the records end
        // where they start, and appending goes on there.
        string crash = await CrashImageAsync(acknowledged: 3);
        string segment = new AuditLogPaths(crash).ListSegments()[^1].Path;
        long end = SegmentSurgery.RecordsEnd(segment);
        Assert.True(new FileInfo(segment).Length > end, "the live segment should end in zeros written ahead");
        using (var stream = new FileStream(segment, FileMode.Append))
        {
            stream.Write(new byte[4096]);
        }

        AuditLog log = AuditLog.Open(TestLogs.Options(crash));
        await using (log)
        {
            Assert.False(log.Recovery.Repaired);
            Assert.Equal(3, log.Size);
            Assert.Equal(3, await log.AppendAsync(SampleRecords.Transfer(99)));
        }

        Assert.Equal(4, SegmentSurgery.ReadFrames(segment).Count);
        Assert.Equal(SegmentSurgery.RecordsEnd(segment), new FileInfo(segment).Length);
        AuditVerificationReport report = AuditLogVerifier.Verify(crash, new AuditLogReader(new AuditLogPaths(crash)).StoredVerifier());
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(4, report.RecordCount);
    }

    [Fact]
    public async Task ZerosThenOtherBytes_VerifyReportsThem_OpenCutsThemAndReports()
    {
        // A crash lost one batch (zeros where it was written) but kept the next one: neither was acknowledged.
        string crash = await CrashImageAsync(acknowledged: 5);
        string segment = new AuditLogPaths(crash).ListSegments()[^1].Path;
        long end = SegmentSurgery.RecordsEnd(segment);
        byte[] later = new byte[300];
        new Random(7).NextBytes(later);
        SegmentSurgery.WriteAtRecordsEnd(segment, later, skip: 1500);

        AuditVerificationReport before = AuditLogVerifier.Verify(crash, new AuditLogReader(new AuditLogPaths(crash)).StoredVerifier());
        Assert.False(before.IsValid);
        Assert.Contains(before.Problems, p => p.Message.Contains("zeros followed by other bytes", StringComparison.Ordinal) && p.Offset == end);

        AuditLog log = AuditLog.Open(TestLogs.Options(crash));
        await using (log)
        {
            Assert.True(log.Recovery.Repaired);
            Assert.Equal(5, log.Recovery.TruncatedRecordIndex);
            Assert.Equal(5, log.Size);
            Assert.Equal(end, new FileInfo(segment).Length);
        }

        AuditVerificationReport after = AuditLogVerifier.Verify(crash, new AuditLogReader(new AuditLogPaths(crash)).StoredVerifier());
        Assert.True(after.IsValid, string.Join("\n", after.Problems));
        Assert.Equal(5, after.RecordCount);
    }

    [Fact]
    public async Task Open_TornBatchWithLaterPagesPersisted_IsCutFromTheFirstBadRecord()
    {
        string crash = await CrashImageAsync(acknowledged: 4);
        string segment = new AuditLogPaths(crash).ListSegments()[^1].Path;
        long length = SegmentSurgery.RecordsEnd(segment);
        // An unacknowledged batch of three frames: the middle page of the write never reached the disk.
        List<SegmentSurgery.Frame> frames = SegmentSurgery.ReadFrames(segment);
        byte[] whole = File.ReadAllBytes(segment);
        byte[] batch = [.. whole[(int)frames[1].Offset..(int)frames[3].Offset], .. whole[(int)frames[1].Offset..(int)frames[2].Offset]];
        batch.AsSpan(40, 200).Clear();
        SegmentSurgery.WriteAtRecordsEnd(segment, batch);

        AuditLog log = AuditLog.Open(TestLogs.Options(crash));
        await using (log)
        {
            Assert.Equal(4, log.Recovery.TruncatedRecordIndex);
            Assert.Equal(4, log.Size);
            Assert.Equal(length, new FileInfo(segment).Length);
        }
    }

    [Fact]
    public async Task Open_DamageInsideSignedRecords_IsRefusedNotCut()
    {
        await TestLogs.CreateAsync(_dir.Path, 5);
        string segment = SegmentSurgery.OnlySegment(_dir.Path);
        using (var stream = new FileStream(segment, FileMode.Open))
        {
            stream.SetLength(stream.Length - 10);
        }

        AuditLogException ex = Assert.Throws<AuditLogException>(() => AuditLog.Open(TestLogs.Options(_dir.Path)));
        Assert.Contains("covered by a signed checkpoint", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_TornCheckpoint_IsCut()
    {
        string crash = await CrashImageAsync(acknowledged: 3);
        string checkpoints = new AuditLogPaths(crash).Checkpoints;
        using (var stream = new FileStream(checkpoints, FileMode.Append))
        {
            stream.Write([0, 0, 1, 0, (byte)'x']);
        }

        AuditLog log = AuditLog.Open(TestLogs.Options(crash));
        await using (log)
        {
            Assert.Equal(5, log.Recovery.TruncatedCheckpointBytes);
        }
    }

    // The files as a crash would leave them: acknowledged records durable, no shutdown checkpoint.
    private async Task<string> CrashImageAsync(int acknowledged)
    {
        string live = _dir.Combine("live");
        string image = _dir.Combine("image");
        AuditLog log = AuditLog.Open(TestLogs.Options(live, checkpointEvery: 5));
        await using (log)
        {
            for (int i = 0; i < acknowledged; i++)
            {
                await log.AppendAsync(SampleRecords.Transfer(i));
            }

            // Let the writer finish the checkpoint every 5 records signs after their acknowledgement before copying.
            await log.WaitForCheckpointAsync(acknowledged / 5 * 5, TimeSpan.FromSeconds(60));
            LogFiles.CopyDirectory(live, image);
        }

        return image;
    }
}
