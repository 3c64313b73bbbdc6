using System.Security.Cryptography;
using CsCheck;
using Gateway.Archive.Crypto;

namespace Gateway.Archive.Tests.Crypto;

public sealed class ObjectFormatTests
{
    private const string Uid = "1.2.826.0.1.3680043.10.1";

    [Fact]
    public void WriterAndReader_AnyLengthChunkSizeAndWriteSplit_RoundTripWithTheDocumentedLayout()
    {
        Gen.Select(Gen.Int[0, 70_000], Gen.Int[4096, 9000], Gen.Int[1, 20_000], Gen.Int[1, 5000])
            .Sample((length, chunk, split, readSize) =>
            {
                byte[] plain = RandomNumberGenerator.GetBytes(length);
                byte[] key = RandomNumberGenerator.GetBytes(32);
                byte[] file = Write(plain, key, chunk, split, out byte[] id);

                int full = length / chunk;
                Assert.Equal(40 + ((long)full * (chunk + 16)) + (length % chunk) + 16, file.Length);
                Assert.Equal(plain, Read(file, key, id, length, readSize));
            }, iter: 200);
    }

    [Fact]
    public void WriterAndReader_ExactMultipleOfTheChunkSize_EndsWithAnEmptyFinalChunk()
    {
        byte[] plain = RandomNumberGenerator.GetBytes(3 * 4096);
        byte[] key = RandomNumberGenerator.GetBytes(32);

        byte[] file = Write(plain, key, 4096, 1000, out byte[] id);

        Assert.Equal(40 + (3 * 4112) + 16, file.Length);
        Assert.Equal(plain, Read(file, key, id, plain.Length, 777));

        // Without its empty final chunk the file ends on a full chunk: truncation, detected.
        Assert.Throws<ArchiveIntegrityException>(() => Read(file[..^16], key, id, plain.Length, 4096));
    }

    [Fact]
    public void Reader_AnySingleBitFlip_IsDetected()
    {
        byte[] plain = RandomNumberGenerator.GetBytes(10_000);
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] file = Write(plain, key, 4096, 4096, out byte[] id);

