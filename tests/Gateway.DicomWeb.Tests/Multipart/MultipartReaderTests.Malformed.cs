using Gateway.DicomWeb.Multipart;
using Gateway.DicomWeb.Tests.Support;
using static Gateway.DicomWeb.Tests.Support.Bodies;

namespace Gateway.DicomWeb.Tests.Multipart;

public sealed partial class MultipartReaderTests
{
    private const string Dicom = "Content-Type: application/dicom\r\n";

    [Theory]
    [InlineData("", MultipartError.MissingBoundary, 400)]
    [InlineData("no boundary anywhere", MultipartError.MissingBoundary, 400)]
    [InlineData("--other\r\n" + Dicom + "\r\nA\r\n--other--", MultipartError.MissingBoundary, 400)]
    [InlineData("--b0und4ry", MultipartError.Truncated, 400)]
    [InlineData("--b0und4ry\r\n" + Dicom, MultipartError.Truncated, 400)]
    [InlineData("--b0und4ry\r\n" + Dicom + "\r\nDICM", MultipartError.Truncated, 400)]
    [InlineData("--b0und4ry\r\n" + Dicom + "\r\nDICM\r\n--b0und4r", MultipartError.Truncated, 400)]
    [InlineData("--b0und4ry\r\n" + Dicom + "\r\nDICM\r\n--b0und4ry", MultipartError.Truncated, 400)]
    [InlineData("--b0und4ry\r\n" + Dicom + "\r\nDICM\r\n--b0und4ry\r\n", MultipartError.Truncated, 400)]
    [InlineData("--b0und4ryX\r\n" + Dicom + "\r\nA\r\n--b0und4ry--", MultipartError.MalformedBoundary, 400)]
    [InlineData("--b0und4ry\rX" + Dicom + "\r\nA\r\n--b0und4ry--", MultipartError.MalformedBoundary, 400)]
    [InlineData("--b0und4ry\n" + Dicom + "\r\nA\r\n--b0und4ry--", MultipartError.MalformedBoundary, 400)]
    [InlineData("--b0und4ry\r\n" + Dicom + "\r\nA\r\n--b0und4ry-x\r\n", MultipartError.MalformedBoundary, 400)]
    [InlineData("--b0und4ry\r\nContent-Type: application/dicom\n\r\nA\r\n--b0und4ry--", MultipartError.InvalidHeader, 400)]
    [InlineData("--b0und4ry\r\nContent-Type: application/dicom\r\n continued\r\n\r\nA\r\n--b0und4ry--", MultipartError.InvalidHeader, 400)]
    [InlineData("--b0und4ry\r\nContent-Type application/dicom\r\n\r\nA\r\n--b0und4ry--", MultipartError.InvalidHeader, 400)]
    [InlineData("--b0und4ry\r\nContent Type: application/dicom\r\n\r\nA\r\n--b0und4ry--", MultipartError.InvalidHeader, 400)]
    [InlineData("--b0und4ry\r\n: application/dicom\r\n\r\nA\r\n--b0und4ry--", MultipartError.InvalidHeader, 400)]
    [InlineData("--b0und4ry\r\nContent-Type: application/dicom\r\nX-A: a\u0001b\r\n\r\nA\r\n--b0und4ry--", MultipartError.InvalidHeader, 400)]
    [InlineData("--b0und4ry\r\nContent-Type: application/dicom\r\nContent-Type: application/dicom\r\n\r\nA\r\n--b0und4ry--", MultipartError.InvalidHeader, 400)]
    [InlineData("--b0und4ry\r\nContent-Type: application\r\n\r\nA\r\n--b0und4ry--", MultipartError.InvalidHeader, 400)]
    [InlineData("--b0und4ry\r\nContent-Type: text/plain\r\n\r\nA\r\n--b0und4ry--", MultipartError.UnsupportedMediaType, 415)]
    [InlineData("--b0und4ry\r\nContent-Location: a\r\n\r\nA\r\n--b0und4ry--", MultipartError.UnsupportedMediaType, 415)]
    [InlineData("--b0und4ry\r\n\r\nA\r\n--b0und4ry--", MultipartError.UnsupportedMediaType, 415)]
    [InlineData("--b0und4ry\r\n" + Dicom + "\r\nA\r\n--b0und4ry\r\nContent-Type: application/dicom+json\r\n\r\n{}\r\n--b0und4ry--", MultipartError.UnsupportedMediaType, 415)]
    public async Task ReadAll_MalformedBody_ThrowsWithReasonAndStatus(string body, MultipartError reason, int status)
    {
        foreach (int chunk in new[] { 1, 4096 })
        {
            MultipartException ex = await Assert.ThrowsAsync<MultipartException>(() => ReadAllAsync(Reader(Bytes(body), chunk)));

            Assert.Equal(reason, ex.Reason);
            Assert.Equal(status, ex.StatusCode);
            Assert.InRange(ex.Offset, 0, body.Length);
        }
    }

