using System.Text;
using Gateway.Backup.Manifest;

namespace Gateway.Backup.Tests.Manifest;

public sealed class ManifestSerializerTests
{
    private static readonly SnapshotManifest Sample = Build(
    [
        new ManifestEntry("archive/index.db", new string('a', 64), 10, 1),
        new ManifestEntry("archive/objects/ab/" + new string('b', 32) + ".obj", new string('c', 64), 20, 2),
    ]);

    [Fact]
    public void Parse_OfWritten_RoundTrips()
    {
        SnapshotManifest parsed = ManifestSerializer.Parse(ManifestSerializer.Write(Sample));

        Assert.Equal(Sample.Id, parsed.Id);
        Assert.Equal(Sample.Files, parsed.Files);
        Assert.Equal(Sample.MerkleRoot, parsed.MerkleRoot);
        Assert.Equal(Sample.RetainUntil, parsed.RetainUntil);
    }

    [Fact]
    public void Parse_OfEveryTruncation_FailsWithIntegrityError()
    {
        byte[] bytes = ManifestSerializer.Write(Sample);
        for (int length = 0; length < bytes.Length; length += 7)
        {
            Assert.Throws<SnapshotIntegrityException>(() => ManifestSerializer.Parse(bytes.AsSpan(0, length)));
        }
    }

    [Theory]
    [InlineData("\"path\":\"archive/index.db\"", "\"path\":\"../../etc/passwd\"", "outside the data directory")]
    [InlineData("\"path\":\"archive/index.db\"", "\"path\":\"/etc/passwd\"", "outside the data directory")]
    [InlineData("\"path\":\"archive/index.db\"", "\"path\":\"archive/./index.db\"", "outside the data directory")]
    [InlineData("\"sha256\":\"aaaa", "\"sha256\":\"AAAA", "sha256")]
    [InlineData("\"size\":10", "\"size\":-10", "non-negative")]
    [InlineData("\"size\":10", "\"size\":11", "totalBytes")]
    [InlineData("\"format\":\"gateway-backup-manifest/1\"", "\"format\":\"other/1\"", "not a gateway-backup-manifest")]
    [InlineData("\"host\":", "\"hostx\":", "unknown field")]
    [InlineData("\"path\":\"archive/index.db\"", "\"path\":\"archive/zzz.db\"", "out of order")]
    public void Parse_OfHostileManifest_FailsWithClearError(string find, string replace, string expected)
    {
        string text = Encoding.UTF8.GetString(ManifestSerializer.Write(Sample));
        Assert.Contains(find, text, StringComparison.Ordinal);

        SnapshotIntegrityException ex = Assert.Throws<SnapshotIntegrityException>(() => ManifestSerializer.Parse(Encoding.UTF8.GetBytes(text.Replace(find, replace, StringComparison.Ordinal))));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OfAlteredRoot_Fails()
    {
        string text = Encoding.UTF8.GetString(ManifestSerializer.Write(Sample)).Replace(Sample.MerkleRoot, new string('0', 64), StringComparison.Ordinal);

        SnapshotIntegrityException ex = Assert.Throws<SnapshotIntegrityException>(() => ManifestSerializer.Parse(Encoding.UTF8.GetBytes(text)));

        Assert.Contains("merkleRoot", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OfHugeString_FailsBeforeMaterialisingIt_AndNeverQuotesInput()
    {
        string secret = "DOE^JANE" + new string('x', 100_000);
        string text = Encoding.UTF8.GetString(ManifestSerializer.Write(Sample)).Replace("\"host\":\"", "\"host\":\"" + secret, StringComparison.Ordinal);

        SnapshotIntegrityException ex = Assert.Throws<SnapshotIntegrityException>(() => ManifestSerializer.Parse(Encoding.UTF8.GetBytes(text)));

        Assert.DoesNotContain("DOE", ex.Message, StringComparison.Ordinal);
        Assert.Throws<SnapshotIntegrityException>(() => ManifestSerializer.Parse("[1,2,3]"u8));
        Assert.Throws<SnapshotIntegrityException>(() => ManifestSerializer.Parse("{\"format\":{\"a\":{\"b\":{\"c\":{}}}}}"u8));
    }

    [Theory]
    [InlineData("\"host\":\"gw1\"")]
    [InlineData("\"path\":\"archive/index.db\"")]
    [InlineData("\"format\":\"gateway-backup-manifest/1\"")]
    public void Parse_OfStringThatIsNotUtf8_FailsWithIntegrityError(string field)
    {
        // Found by the backup-manifest fuzz target: Utf8JsonReader checks a string's UTF-8 only when GetString transcodes
        // it, and its InvalidOperationException escaped restore and verify.
        byte[] bytes = ManifestSerializer.Write(Sample);
        int at = Encoding.UTF8.GetString(bytes).IndexOf(field, StringComparison.Ordinal) + field.IndexOf(':', StringComparison.Ordinal) + 2;
        bytes[at] = 0xFF;

        SnapshotIntegrityException ex = Assert.Throws<SnapshotIntegrityException>(() => ManifestSerializer.Parse(bytes));

        Assert.Contains("not valid UTF-8", ex.Message, StringComparison.Ordinal);
    }

    private static SnapshotManifest Build(IReadOnlyList<ManifestEntry> files) => new()
    {
        Id = "20261128T150102Z-1a2b3c4d",
        CreatedAt = new DateTimeOffset(2026, 11, 28, 15, 1, 2, 123, TimeSpan.Zero),
        RetainUntil = new DateTimeOffset(2026, 12, 28, 15, 1, 2, 123, TimeSpan.Zero),
        Host = "gw1",
        Files = files,
        MerkleRoot = ManifestMerkle.Root(files),
    };
}
