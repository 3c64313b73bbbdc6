using System.Buffers.Binary;
using Gateway.Audit.Checkpoints;
using Gateway.Audit.Merkle;
using Gateway.Audit.Records;
using Gateway.Audit.Storage;
using Gateway.Audit.Tests.Support;
using Gateway.Audit.Verification;

namespace Gateway.Audit.Tests.Verification;

/// <summary>Every kind of tampering is detected, and located, by verification with the public key alone.</summary>
public sealed class TamperTests : IAsyncLifetime
{
    private const int Count = 30;
    private readonly TestDirectory _dir = new();

    private string Segment => SegmentSurgery.OnlySegment(_dir.Path);

    public async Task InitializeAsync() => await TestLogs.CreateAsync(_dir.Path, Count, checkpointEvery: 10);

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Untouched_Verifies()
    {
        AuditVerificationReport report = Verify();

        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(Count, report.RecordCount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(13)]
    [InlineData(Count - 1)]
    public void FlipAByte_InARecord_IsNamed(int index)
    {
        List<SegmentSurgery.Frame> frames = SegmentSurgery.ReadFrames(Segment);
        byte[] bytes = File.ReadAllBytes(Segment);
        bytes[frames[index].Offset + 4 + frames[index].Leaf.Length - 5] ^= 0x01;
        File.WriteAllBytes(Segment, bytes);

        AuditVerificationProblem first = Verify().Problems[0];
        Assert.Equal(index, first.RecordIndex);
        Assert.Contains("leaf hash", first.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FlipAByte_InTheClearHeader_IsNamed()
    {
        List<SegmentSurgery.Frame> frames = SegmentSurgery.ReadFrames(Segment);
        byte[] bytes = File.ReadAllBytes(Segment);
        bytes[frames[7].Offset + 4 + 22] ^= 0x04; // the outcome byte
        File.WriteAllBytes(Segment, bytes);

        Assert.Equal(7, Verify().Problems[0].RecordIndex);
    }

    [Fact]
    public void DeleteARecord_IsNamed()
    {
        List<SegmentSurgery.Frame> frames = SegmentSurgery.ReadFrames(Segment);
        frames.RemoveAt(12);
        SegmentSurgery.WriteFrames(Segment, frames);

        AuditVerificationProblem first = Verify().Problems[0];
        Assert.Equal(12, first.RecordIndex);
    }

    [Fact]
    public void ReorderTwoRecords_IsNamed()
    {
        List<SegmentSurgery.Frame> frames = SegmentSurgery.ReadFrames(Segment);
        (frames[20], frames[21]) = (frames[21], frames[20]);
        SegmentSurgery.WriteFrames(Segment, frames);

        Assert.Equal(20, Verify().Problems[0].RecordIndex);
    }

    [Fact]
    public void TruncateTheLastRecords_AtAFrameBoundary_IsNamed()
    {
        List<SegmentSurgery.Frame> frames = SegmentSurgery.ReadFrames(Segment);
        SegmentSurgery.WriteFrames(Segment, frames.Take(25));

        AuditVerificationReport report = Verify();
        Assert.False(report.IsValid);
        AuditVerificationProblem problem = Assert.Single(report.Problems);
        Assert.Equal(25, problem.RecordIndex);
        Assert.Contains("deleted or truncated", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncateInsideARecord_IsNamed()
    {
        List<SegmentSurgery.Frame> frames = SegmentSurgery.ReadFrames(Segment);
        using (var stream = new FileStream(Segment, FileMode.Open))
        {
            stream.SetLength(frames[Count - 1].Offset + 10);
        }

        Assert.Equal(Count - 1, Verify().Problems[0].RecordIndex);
    }

    [Fact]
    public void AppendAForgedRecord_WithAValidChain_IsNamed()
    {
        // The forger knows the format and appends a record whose hash and chain link are right, but has no key at all.
        List<SegmentSurgery.Frame> frames = SegmentSurgery.ReadFrames(Segment);
        byte[] leaf = (byte[])frames[^1].Leaf.Clone();
        BinaryPrimitives.WriteInt64BigEndian(leaf.AsSpan(1), Count);
        frames[^1].Hash.CopyTo(leaf, 27);
        frames.Add(new SegmentSurgery.Frame(0, leaf, MerkleHasher.HashLeaf(leaf)));
        SegmentSurgery.WriteFrames(Segment, frames);

        AuditVerificationReport report = Verify();
        AuditVerificationProblem problem = Assert.Single(report.Problems);
        Assert.Equal(Count, problem.RecordIndex);
        Assert.Contains("not covered by any signed checkpoint", problem.Message, StringComparison.Ordinal);

        // With the data key the forgery is named as such: it does not decrypt.
        using AuditDataKey key = AuditDataKey.Load(new AuditLogPaths(_dir.Path).DataKey, create: false);
        AuditVerificationReport deep = AuditLogVerifier.Verify(_dir.Path, Verifier(), new AuditVerifyOptions { DataKey = key });
        Assert.Equal(Count, deep.Problems[0].RecordIndex);
        Assert.Contains("does not decrypt", deep.Problems[0].Message, StringComparison.Ordinal);

        // And the gateway refuses to sign it into its next checkpoint.
        AuditLogException refused = Assert.Throws<AuditLogException>(() => AuditLog.Open(TestLogs.Options(_dir.Path)));
        Assert.Contains("record 30", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplaceTheWholeSegment_WithARecomputedChain_IsLocatedByTheCheckpoints()
    {
        // An insider with the data key (not the signing key) rewrites record 15 and recomputes every hash after it.
        using AuditDataKey key = AuditDataKey.Load(new AuditLogPaths(_dir.Path).DataKey, create: false);
        List<SegmentSurgery.Frame> frames = SegmentSurgery.ReadFrames(Segment);
        byte[] previous = frames[14].Hash;
        var forged = frames.Take(15).ToList();
        for (int i = 15; i < frames.Count; i++)
        {
            AuditRecord record = i == 15
                ? SampleRecords.Transfer(15, patientId: "SOMEONE-ELSE")
                : Gateway.Audit.Export.AuditSearch.Decrypt(AuditLeaf.Parse(frames[i].Leaf, out _)!, key);
            AuditLeaf leaf = AuditLeaf.Create(i, record, previous, key);
            previous = MerkleHasher.HashLeaf(leaf.Bytes);
            forged.Add(new SegmentSurgery.Frame(0, leaf.Bytes, previous));
        }

        SegmentSurgery.WriteFrames(Segment, forged);

        AuditVerificationReport report = AuditLogVerifier.Verify(_dir.Path, Verifier(), new AuditVerifyOptions { DataKey = key });
        Assert.False(report.IsValid);
        AuditVerificationProblem first = report.Problems[0];
        Assert.Equal(10, first.RecordIndex);
        Assert.Contains("records 10 to 19 were altered", first.Message, StringComparison.Ordinal);
        Assert.NotNull(first.CheckpointNumber);
    }

    [Fact]
    public void AlterACheckpoint_IsNamed()
    {
        string path = new AuditLogPaths(_dir.Path).Checkpoints;
        IReadOnlyList<CheckpointStore.StoredNote> notes = CheckpointStore.ReadAll(path, out _, out _);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[notes[1].Offset + 4 + 25] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        AuditVerificationProblem problem = Verify().Problems[0];
        Assert.Equal(1, problem.CheckpointNumber);
        Assert.Contains("signature or format invalid", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACheckpointSignedByAnotherKey_IsNamed()
    {
        string path = new AuditLogPaths(_dir.Path).Checkpoints;
        NoteSigner forger = NoteSigner.Generate("test.example/audit");
        string note = forger.Sign(CheckpointFormat.Format(new Checkpoint("test.example/audit", Count, new byte[32], DateTimeOffset.UtcNow)));
        using (var stream = new FileStream(path, FileMode.Append))
        {
            stream.Write(CheckpointStore.Frame(note));
        }

        AuditVerificationReport report = Verify();
        Assert.Contains(report.Problems, p => p.CheckpointNumber == report.CheckpointCount - 1 && p.Message.Contains("no signature by", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RemoveASegment_IsNamed()
    {
        string directory = Path.Combine(_dir.Path, "split");
        await TestLogs.CreateAsync(directory, 40, checkpointEvery: 10, segmentMaxBytes: 8 * 1024);
        IReadOnlyList<(long FirstIndex, string Path)> segments = new AuditLogPaths(directory).ListSegments();
        File.Delete(segments[1].Path);

        AuditVerificationReport report = AuditLogVerifier.Verify(directory, new AuditLogReader(new AuditLogPaths(directory)).StoredVerifier());
        Assert.Equal(segments[1].FirstIndex, report.Problems[0].RecordIndex);
    }

    private NoteVerifier Verifier() => new AuditLogReader(new AuditLogPaths(_dir.Path)).StoredVerifier();

    private AuditVerificationReport Verify() => AuditLogVerifier.Verify(_dir.Path, Verifier());
}