    [Fact]
    public async Task ReadAll_TruncatedInsideAPart_NamesThePart()
    {
        string body = TwoParts[..TwoParts.IndexOf("TWO", StringComparison.Ordinal)];

        MultipartException ex = await Assert.ThrowsAsync<MultipartException>(() => ReadAllAsync(Reader(Bytes(body))));

        Assert.Equal(MultipartError.Truncated, ex.Reason);
        Assert.Equal(1, ex.PartIndex);
    }

    [Fact]
    public async Task ReadAll_EveryPrefixOfAValidBody_ThrowsAndNeverSucceeds()
    {
        byte[] body = Bytes(TwoParts);
        int closeEnd = TwoParts.IndexOf("--b0und4ry--", StringComparison.Ordinal) + "--b0und4ry--".Length;

        for (int length = 0; length < closeEnd; length++)
        {
            MultipartException ex = await Assert.ThrowsAsync<MultipartException>(() => ReadAllAsync(Reader(body[..length], 5)));
            Assert.True(ex.Reason is MultipartError.Truncated or MultipartError.MissingBoundary, $"prefix {length}: {ex.Message}");
        }

        // The close delimiter is the end: the final CRLF and any epilogue are optional.
        Assert.Equal(2, (await ReadAllAsync(Reader(body[..closeEnd]))).Count);
    }

    [Fact]
    public async Task ReadAll_PreambleOverTheLimit_ThrowsMissingBoundary()
    {
        string body = new string('p', 1000) + "\r\n--b0und4ry\r\n" + Dicom + "\r\nA\r\n--b0und4ry--";

        MultipartException ex = await Assert.ThrowsAsync<MultipartException>(() => ReadAllAsync(Reader(Bytes(body), 64, options: new MultipartReaderOptions { MaxPreambleBytes = 100 })));

        Assert.Equal(MultipartError.MissingBoundary, ex.Reason);
    }

    [Fact]
    public async Task ReadAll_HeaderBlockOverTheLimit_ThrowsHeaderTooLargeWithoutReadingOn()
    {
        var endless = new EndlessStream(Bytes("--b0und4ry\r\nX-Long: "), (byte)'a');
        var reader = MultipartReader.Create(endless, DicomContentType, new MultipartReaderOptions { MaxHeaderBytes = 1024 });

        MultipartException ex = await Assert.ThrowsAsync<MultipartException>(() => ReadAllAsync(reader));

        Assert.Equal(MultipartError.HeaderTooLarge, ex.Reason);
        Assert.InRange(endless.Served, 1024, 256 * 1024);
    }

    [Fact]
    public async Task ReadAll_TooManyHeaderLines_ThrowsHeaderTooLarge()
    {
        string headers = string.Concat(Enumerable.Range(0, 33).Select(i => $"X-H{i}: v\r\n"));
        string body = "--b0und4ry\r\n" + Dicom + headers + "\r\nA\r\n--b0und4ry--";

        MultipartException ex = await Assert.ThrowsAsync<MultipartException>(() => ReadAllAsync(Reader(Bytes(body))));

        Assert.Equal(MultipartError.HeaderTooLarge, ex.Reason);
    }

    [Fact]
    public async Task ReadAll_TooManyParts_Throws413BeforeTheExtraPart()
    {
        string body = string.Concat(Enumerable.Repeat("--b0und4ry\r\n" + Dicom + "\r\nA\r\n", 4)) + "--b0und4ry--";
        MultipartReader reader = Reader(Bytes(body), options: new MultipartReaderOptions { MaxParts = 3 });
        int seen = 0;

        MultipartException ex = await Assert.ThrowsAsync<MultipartException>(async () =>
        {
            while (await reader.ReadNextPartAsync() is not null)
            {
                seen++;
            }
        });

        Assert.Equal((MultipartError.TooManyParts, 413, 3), (ex.Reason, ex.StatusCode, seen));
    }

    [Fact]
    public async Task ReadAll_PartOverTheLimit_Throws413WithoutReadingOn()
    {
        var endless = new EndlessStream(Bytes("--b0und4ry\r\n" + Dicom + "\r\n"), (byte)'d');
        var reader = MultipartReader.Create(endless, DicomContentType, new MultipartReaderOptions { MaxPartBytes = 1_000_000 });

        MultipartException ex = await Assert.ThrowsAsync<MultipartException>(() => ReadAllAsync(reader));

        Assert.Equal((MultipartError.PartTooLarge, 413, 0), (ex.Reason, ex.StatusCode, ex.PartIndex));
        Assert.InRange(endless.Served, 1_000_000, 1_000_000 + (256 * 1024));
    }

    [Fact]
    public async Task ReadAll_BodyOverTheLimit_Throws413()
    {
        string body = string.Concat(Enumerable.Repeat("--b0und4ry\r\n" + Dicom + "\r\n" + new string('x', 400) + "\r\n", 10)) + "--b0und4ry--";

        MultipartException ex = await Assert.ThrowsAsync<MultipartException>(() => ReadAllAsync(Reader(Bytes(body), 100, options: new MultipartReaderOptions { MaxBodyBytes = 2000 })));

        Assert.Equal((MultipartError.BodyTooLarge, 413), (ex.Reason, ex.StatusCode));
        Assert.InRange(ex.Offset, 1500, 2000);
    }
}
