using Gateway.DicomWeb.Multipart;

namespace Gateway.DicomWeb.Tests.Multipart;

public sealed class MultipartContentTypeTests
{
    [Fact]
    public void Parse_StowContentType_GivesBoundaryTypeAndStart()
    {
        MultipartContentType parsed = MultipartContentType.Parse("multipart/related; type=\"application/dicom+json\"; boundary=\"a b:c\"; start=\"<root>\"");

        Assert.Equal(new MultipartContentType("a b:c", "application/dicom+json", "<root>"), parsed);
        Assert.Equal("multipart/related; type=\"application/dicom+json\"; boundary=\"a b:c\"; start=\"<root>\"", parsed.ToString());
    }

    [Fact]
    public void Parse_OrthancsBoundaryOfSeventyThreeCharacters_IsAccepted()
    {
        const string Boundary = "4f093161-8339-4661-b453-733aa47902a6-4f093161-8339-4661-b453-733aa47902a6";

        MultipartContentType parsed = MultipartContentType.Parse($"multipart/related; type=\"application/dicom\"; boundary={Boundary}");

        Assert.Equal(Boundary, parsed.Boundary);
    }

    [Theory]
    [InlineData("application/dicom", MultipartError.UnsupportedMediaType, 415)]
    [InlineData("multipart/mixed; boundary=b", MultipartError.UnsupportedMediaType, 415)]
    [InlineData("multipart/related", MultipartError.InvalidBoundary, 400)]
    [InlineData("multipart/related; boundary=\"\"", MultipartError.InvalidBoundary, 400)]
    [InlineData("multipart/related; boundary=\"ends with space \"", MultipartError.InvalidBoundary, 400)]
    [InlineData("multipart/related; boundary=\"semi;colon\"", MultipartError.InvalidBoundary, 400)]
    [InlineData("multipart/related; boundary=01234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456", MultipartError.InvalidBoundary, 400)]
    [InlineData("multipart/related; type=\"not a type\"; boundary=b", MultipartError.InvalidContentType, 400)]
    [InlineData("multipart/related; boundary=b; boundary=c", MultipartError.InvalidContentType, 400)]
    [InlineData(null, MultipartError.InvalidContentType, 400)]
    public void Parse_Refused_ThrowsWithReasonAndStatus(string? contentType, MultipartError reason, int status)
    {
        MultipartException ex = Assert.Throws<MultipartException>(() => MultipartContentType.Parse(contentType));

        Assert.Equal((reason, status, -1L), (ex.Reason, ex.StatusCode, ex.Offset));
    }
}
