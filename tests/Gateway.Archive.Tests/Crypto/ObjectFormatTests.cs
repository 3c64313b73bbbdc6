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

    private static byte[] Write(byte[] plain, byte[] key, int chunk, int split, out byte[] id)
    {
        id = RandomNumberGenerator.GetBytes(16);
        var output = new MemoryStream();
        var header = new ObjectHeader(chunk, 1, RandomNumberGenerator.GetBytes(8), id);
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
