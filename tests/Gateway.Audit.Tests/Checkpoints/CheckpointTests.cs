using Gateway.Audit.Checkpoints;

namespace Gateway.Audit.Tests.Checkpoints;

public sealed class CheckpointTests
{
    private static readonly Checkpoint Sample = new("test.example/audit", 42, Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), new DateTimeOffset(2025, 1, 2, 3, 4, 5, 678, TimeSpan.Zero));

    [Fact]
    public void Format_Parse_RoundTrips()
    {
        string body = CheckpointFormat.Format(Sample);

        Assert.Equal("test.example/audit\n42\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\ntime 2025-01-02T03:04:05.678Z\n", body);
        Checkpoint parsed = CheckpointFormat.Parse(body);
        Assert.Equal(Sample.Origin, parsed.Origin);
        Assert.Equal(Sample.Size, parsed.Size);
        Assert.Equal(Sample.Root, parsed.Root);
        Assert.Equal(Sample.Time, parsed.Time);
    }

    [Theory]
    [InlineData("test.example/audit\n042\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\ntime 2025-01-02T03:04:05.678Z\n")]
    [InlineData("test.example/audit\n42\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n")]
    [InlineData("test.example/audit\n42\nAAEC\ntime 2025-01-02T03:04:05.678Z\n")]
    [InlineData("test example\n42\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\ntime 2025-01-02T03:04:05.678Z\n")]
    [InlineData("test.example/audit\n-1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\ntime 2025-01-02T03:04:05.678Z\n")]
    [InlineData("test.example/audit\n42\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\ntime yesterday\n")]
    public void Parse_Malformed_Throws(string body) => Assert.Throws<FormatException>(() => CheckpointFormat.Parse(body));

    [Fact]
    public void SignedNote_SignThenOpen_ReturnsTheText()
    {
        NoteSigner signer = NoteSigner.Generate("test.example/audit");
        string body = CheckpointFormat.Format(Sample);
        string note = signer.Sign(body);

        Assert.Contains("\n\n\u2014 test.example/audit ", note, StringComparison.Ordinal);
        Assert.Equal(body, SignedNote.Open(note, signer.Verifier));
    }

    [Fact]
    public void SignedNote_AlteredText_IsRejected()
    {
        NoteSigner signer = NoteSigner.Generate("test.example/audit");
        string note = signer.Sign(CheckpointFormat.Format(Sample)).Replace("\n42\n", "\n43\n", StringComparison.Ordinal);

        Assert.Throws<FormatException>(() => SignedNote.Open(note, signer.Verifier));
    }

    [Theory]
    [InlineData("\n\n")]
    [InlineData("\n\n\n")]
    public void SignedNote_EndingInTheBlankLine_IsAFormatError(string ending)
    {
        // Found by the audit-bundle fuzz target: a checkpoint cut right after its blank line made Open slice a negative
        // length (ArgumentOutOfRangeException escaped verify-export).
        NoteSigner signer = NoteSigner.Generate("test.example/audit");
        string note = CheckpointFormat.Format(Sample).TrimEnd('\n') + ending;

        FormatException ex = Assert.Throws<FormatException>(() => SignedNote.Open(note, signer.Verifier));
        Assert.Contains("no signature after the blank line", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SignedNote_OtherKey_IsRejected()
    {
        NoteSigner signer = NoteSigner.Generate("test.example/audit");
        NoteSigner other = NoteSigner.Generate("test.example/audit");
        string note = other.Sign(CheckpointFormat.Format(Sample));

        FormatException ex = Assert.Throws<FormatException>(() => SignedNote.Open(note, signer.Verifier));
        Assert.Contains("no signature by", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_EncodeParse_RoundTrip()
    {
        NoteSigner signer = NoteSigner.Generate("test.example/audit");
        NoteSigner parsed = NoteSigner.Parse(signer.Encode());
        NoteVerifier verifier = NoteVerifier.Parse(signer.Verifier.Encode());

        Assert.Equal(signer.PublicKey, parsed.PublicKey);
        Assert.Equal(signer.KeyId, verifier.KeyId);
        Assert.StartsWith("test.example/audit+" + NoteKeys.Hex(signer.KeyId) + "+", verifier.Encode(), StringComparison.Ordinal);
        string note = parsed.Sign("hello\n");
        Assert.Equal("hello\n", SignedNote.Open(note, verifier));
    }

    [Fact]
    public void KeyId_IsSha256OfNameNewlineTypeAndKey()
    {
        // C2SP signed-note: key ID = SHA-256(key name || 0x0A || 0x01 || public key)[:4].
        byte[] key = new byte[32];
        byte[] input = [.. "example.com/log"u8, 0x0A, 0x01, .. key];
        uint expected = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(System.Security.Cryptography.SHA256.HashData(input));
        Assert.Equal(expected, NoteKeys.KeyId("example.com/log", key));
    }

    [Theory]
    [InlineData("PRIVATE+KEY+a+00000000+AAAA")]
    [InlineData("nonsense")]
    [InlineData("a+b+c")]
    public void Parse_MalformedKeys_Throw(string text)
    {
        Assert.Throws<FormatException>(() => NoteSigner.Parse(text));
        Assert.Throws<FormatException>(() => NoteVerifier.Parse(text));
    }

    [Fact]
    public void Parse_VerifierKeyThatIsNoCurvePoint_IsAFormatError()
    {
        // 32 bytes encoding y = 2^255 - 1, which is not below the field prime: no Ed25519 point (found by the audit-bundle
        // fuzz target; BouncyCastle's ArgumentException escaped verify-export).
        byte[] key = [.. Enumerable.Repeat((byte)0xFF, 31), 0x7F];
        string text = "test.example/audit+" + NoteKeys.Hex(NoteKeys.KeyId("test.example/audit", key)) + "+" + Convert.ToBase64String([NoteKeys.Ed25519Type, .. key]);

        FormatException ex = Assert.Throws<FormatException>(() => NoteVerifier.Parse(text));
        Assert.StartsWith("malformed note verifier key", ex.Message, StringComparison.Ordinal);
    }
}
