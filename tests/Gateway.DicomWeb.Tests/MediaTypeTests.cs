namespace Gateway.DicomWeb.Tests;

public sealed class MediaTypeTests
{
    [Fact]
    public void TryParse_ParametersQuotedAndNot_AreUnquotedByLowerCaseName()
    {
        Assert.True(MediaType.TryParse("Multipart/Related ; TYPE=\"application/dicom\";boundary=abc ; x=\"a\\\"b\\\\c\"", out MediaType? type, out _));

        Assert.Equal("multipart/related", type.Value);
        Assert.Equal("application/dicom", type["type"]);
        Assert.Equal("abc", type["Boundary"]);
        Assert.Equal("a\"b\\c", type["x"]);
        Assert.True(type.Is("MULTIPART/RELATED"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("text")]
    [InlineData("/plain")]
    [InlineData("text/")]
    [InlineData("te xt/plain")]
    [InlineData("text/plain; charset")]
    [InlineData("text/plain; =utf-8")]
    [InlineData("text/plain; charset=\"utf-8")]
    [InlineData("text/plain; charset=utf 8")]
    [InlineData("text/plain; a=1; A=2")]
    [InlineData("text/plain, text/html")]
    [InlineData("text/plain; a=\"x\u0001\"")]
    public void TryParse_Malformed_IsRefusedWithAReason(string? text)
    {
        Assert.False(MediaType.TryParse(text, out _, out string? error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void ToString_QuotesWhatIsNotAToken()
    {
        Assert.True(MediaType.TryParse("multipart/related; type=\"application/dicom\"; boundary=b", out MediaType? type, out _));

        Assert.Equal("multipart/related; type=\"application/dicom\"; boundary=b", type.ToString());
    }
}