        Gen.Int[0, file.Length - 1].Select(Gen.Int[0, 7]).Sample((offset, bit) =>
        {
            byte[] altered = (byte[])file.Clone();
            altered[offset] ^= (byte)(1 << bit);
            Assert.Throws<ArchiveIntegrityException>(() => Read(altered, key, id, plain.Length, 4096));
        }, iter: 300);
    }

    [Fact]
    public async Task Reader_WrongUid_FailsTheFirstChunk()
    {
        byte[] plain = RandomNumberGenerator.GetBytes(100);
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] file = Write(plain, key, 4096, 100, out byte[] id);

        await using DecryptingObjectStream stream = await DecryptingObjectStream.OpenAsync(new MemoryStream(file), key, id, Uid + ".2", plain.Length, CancellationToken.None);

        Assert.Throws<ArchiveIntegrityException>(() => stream.ReadByte());
    }

    [Fact]
    public void Format2_WriterAndReader_RoundTripWithTheWrappedKeyInAnEightyByteHeader()
    {
        byte[] plain = RandomNumberGenerator.GetBytes(10_000);
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] kek = RandomNumberGenerator.GetBytes(32);
        byte[] wrapped = KeyWrap.Wrap(kek, key);

        byte[] file = Write(plain, key, 4096, 3000, out byte[] id, wrapped, kekVersion: 7);

        Assert.Equal(80 + (2 * 4112) + (10_000 % 4096) + 16, file.Length);
        Assert.Equal(2, file[4]);
        Assert.Equal([0, 80], file[6..8]);
        Assert.Equal([0, 0, 0, 7], file[12..16]);
        Assert.Equal(wrapped, file[40..80]);
        Assert.Equal(key, KeyWrap.Unwrap(kek, file[40..80]));
        ObjectHeader parsed = ObjectHeader.Parse(file);
        Assert.Equal(wrapped, parsed.WrappedKey);
        Assert.Equal(7, parsed.CreationKekVersion);
        Assert.Equal(plain, Read(file, key, id, plain.Length, 1000));
    }

    [Fact]
    public void Format2_ChunksAreAuthenticatedUnderTheFirstFortyHeaderBytesOnly()
    {
        // The AAD is header bytes 0-39, UID, chunk index and final flag: the same chunks under another wrapped key still
        // verify (the key wrap authenticates the wrapped key itself), while any change to bytes 0-39 fails them.
        byte[] plain = RandomNumberGenerator.GetBytes(5000);
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] file = Write(plain, key, 4096, 5000, out byte[] id, RandomNumberGenerator.GetBytes(40));

        byte[] otherWrap = (byte[])file.Clone();
        RandomNumberGenerator.Fill(otherWrap.AsSpan(40, 40));
        Assert.Equal(plain, Read(otherWrap, key, id, plain.Length, 4096));

        byte[] nonce = (byte[])file.Clone();
        nonce[16] ^= 1;
        Assert.Throws<ArchiveIntegrityException>(() => Read(nonce, key, id, plain.Length, 4096));
    }

    [Fact]
    public void Format1_ObjectsWrittenWithTheOldLayout_StayReadable()
    {
        byte[] plain = RandomNumberGenerator.GetBytes(9000);
        byte[] key = RandomNumberGenerator.GetBytes(32);

        byte[] file = Write(plain, key, 4096, 9000, out byte[] id);

        Assert.Equal(1, file[4]);
        Assert.Equal([0, 40], file[6..8]);
        Assert.Null(ObjectHeader.Parse(file).WrappedKey);
        Assert.Equal(plain, Read(file, key, id, plain.Length, 4096));
    }

    [Fact]
    public void Format2_TruncatedOrGarbledHeaders_AreRejectedWithIntegrityException()
    {
        byte[] plain = RandomNumberGenerator.GetBytes(100);
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] file = Write(plain, key, 4096, 100, out byte[] id, RandomNumberGenerator.GetBytes(40));

        // Every cut inside the 80-byte header.
        for (int length = 0; length < 80; length++)
        {
            Assert.Throws<ArchiveIntegrityException>(() => Read(file[..length], key, id, plain.Length, 4096));
        }

        // A version 2 header claiming version 1's length, version 1 claiming version 2's, an unknown version, flags.
        foreach ((int offset, byte value) in new[] { (7, (byte)40), (4, (byte)1), (4, (byte)3), (5, (byte)1), (7, (byte)255) })
        {
            byte[] garbled = (byte[])file.Clone();
            garbled[offset] = value;
            Assert.Throws<ArchiveIntegrityException>(() => Read(garbled, key, id, plain.Length, 4096));
        }

        // A version 1 object whose header says version 2 reads its first chunk as a wrapped key: refused, never misread.
        byte[] v1 = Write(plain, key, 4096, 100, out byte[] id1);
        v1[4] = 2;
        v1[7] = 80;
        Assert.Throws<ArchiveIntegrityException>(() => Read(v1, key, id1, plain.Length, 4096));
    }

    private static byte[] Write(byte[] plain, byte[] key, int chunk, int split, out byte[] id, byte[]? wrappedKey = null, int kekVersion = 1)
    {
        id = RandomNumberGenerator.GetBytes(16);
        var output = new MemoryStream();
        var header = new ObjectHeader(chunk, kekVersion, RandomNumberGenerator.GetBytes(8), id, wrappedKey);
        using (var writer = new EncryptingObjectWriter(output, key, header, Uid))
        {
            for (int offset = 0; offset < plain.Length; offset += split)
            {
                writer.WriteAsync(plain.AsMemory(offset, Math.Min(split, plain.Length - offset)), CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }

            writer.CompleteAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
            Assert.Equal(plain.Length, writer.PlaintextLength);
            Assert.Equal(output.Length, writer.FileLength);
        }

        return output.ToArray();
    }

    private static byte[] Read(byte[] file, byte[] key, byte[] id, long length, int readSize)
    {
        using DecryptingObjectStream stream = DecryptingObjectStream.OpenAsync(new MemoryStream(file), key, id, Uid, length, CancellationToken.None).GetAwaiter().GetResult();
        var result = new MemoryStream();
        byte[] buffer = new byte[readSize];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            result.Write(buffer, 0, n);
        }

        return result.ToArray();
    }
}
