using Gateway.Archive.Tests.Support;

namespace Gateway.Archive.Tests;

/// <summary>The object format against tampering: every alteration of an object file (or of its index row) is detected on read.</summary>
public sealed class ObjectTamperTests : IDisposable
{
    private const int Chunk = 4096;
    private const int Record = Chunk + 16;
    private const int Header = 40;
    private readonly ArchiveHarness _h = new();
    private readonly ArchiveStore _store;
    private readonly TestInstance _a = new() { PixelBytes = 20_000, Seed = 11 };
    private readonly TestInstance _b = new() { PixelBytes = 20_000, Seed = 12 };

    public ObjectTamperTests()
    {
        _store = _h.Open(o => o with { ChunkSize = Chunk });
        _store.StoreAsync(_a.Request(), _a.Open(), CancellationToken.None).GetAwaiter().GetResult();
        _store.StoreAsync(_b.Request(), _b.Open(), CancellationToken.None).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _store.Dispose();
        _h.Dispose();
    }

    [Fact]
    public async Task Untouched_ReadsBack()
    {
        Assert.Equal(_a.ToArray(), await ArchiveHarness.ReadAllAsync(await _store.OpenDataSetAsync(_a.SopUid, CancellationToken.None)));
        Assert.True(new FileInfo(_h.ObjectFileOf(_a.SopUid)).Length > Header + (4 * Record));
    }

    [Fact]
    public async Task FlippedByteInChunk_FailsThatChunkAndReturnsNothingOfIt()
    {
        string file = _h.ObjectFileOf(_a.SopUid);
        Patch(file, Header + (2 * Record) + 100, b => (byte)(b ^ 0x01));

        (int returned, ArchiveIntegrityException ex) = await ReadUntilFailureAsync(_a.SopUid);

        Assert.Contains("chunk 2", ex.Message, StringComparison.Ordinal);
        Assert.True(returned <= 2 * Chunk, $"{returned} bytes came out; only the two chunks before the altered one may");
    }

    [Fact]
    public async Task FlippedTagByte_Fails()
    {
        string file = _h.ObjectFileOf(_a.SopUid);
        Patch(file, Header + Record - 1, b => (byte)(b ^ 0x80));

        await ReadUntilFailureAsync(_a.SopUid);
    }

