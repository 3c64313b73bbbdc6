using Gateway.Audit.Records;
using Gateway.Audit.Storage;
using Gateway.Audit.Tests.Support;
using Gateway.Audit.Verification;

namespace Gateway.Audit.Tests.Verification;

/// <summary>
/// Verification of logs larger than one read chunk (4096 records): chunks checked in parallel and joined in order must
/// locate tampering exactly as a record-by-record check does, with chunks that end early (large records) as well.
/// </summary>
public sealed class LargeLogVerificationTests : IAsyncLifetime
{
    private const int Count = 9000;
    private readonly TestDirectory _dir = new();

    public async Task InitializeAsync()
    {
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path, checkpointEvery: 1000) with { SegmentMaxBytes = 4L << 20 });
        await using (log)
        {
            await LogFiles.AppendManyAsync(log, Count, writers: 32);
        }
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Untouched_Verifies_AcrossChunksAndSegments()
    {
        AuditVerificationReport report = Verify(_dir.Path);

        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(Count, report.RecordCount);
        Assert.True(new AuditLogPaths(_dir.Path).ListSegments().Count > 1);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(8191)]
    [InlineData(Count - 1)]
    public void FlipAByte_AroundChunkBoundaries_IsNamed(int index)
    {
        (string segment, long offset, int length) = Locate(_dir.Path, index);
        byte[] bytes = File.ReadAllBytes(segment);
        bytes[offset + 4 + length - 5] ^= 0x01;
        File.WriteAllBytes(segment, bytes);

        AuditVerificationProblem first = Verify(_dir.Path).Problems[0];
        Assert.Equal(index, first.RecordIndex);
        Assert.Equal(offset, first.Offset);
        Assert.Contains("leaf hash", first.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TamperedFrontier_IsReportedByVerify()
    {
        string path = new AuditLogPaths(_dir.Path).Frontier;
        Frontier frontier = FrontierFile.Read(path, out int slot, out _)!;
        byte[] file = File.ReadAllBytes(path);
        FrontierFile.Encode(frontier with { Nodes = [new byte[32], .. frontier.Nodes.Skip(1)] }).CopyTo(file, slot * FrontierFile.SlotSize);
        File.WriteAllBytes(path, file);

        AuditVerificationReport report = Verify(_dir.Path);
        AuditVerificationProblem problem = Assert.Single(report.Problems);
        Assert.Equal("checkpoints/frontier", problem.File);
        Assert.Contains("is not the tree", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LargeRecords_ChunksEndingEarly_StillLocateTampering()
    {
        // About 17 KB per record: 4096 of them do not fit in one read chunk, which then ends early.
        string directory = _dir.Combine("large");
        AuditLog log = AuditLog.Open(TestLogs.Options(directory, checkpointEvery: 100));
        await using (log)
        {
            int next = -1;
            await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
            {
                int n;
                while ((n = Interlocked.Increment(ref next)) < 700)
                {
                    AuditRecord record = SampleRecords.Transfer(n);
                    await log.AppendAsync(record with
                    {
                        ParticipantObjects = [.. record.ParticipantObjects, AuditRecords.QueryObject("1.2.840.10008.5.1.4.1.2.2.1", new byte[AuditRecordLimits.MaxQueryBytes])],
                    });
                }
            }));
        }

        AuditVerificationReport untouched = Verify(directory);
        Assert.True(untouched.IsValid, string.Join("\n", untouched.Problems));
        (string segment, long offset, int length) = Locate(directory, 650);
        byte[] bytes = File.ReadAllBytes(segment);
        bytes[offset + 4 + length - 5] ^= 0x01;
        File.WriteAllBytes(segment, bytes);

        AuditVerificationProblem first = Verify(directory).Problems[0];
        Assert.Equal(650, first.RecordIndex);
    }

    private static (string Segment, long Offset, int Length) Locate(string directory, long index)
    {
        (long first, string path) = new AuditLogPaths(directory).ListSegments().Last(s => s.FirstIndex <= index);
        SegmentSurgery.Frame frame = SegmentSurgery.ReadFrames(path)[(int)(index - first)];
        return (path, frame.Offset, frame.Leaf.Length);
    }

    private static AuditVerificationReport Verify(string directory) =>
        AuditLogVerifier.Verify(directory, new AuditLogReader(new AuditLogPaths(directory)).StoredVerifier());
}
