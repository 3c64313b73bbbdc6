using System.IO.Pipelines;
using System.Text;
using Gateway.DicomWeb.Multipart;
using Gateway.DicomWeb.Tests.Support;
using static Gateway.DicomWeb.Tests.Support.Bodies;

namespace Gateway.DicomWeb.Tests.Multipart;

public sealed partial class MultipartReaderTests
{
    // Two DICOM parts as curl sends a STOW-RS body (peers README): no preamble, CRLF after each body, close delimiter.
    private const string TwoParts =
        "--b0und4ry\r\nContent-Type: application/dicom\r\n\r\nDICM-ONE\r\n" +
        "--b0und4ry\r\nContent-Type: application/dicom; transfer-syntax=1.2.840.10008.1.2.1\r\nContent-Location: x/2\r\n\r\nDICM-TWO\r\n" +
        "--b0und4ry--\r\n";

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(11)]
    [InlineData(4096)]
    public async Task ReadNextPartAsync_TwoParts_InAnyChunking_GivesBothBodies(int chunk)
    {
        List<(string? ContentType, byte[] Body)> parts = await ReadAllAsync(Reader(Bytes(TwoParts), chunk), readSize: 5);

        Assert.Equal(2, parts.Count);
        Assert.Equal(("application/dicom", "DICM-ONE"), (parts[0].ContentType, Encoding.ASCII.GetString(parts[0].Body)));
        Assert.Equal(("application/dicom; transfer-syntax=1.2.840.10008.1.2.1", "DICM-TWO"), (parts[1].ContentType, Encoding.ASCII.GetString(parts[1].Body)));
    }

    [Fact]
    public async Task ReadNextPartAsync_PartHeaders_AreExposedInOrder()
    {
        MultipartReader reader = Reader(Bytes(TwoParts));
        _ = await reader.ReadNextPartAsync();

        MultipartPart part = (await reader.ReadNextPartAsync())!;

        Assert.Equal(1, part.Index);
        Assert.Equal(["Content-Type", "Content-Location"], part.Headers.Select(h => h.Key));
        Assert.Equal("x/2", part.ContentLocation);
        Assert.Equal("1.2.840.10008.1.2.1", part.ContentType!["transfer-syntax"]);
        Assert.Null(part.ContentId);
        Assert.Equal(TwoParts.IndexOf("DICM-TWO", StringComparison.Ordinal), part.Offset);
    }

    [Fact]
    public async Task ReadNextPartAsync_PreambleEpilogueAndPadding_AreIgnored()
    {
        string body = "This is the preamble.\r\n--b0und4ry \t\r\nContent-Type: application/dicom\r\n\r\nA\r\n--b0und4ry--  epilogue \r\n--b0und4ry\r\n garbage";

        List<(string? ContentType, byte[] Body)> parts = await ReadAllAsync(Reader(Bytes(body), 7));

        Assert.Equal("A", Encoding.ASCII.GetString(Assert.Single(parts).Body));
    }

    [Fact]
    public async Task ReadNextPartAsync_ContentThatLooksLikeADelimiter_StaysInTheBody()
    {
        // CRLF, "--", a boundary prefix, and the boundary without the CRLF before it: none is a delimiter.
        const string content = "\r\n--\r\n--b0und4r\r\n-b0und4ry\r\n--b0und\r--b0und4ry\n--b0und4ry";
        string body = $"--b0und4ry\r\nContent-Type: application/dicom\r\n\r\n{content}\r\n--b0und4ry--";

        foreach (int chunk in new[] { 1, 2, 5, 13, 1000 })
        {
            List<(string? ContentType, byte[] Body)> parts = await ReadAllAsync(Reader(Bytes(body), chunk), readSize: 3);
            Assert.Equal(content, Encoding.Latin1.GetString(Assert.Single(parts).Body));
        }
    }

    [Fact]
    public async Task ReadNextPartAsync_EmptyBodyAndNoHeaders_AreParts()
    {
        const string body = "--b0und4ry\r\n\r\n\r\n--b0und4ry\r\nContent-Type: text/plain\r\n\r\n\r\n--b0und4ry--";

        List<(string? ContentType, byte[] Body)> parts = await ReadAllAsync(Reader(Bytes(body), contentType: "multipart/related; boundary=b0und4ry"));

        Assert.Equal(2, parts.Count);
        Assert.Null(parts[0].ContentType);
        Assert.Empty(parts[0].Body);
        Assert.Equal("text/plain", parts[1].ContentType);
        Assert.Empty(parts[1].Body);
    }

    [Fact]
    public async Task ReadNextPartAsync_OnlyTheCloseDelimiter_HasNoParts()
    {
        Assert.Null(await Reader(Bytes("--b0und4ry--\r\n")).ReadNextPartAsync());
    }

    [Fact]
    public async Task ReadNextPartAsync_UnreadBody_IsSkippedAndItsStreamRetired()
    {
        MultipartReader reader = Reader(Bytes(TwoParts), 3);
        MultipartPart first = (await reader.ReadNextPartAsync())!;

        MultipartPart second = (await reader.ReadNextPartAsync())!;

        Assert.Equal("DICM-TWO", Encoding.ASCII.GetString(await ReadToEndAsync(second.Body)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => first.Body.ReadAsync(new byte[4]).AsTask());
        Assert.Null(await reader.ReadNextPartAsync());
        Assert.Null(await reader.ReadNextPartAsync());
    }

    [Fact]
    public async Task ReadNextPartAsync_AcceptedTypesOption_OverridesTheTypeParameter()
    {
        const string body = "--b0und4ry\r\nContent-Type: application/dicom+json\r\n\r\n[]\r\n--b0und4ry\r\nContent-Type: application/octet-stream\r\n\r\nX\r\n--b0und4ry--";
        var options = new MultipartReaderOptions { AcceptedPartTypes = ["application/dicom+json", "application/octet-stream"] };

        List<(string? ContentType, byte[] Body)> parts = await ReadAllAsync(Reader(Bytes(body), options: options));

        Assert.Equal(["application/dicom+json", "application/octet-stream"], parts.Select(p => p.ContentType));
    }

    [Fact]
    public async Task Create_FromStreamAndHeader_ReadsTheBody()
    {
        MultipartReader reader = MultipartReader.Create(new MemoryStream(Bytes(TwoParts)), DicomContentType);

        Assert.Equal(2, (await ReadAllAsync(reader)).Count);
        Assert.Equal(TwoParts.Length - 2, reader.Position);
    }

    [Fact]
    public async Task ReadNextPartAsync_FromAPipeWrittenInSegments_ReadsAcrossSegments()
    {
        var pipe = new Pipe(new PipeOptions(minimumSegmentSize: 16));
        byte[] body = Bytes(TwoParts);
        for (int i = 0; i < body.Length; i += 6)
        {
            await pipe.Writer.WriteAsync(body.AsMemory(i, Math.Min(6, body.Length - i)));
        }

        await pipe.Writer.CompleteAsync();
        var reader = new MultipartReader(pipe.Reader, MultipartContentType.Parse(DicomContentType));

        Assert.Equal(["DICM-ONE", "DICM-TWO"], (await ReadAllAsync(reader)).Select(p => Encoding.ASCII.GetString(p.Body)));
    }
}