    [Fact]
    public async Task TruncatedAtChunkBoundary_FailsForTheMissingFinalChunk()
    {
        string file = _h.ObjectFileOf(_a.SopUid);
        long length = new FileInfo(file).Length;
        long fullChunks = (length - Header) / Record;
        using (var s = new FileStream(file, FileMode.Open))
        {
            s.SetLength(Header + (fullChunks * Record));
        }

        (_, ArchiveIntegrityException ex) = await ReadUntilFailureAsync(_a.SopUid);

        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TruncatedInsideAChunk_Fails()
    {
        string file = _h.ObjectFileOf(_a.SopUid);
        using (var s = new FileStream(file, FileMode.Open))
        {
            s.SetLength(Header + Record + 1000);
        }

        await ReadUntilFailureAsync(_a.SopUid);
    }

    [Fact]
    public async Task TruncatedToHeaderOnly_Fails()
    {
        string file = _h.ObjectFileOf(_a.SopUid);
        using (var s = new FileStream(file, FileMode.Open))
        {
            s.SetLength(Header);
        }

        await ReadUntilFailureAsync(_a.SopUid);
    }

    [Fact]
    public async Task SwappedChunks_Fail()
    {
        string file = _h.ObjectFileOf(_a.SopUid);
        byte[] bytes = File.ReadAllBytes(file);
        byte[] one = bytes.AsSpan(Header + Record, Record).ToArray();
        bytes.AsSpan(Header + (2 * Record), Record).CopyTo(bytes.AsSpan(Header + Record));
        one.CopyTo(bytes.AsSpan(Header + (2 * Record)));
        File.WriteAllBytes(file, bytes);

        (int returned, _) = await ReadUntilFailureAsync(_a.SopUid);

        Assert.True(returned <= Chunk);
    }

    [Fact]
    public async Task AppendedBytes_Fail()
    {
        string file = _h.ObjectFileOf(_a.SopUid);
        using (var s = new FileStream(file, FileMode.Append))
        {
            s.Write(new byte[Record]);
        }

        await ReadUntilFailureAsync(_a.SopUid);
    }

    [Fact]
    public async Task SwappedObjectFiles_BothFail()
    {
        string fa = _h.ObjectFileOf(_a.SopUid);
        string fb = _h.ObjectFileOf(_b.SopUid);
        File.Move(fa, fa + ".x");
        File.Move(fb, fa);
        File.Move(fa + ".x", fb);

        (_, ArchiveIntegrityException ex) = await ReadUntilFailureAsync(_a.SopUid);
        await ReadUntilFailureAsync(_b.SopUid);

        Assert.Contains("swapped", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherObjectWithPatchedObjectId_FailsAuthentication()
    {
        // B's file given A's name and A's object id in its header: the header is authenticated, and B's chunks are bound to
        // B's UID and B's data key, so nothing of it decrypts as A.
        string fa = _h.ObjectFileOf(_a.SopUid);
        string fb = _h.ObjectFileOf(_b.SopUid);
        byte[] idA = File.ReadAllBytes(fa).AsSpan(24, 16).ToArray();
        byte[] b = File.ReadAllBytes(fb);
        idA.CopyTo(b, 24);
        File.WriteAllBytes(fa, b);

        (int returned, _) = await ReadUntilFailureAsync(_a.SopUid);

        Assert.Equal(0, returned);
    }

    [Fact]
    public async Task AlteredHeaderKeyVersion_FailsAuthentication()
    {
        string file = _h.ObjectFileOf(_a.SopUid);
        Patch(file, 15, b => (byte)(b + 1));

        (int returned, _) = await ReadUntilFailureAsync(_a.SopUid);

        Assert.Equal(0, returned);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task MalformedHeader_RefusedAtOpen(int offset)
    {
        string file = _h.ObjectFileOf(_a.SopUid);

        // Offset 8 is the chunk size: 0xFF.. would ask for a 4 GiB buffer; it is refused before any allocation.
        Patch(file, offset, _ => 0xFF);

        await Assert.ThrowsAsync<ArchiveIntegrityException>(() => _store.OpenDataSetAsync(_a.SopUid, CancellationToken.None));
    }

    [Fact]
    public async Task EmptyOrGarbageFile_RefusedAtOpen()
    {
        string file = _h.ObjectFileOf(_a.SopUid);
        File.WriteAllBytes(file, []);
        await Assert.ThrowsAsync<ArchiveIntegrityException>(() => _store.OpenDataSetAsync(_a.SopUid, CancellationToken.None));

        File.WriteAllBytes(file, System.Text.Encoding.ASCII.GetBytes(new string('x', 5000)));
        await Assert.ThrowsAsync<ArchiveIntegrityException>(() => _store.OpenDataSetAsync(_a.SopUid, CancellationToken.None));
    }

    [Fact]
    public async Task MissingObjectFile_RefusedAtOpen()
    {
        File.Delete(_h.ObjectFileOf(_a.SopUid));

        ArchiveIntegrityException ex = await Assert.ThrowsAsync<ArchiveIntegrityException>(() => _store.OpenDataSetAsync(_a.SopUid, CancellationToken.None));

        Assert.Contains("missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrappedKeyAlteredInIndex_RefusedAtOpen()
    {
        byte[] wrapped = (byte[])_h.Query("SELECT wrapped_key FROM instances WHERE sop_instance_uid = $p0", _a.SopUid)!;
        wrapped[5] ^= 1;
        _h.Execute("UPDATE instances SET wrapped_key = $p0 WHERE sop_instance_uid = $p1", wrapped, _a.SopUid);

        await Assert.ThrowsAsync<ArchiveIntegrityException>(() => _store.OpenDataSetAsync(_a.SopUid, CancellationToken.None));
    }

    [Fact]
    public async Task WrappedKeysSwappedInIndex_ReadFails()
    {
        byte[] wa = (byte[])_h.Query("SELECT wrapped_key FROM instances WHERE sop_instance_uid = $p0", _a.SopUid)!;
        byte[] wb = (byte[])_h.Query("SELECT wrapped_key FROM instances WHERE sop_instance_uid = $p0", _b.SopUid)!;
        _h.Execute("UPDATE instances SET wrapped_key = $p0 WHERE sop_instance_uid = $p1", wb, _a.SopUid);
        _h.Execute("UPDATE instances SET wrapped_key = $p0 WHERE sop_instance_uid = $p1", wa, _b.SopUid);

        (int returned, _) = await ReadUntilFailureAsync(_a.SopUid);

        Assert.Equal(0, returned);
    }

    [Fact]
    public async Task SizeAlteredInIndex_FailsAtTheEnd()
    {
        _h.Execute("UPDATE instances SET size = size - 2 WHERE sop_instance_uid = $p0", _a.SopUid);

        (_, ArchiveIntegrityException ex) = await ReadUntilFailureAsync(_a.SopUid);

        Assert.Contains("index recorded", ex.Message, StringComparison.Ordinal);
    }

    private static void Patch(string file, long offset, Func<byte, byte> change)
    {
        using var s = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        s.Position = offset;
        int b = s.ReadByte();
        s.Position = offset;
        s.WriteByte(change((byte)b));
    }

    private async Task<(int Returned, ArchiveIntegrityException Error)> ReadUntilFailureAsync(string sopInstanceUid)
    {
        int returned = 0;
        ArchiveIntegrityException ex = await Assert.ThrowsAsync<ArchiveIntegrityException>(async () =>
        {
            await using ArchivedInstance? instance = await _store.OpenDataSetAsync(sopInstanceUid, CancellationToken.None);
            Assert.NotNull(instance);
            byte[] buffer = new byte[1000];
            int n;
            while ((n = await instance.Stream.ReadAsync(buffer)) > 0)
            {
                returned += n;
            }
        });
        return (returned, ex);
    }
}
