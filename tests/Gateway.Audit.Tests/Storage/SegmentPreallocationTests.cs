using System.Buffers.Binary;
using Gateway.Audit.Storage;
using Gateway.Audit.Tests.Support;
using Gateway.Audit.Verification;

namespace Gateway.Audit.Tests.Storage;

/// <summary>
/// The writer keeps zeros ahead of its appends in the last segment (so a sync flushes data, not a new file size):
/// readers, verification and opening see where the records end, and nothing else may end in zeros.
/// </summary>
public sealed class SegmentPreallocationTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task LiveSegment_EndsInZerosWrittenAhead_CloseCutsThem()
    {
        string segment;
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path) with { SegmentPreallocationBytes = 256 * 1024 });
        await using (log)
        {
            await LogFiles.AppendManyAsync(log, 10);
            segment = SegmentSurgery.OnlySegment(_dir.Path);
            long end = SegmentSurgery.RecordsEnd(segment);
            // The first write reserved 256 KiB past itself; the later ones fell inside.
            Assert.InRange(new FileInfo(segment).Length, end + 1, end + (256 * 1024));
            using (Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(segment))
            {
                Assert.True(SegmentFormat.IsZeroFilled(handle, end, new FileInfo(segment).Length));
            }
            Assert.Equal(10, SegmentSurgery.ReadFrames(segment).Count);
        }

        Assert.Equal(SegmentSurgery.RecordsEnd(segment), new FileInfo(segment).Length);
        Assert.Equal(10, SegmentSurgery.ReadFrames(segment).Count);
    }

    [Fact]
    public async Task NoPreallocation_AppendsAtTheEndOfTheFile()
    {
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path) with { SegmentPreallocationBytes = 0 });
        await using (log)
        {
            await LogFiles.AppendManyAsync(log, 10);
            string segment = SegmentSurgery.OnlySegment(_dir.Path);
            Assert.Equal(SegmentSurgery.RecordsEnd(segment), new FileInfo(segment).Length);
        }
    }

    [Fact]
    public async Task RolledSegments_EndAfterTheirLastRecord_OnlyTheLastHasZeros()
    {
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path, checkpointEvery: 10) with { SegmentMaxBytes = 8 * 1024 });
        await using (log)
        {
            await LogFiles.AppendManyAsync(log, 40);
            IReadOnlyList<(long FirstIndex, string Path)> segments = new AuditLogPaths(_dir.Path).ListSegments();
            Assert.True(segments.Count >= 3, $"{segments.Count} segments");
            foreach ((_, string path) in segments.SkipLast(1))
            {
                Assert.Equal(SegmentSurgery.RecordsEnd(path), new FileInfo(path).Length);
            }

            // The last one's zeros stop at the segment's maximum size.
            long lastLength = new FileInfo(segments[^1].Path).Length;
            Assert.True(lastLength > SegmentSurgery.RecordsEnd(segments[^1].Path) && lastLength <= 8 * 1024, $"{lastLength} bytes");
            Assert.Equal(40, segments.Sum(s => SegmentSurgery.ReadFrames(s.Path).Count));
        }
    }

    [Fact]
    public async Task LiveLog_IsReadAndVerifiedUpToItsZeros()
    {
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path, checkpointEvery: 5));
        await using (log)
        {
            await LogFiles.AppendManyAsync(log, 10);

            // Ask for the checkpoint over all ten: with sixteen writers the batches fall anywhere, and the automatic one
            // every 5 records may land at 7, with the next not due before 12.
            Assert.Equal(10, (await log.CheckpointAsync()).Size);
            await log.WaitForCheckpointAsync(10, TimeSpan.FromSeconds(60));
            string segment = SegmentSurgery.OnlySegment(_dir.Path);
            Assert.True(new FileInfo(segment).Length > SegmentSurgery.RecordsEnd(segment));

            Assert.Equal(10, new AuditLogReader(new AuditLogPaths(_dir.Path)).ReadLeaves().Count());
            AuditVerificationReport report = AuditLogVerifier.Verify(_dir.Path, log.Verifier);
            Assert.True(report.IsValid, string.Join("\n", report.Problems));
            Assert.Equal(10, report.RecordCount);
        }
    }

    [Fact]
    public async Task ZerosInsideAnEarlierSegment_AreDamage_VerifyLocatesThem_OpenRefuses()
    {
        await TestLogs.CreateAsync(_dir.Path, 40, checkpointEvery: 10, segmentMaxBytes: 8 * 1024);
        IReadOnlyList<(long FirstIndex, string Path)> segments = new AuditLogPaths(_dir.Path).ListSegments();
        string first = segments[0].Path;
        // Someone zeroes the last record of the first segment and everything after it in that file.
        SegmentSurgery.Frame last = SegmentSurgery.ReadFrames(first)[^1];
        using (var stream = new FileStream(first, FileMode.Open, FileAccess.Write))
        {
            stream.Position = last.Offset;
            stream.Write(new byte[stream.Length - last.Offset]);
        }

        AuditVerificationReport report = AuditLogVerifier.Verify(_dir.Path, new AuditLogReader(new AuditLogPaths(_dir.Path)).StoredVerifier());
        Assert.False(report.IsValid);
        Assert.Contains(report.Problems, p => p.File != null && p.File.EndsWith(Path.GetFileName(first), StringComparison.Ordinal) && p.Offset == last.Offset);

        // Opening reads only what its saved frontier does not cover; without it, it reads everything and refuses.
        File.Delete(new AuditLogPaths(_dir.Path).Frontier);
        AuditLogException ex = Assert.Throws<AuditLogException>(() => AuditLog.Open(TestLogs.Options(_dir.Path)));
        Assert.Contains("zeros where a record should be", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ZeroLengthField_InTheLastSegmentWithRecordsAfterIt_IsNotTakenForTheEnd()
    {
        // Zeroing one length field must not hide the records after it: they are not zeros.
        await TestLogs.CreateAsync(_dir.Path, 6, checkpointEvery: 3);
        string segment = SegmentSurgery.OnlySegment(_dir.Path);
        SegmentSurgery.Frame third = SegmentSurgery.ReadFrames(segment)[2];
        using (var stream = new FileStream(segment, FileMode.Open, FileAccess.Write))
        {
            stream.Position = third.Offset;
            stream.Write(new byte[4]);
        }

        AuditVerificationReport report = AuditLogVerifier.Verify(_dir.Path, new AuditLogReader(new AuditLogPaths(_dir.Path)).StoredVerifier());
        Assert.False(report.IsValid);
        Assert.Contains(report.Problems, p => p.Offset == third.Offset);
        File.Delete(new AuditLogPaths(_dir.Path).Frontier);
        AuditLogException ex = Assert.Throws<AuditLogException>(() => AuditLog.Open(TestLogs.Options(_dir.Path)));
        Assert.Contains("covered by a signed checkpoint", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(File.ReadAllBytes(segment).AsSpan((int)third.Offset)));
    }
}
