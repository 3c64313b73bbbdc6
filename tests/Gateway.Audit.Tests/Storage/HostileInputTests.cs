using CsCheck;
using Gateway.Audit.Checkpoints;
using Gateway.Audit.Export;
using Gateway.Audit.Records;
using Gateway.Audit.Storage;
using Gateway.Audit.Tests.Support;
using Gateway.Audit.Verification;

namespace Gateway.Audit.Tests.Storage;

/// <summary>Malformed or truncated files never crash, hang, or allocate what a length field claims.</summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void LeafParse_RandomBytes_NeverThrows()
    {
        Gen.Byte.Array[0, 600].Sample(bytes =>
        {
            _ = AuditLeaf.Parse(bytes, out _);
        }, iter: 5000);
    }

    [Fact]
    public async Task Verify_SegmentTruncatedAtEveryLength_ReportsAndNeverThrows()
    {
        string log = _dir.Combine("log");
        await TestLogs.CreateAsync(log, 4);
        string segment = SegmentSurgery.OnlySegment(log);
        byte[] whole = await File.ReadAllBytesAsync(segment);
        NoteVerifier verifier = new AuditLogReader(new AuditLogPaths(log)).StoredVerifier();
        for (int length = 0; length < whole.Length; length += 7)
        {
            await File.WriteAllBytesAsync(segment, whole[..length]);
            AuditVerificationReport report = AuditLogVerifier.Verify(log, verifier);
            Assert.False(report.IsValid);
        }
    }

    [Fact]
    public async Task Verify_RandomGarbageSegments_ReportsAndNeverThrows()
    {
        string log = _dir.Combine("log");
        await TestLogs.CreateAsync(log, 2);
        string segment = SegmentSurgery.OnlySegment(log);
        byte[] header = (await File.ReadAllBytesAsync(segment))[..SegmentFormat.HeaderSize];
        NoteVerifier verifier = new AuditLogReader(new AuditLogPaths(log)).StoredVerifier();
        Gen.Byte.Array[0, 2000].Sample(garbage =>
        {
            File.WriteAllBytes(segment, [.. header, .. garbage]);
            return !AuditLogVerifier.Verify(log, verifier).IsValid;
        }, iter: 300, threads: 1);
    }

    [Fact]
    public async Task Verify_HugeLengthField_IsRejectedWithoutAllocating()
    {
        string log = _dir.Combine("log");
        await TestLogs.CreateAsync(log, 1);
        string segment = SegmentSurgery.OnlySegment(log);
        byte[] bytes = await File.ReadAllBytesAsync(segment);
        bytes[SegmentFormat.HeaderSize] = 0x7F; // length 2 GiB
        await File.WriteAllBytesAsync(segment, bytes);

        AuditVerificationReport report = AuditLogVerifier.Verify(log, new AuditLogReader(new AuditLogPaths(log)).StoredVerifier());
        Assert.Contains("length out of range", report.Problems[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_SegmentWithBadMagic_IsRefusedWithAClearError()
    {
        string log = _dir.Combine("log");
        await TestLogs.CreateAsync(log, 2);
        string segment = SegmentSurgery.OnlySegment(log);
        byte[] bytes = await File.ReadAllBytesAsync(segment);
        bytes[0] = (byte)'X';
        await File.WriteAllBytesAsync(segment, bytes);

        AuditLogException ex = Assert.Throws<AuditLogException>(() => AuditLog.Open(TestLogs.Options(log)));
        Assert.Contains("bad magic", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SignedNote_Garbage_NeverThrowsAnythingButFormatException()
    {
        NoteVerifier verifier = NoteSigner.Generate("x.example/log").Verifier;
        Gen.String.Sample(text =>
        {
            try
            {
                _ = SignedNote.Open(text, verifier);
                return false;
            }
            catch (FormatException)
            {
                return true;
            }
        }, iter: 2000);
    }

    [Fact]
    public void RecordDeserialize_MalformedJson_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => AuditRecordSerializer.Deserialize("{\"eventId\":\"Query\"}"u8));
        Assert.Throws<FormatException>(() => AuditRecordSerializer.Deserialize("{\"unknown\":1}"u8));
        Assert.Throws<FormatException>(() => AuditRecordSerializer.Deserialize("[[[[[[[[[[[[[[[[[[[[[[[[[[[["u8));
        Assert.Throws<FormatException>(() => AuditRecordSerializer.Deserialize(new byte[AuditRecordLimits.MaxSerializedBytes + 1]));
    }

    [Fact]
    public void Search_ByPatient_UsesTheKeyedHashOnly()
    {
        using AuditDataKey key = AuditDataKey.FromBytes(new byte[32]);
        Assert.Equal(key.PatientHash("PID-1"), key.PatientHash("PID-1  "));
        Assert.NotEqual(key.PatientHash("PID-1"), key.PatientHash("PID-2"));
        using AuditDataKey other = AuditDataKey.FromBytes(Enumerable.Repeat((byte)1, 32).ToArray());
        Assert.NotEqual(key.PatientHash("PID-1"), other.PatientHash("PID-1"));
        _ = new AuditFilter();
    }
}
