using System.Text;
using CsCheck;
using Gateway.DicomWeb.Multipart;
using Gateway.DicomWeb.Tests.Support;

namespace Gateway.DicomWeb.Tests.Multipart;

public sealed class MultipartWriterTests
{
    [Fact]
    public async Task WritePartAsync_TwoParts_WritesTheRfc2046Layout()
    {
        using var output = new MemoryStream();
        var writer = new MultipartWriter(output, "application/dicom", "b0und4ry");

        await writer.WritePartAsync("application/dicom", "ONE"u8.ToArray());
        await writer.WritePartAsync("application/dicom; transfer-syntax=1.2.840.10008.1.2.1", new MemoryStream("TWO"u8.ToArray()), [new("Content-Location", "studies/1")]);
        await writer.CompleteAsync();

        Assert.Equal(
            "--b0und4ry\r\nContent-Type: application/dicom\r\n\r\nONE" +
            "\r\n--b0und4ry\r\nContent-Type: application/dicom; transfer-syntax=1.2.840.10008.1.2.1\r\nContent-Location: studies/1\r\n\r\nTWO" +
            "\r\n--b0und4ry--\r\n",
            Encoding.Latin1.GetString(output.ToArray()));
        Assert.Equal("multipart/related; type=\"application/dicom\"; boundary=b0und4ry", writer.ContentType.ToString());
        Assert.Equal(2, writer.PartCount);
    }

    [Fact]
    public async Task CompleteAsync_NoParts_WritesOnlyTheCloseDelimiter()
    {
        using var output = new MemoryStream();
        var writer = new MultipartWriter(output, "application/dicom", "b");

        await writer.CompleteAsync();
        await writer.CompleteAsync();

        Assert.Equal("--b--\r\n", Encoding.ASCII.GetString(output.ToArray()));
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WritePartAsync("application/dicom", ReadOnlyMemory<byte>.Empty).AsTask());
    }

    [Fact]
    public void Constructor_NoBoundary_PicksARandomOne()
    {
        var first = new MultipartWriter(Stream.Null, "application/dicom");
        var second = new MultipartWriter(Stream.Null, "application/dicom");

        Assert.NotEqual(first.ContentType.Boundary, second.ContentType.Boundary);
        Assert.Matches("^gateway-[0-9a-f]{32}$", first.ContentType.Boundary);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ends with space ")]
    [InlineData("semi;colon")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789x")]
    public void Constructor_BoundaryRfc2046Refuses_Throws(string boundary)
    {
        Assert.Throws<ArgumentException>(() => new MultipartWriter(Stream.Null, "application/dicom", boundary));
    }

    [Theory]
    [InlineData("Content-Location", "a\r\nX-Injected: 1")]
    [InlineData("Bad Name", "v")]
    [InlineData("X-Ok", "snow ☃")]
    public async Task WritePartAsync_HeaderInjection_Throws(string name, string value)
    {
        var writer = new MultipartWriter(Stream.Null, "application/dicom");

        await Assert.ThrowsAsync<ArgumentException>(() => writer.WritePartAsync("application/dicom", ReadOnlyMemory<byte>.Empty, [new(name, value)]).AsTask());
    }

    /// <summary>
    /// Random parts (bytes rich in CR, LF, '-' and boundary fragments, some empty), random boundaries, written by the writer
    /// and read back through pipes cut into random chunks with random read sizes: the same parts, in order.
    /// </summary>
    [Fact]
    public void WriteThenRead_RandomParts_RoundTrip()
    {
        const string bchars = "abcXYZ0189'()+_,-./:=? ";
        Gen<string> boundaries = Gen.Char[bchars].Array[1, 70].Select(c => new string(c).TrimEnd(' ')).Where(b => b.Length > 0);
        Gen<byte[]> bodies = Gen.OneOf(
            Gen.Byte.Array[0, 300],
            Gen.OneOf<byte[]>("\r\n"u8.ToArray(), "--"u8.ToArray(), "\r"u8.ToArray(), "\n"u8.ToArray(), "-"u8.ToArray(), "x"u8.ToArray()).Array[0, 60].Select(a => a.SelectMany(b => b).ToArray()));
        Gen<(string Boundary, byte[][] Parts, int Chunk, int ReadSize)> gen = Gen.Select(boundaries, bodies.Array[0, 8], Gen.Int[1, 64], Gen.Int[1, 100]);

        gen.Sample(
            t =>
            {
                // Content that holds CRLF "--" boundary would end its part early; the writer's random boundaries make that
                // practically impossible, and the generator is told to avoid it.
                byte[] delimiter = Encoding.ASCII.GetBytes("\r\n--" + t.Boundary);
                if (t.Parts.Any(p => ((ReadOnlySpan<byte>)[.. "\r\n"u8, .. p, .. "\r\n"u8]).IndexOf(delimiter) >= 0 || p.AsSpan().StartsWith(delimiter.AsSpan(2))))
                {
                    return;
                }

                using var output = new MemoryStream();
                var writer = new MultipartWriter(output, "application/dicom", t.Boundary);
                foreach (byte[] part in t.Parts)
                {
                    writer.WritePartAsync("application/dicom", part).AsTask().GetAwaiter().GetResult();
                }

                writer.CompleteAsync().AsTask().GetAwaiter().GetResult();

                MultipartReader reader = Bodies.Reader(output.ToArray(), t.Chunk, writer.ContentType.ToString());
                List<(string? ContentType, byte[] Body)> read = Bodies.ReadAllAsync(reader, t.ReadSize).GetAwaiter().GetResult();

                Assert.Equal(t.Parts.Length, read.Count);
                for (int i = 0; i < read.Count; i++)
                {
                    Assert.Equal(t.Parts[i], read[i].Body);
                }
            },
            iter: 3000,
            print: t => $"boundary '{t.Boundary}', {t.Parts.Length} parts [{string.Join(", ", t.Parts.Select(Convert.ToHexString))}], chunk {t.Chunk}, read {t.ReadSize}");
    }

    /// <summary>Mutated bodies (bytes replaced, inserted, deleted, truncated): every outcome is parts or a <see cref="MultipartException"/>.</summary>
    [Fact]
    public void Read_MutatedBodies_SucceedOrThrowMultipartException()
    {
        byte[] seed = Bodies.Bytes(
            "pre\r\n--b0und4ry \r\nContent-Type: application/dicom\r\nContent-Location: a/b\r\n\r\n\r\n--x--\r\n" +
            "\r\n--b0und4ry\r\nContent-Type: application/dicom; transfer-syntax=1.2\r\n\r\nDICM\r\n--b0und4ry--\r\nepi");
        byte[] alphabet = "\r\n-:; b0und4ry\t=\"\u0001"u8.ToArray();
        Gen<(ulong[] Mutations, int Chunk)> gen = Gen.Select(Gen.ULong.Array[1, 5], Gen.Int[1, 40]);

        gen.Sample(
            t =>
            {
                byte[] bytes = Mutations.Apply(seed, t.Mutations, alphabet);

                try
                {
                    _ = Bodies.ReadAllAsync(Bodies.Reader(bytes, t.Chunk), 7).GetAwaiter().GetResult();
                }
                catch (MultipartException)
                {
                }
            },
            iter: 10000,
            print: t => $"chunk {t.Chunk} mutations [{string.Join(", ", t.Mutations.Select(m => $"0x{m:X16}UL"))}]");
    }
}
