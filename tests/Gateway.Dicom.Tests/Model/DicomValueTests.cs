using Gateway.Dicom.Model;
using Gateway.Dicom.Tests.Support;
using Gateway.Dicom.Text;

namespace Gateway.Dicom.Tests.Model;

public sealed class DicomValueTests
{
    [Theory]
    [InlineData("UI", "1.2.3\0", "1.2.3")]
    [InlineData("UI", "1.2.3 ", "1.2.3")]
    [InlineData("AE", "  STORE  ", "STORE")]
    [InlineData("CS", " CT ", "CT")]
    [InlineData("DS", " 2.5 ", "2.5")]
    [InlineData("IS", " 42", "42")]
    [InlineData("LO", "  Name  ", "Name")]
    [InlineData("SH", " A ", "A")]
    [InlineData("AS", "045Y", "045Y")]
    [InlineData("DA", "20240131 ", "20240131")]
    [InlineData("TM", " 1011 ", "1011")]
    [InlineData("DT", "20240131 ", "20240131")]
    [InlineData("LT", "  indented  ", "  indented")]
    [InlineData("ST", "  indented  ", "  indented")]
    [InlineData("UT", "  indented  ", "  indented")]
    [InlineData("PN", " Doe^John ", " Doe^John")]
    [InlineData("UC", " code ", " code")]
    [InlineData("UR", "http://x ", "http://x")]
    [InlineData("OB", " raw ", " raw ")]
    public void TrimValue_VR_RemovesOnlyInsignificantPadding(string vr, string value, string expected)
    {
        Assert.Equal(expected, DicomValue.TrimValue(DicomVR.Parse(vr), value));
    }

    [Fact]
    public void GetStrings_MultiValuedVR_SplitsOnBackslashAndKeepsEmptyValues()
    {
        string[] values = DicomValue.GetStrings(DicomVR.LO, "A\\\\ B \\"u8, DicomCharacterSet.Default);

        Assert.Equal(["A", string.Empty, "B", string.Empty], values);
    }

    [Theory]
    [InlineData("LT")]
    [InlineData("ST")]
    [InlineData("UT")]
    [InlineData("UR")]
    public void GetStrings_SingleValuedTextVR_KeepsBackslash(string vr)
    {
        Assert.Equal(["a\\b"], DicomValue.GetStrings(DicomVR.Parse(vr), "a\\b "u8, DicomCharacterSet.Default));
    }

    [Fact]
    public void GetStrings_Empty_ReturnsNoValue()
    {
        Assert.Empty(DicomValue.GetStrings(DicomVR.LO, [], DicomCharacterSet.Default));
    }

    [Fact]
    public void GetStrings_VRWithoutCharacterSet_IgnoresSpecificCharacterSet()
    {
        DicomCharacterSet utf8 = DicomCharacterSet.Utf8;

        Assert.Equal(["Ã¼"], DicomValue.GetStrings(DicomVR.CS, [0xC3, 0xBC], utf8));
        Assert.Equal(["ü"], DicomValue.GetStrings(DicomVR.LO, [0xC3, 0xBC], utf8));
    }

    [Theory]
    [InlineData("US", 6, 3)]
    [InlineData("FD", 16, 2)]
    [InlineData("FD", 15, 1)]
    [InlineData("AT", 8, 2)]
    [InlineData("OB", 8, 0)]
    public void CountBinary_Length_CountsWholeValues(string vr, int length, int expected)
    {
        Assert.Equal(expected, DicomValue.CountBinary(DicomVR.Parse(vr), length));
    }

    [Fact]
    public void GetNumberAndFormatBinary_EachBinaryVR_ReadsLittleEndian()
    {
        Assert.Equal(65535, DicomValue.GetNumber(DicomVR.US, [0x01, 0x00, 0xFF, 0xFF], 1));
        Assert.Equal(-1, DicomValue.GetNumber(DicomVR.SS, [0xFF, 0xFF], 0));
        Assert.Equal(4294967295, DicomValue.GetNumber(DicomVR.UL, [0xFF, 0xFF, 0xFF, 0xFF], 0));
        Assert.Equal(-2, DicomValue.GetNumber(DicomVR.SL, TestData.Int32s(-2), 0));
        Assert.Equal(0.1f, DicomValue.GetNumber(DicomVR.FL, TestData.Singles(0.1f), 0));
        Assert.Equal("0.1", DicomValue.FormatBinary(DicomVR.FL, TestData.Singles(0.1f), 0));
        Assert.Equal("-0.5", DicomValue.FormatBinary(DicomVR.FD, TestData.Doubles(-0.5), 0));
        Assert.Equal("-9000000000000000000", DicomValue.FormatBinary(DicomVR.SV, TestData.Int64s(-9_000_000_000_000_000_000), 0));
        Assert.Equal("18446744073709551615", DicomValue.FormatBinary(DicomVR.UV, TestData.Int64s(-1), 0));
        Assert.Equal("(7FE0,0010)", DicomValue.FormatBinary(DicomVR.AT, [0xE0, 0x7F, 0x10, 0x00], 0));
        Assert.Equal(DicomTags.PixelData, DicomValue.GetTag([0x10, 0x00, 0x10, 0x00, 0xE0, 0x7F, 0x10, 0x00], 1));
        Assert.Throws<InvalidOperationException>(() => DicomValue.GetNumber(DicomVR.AT, [0, 0, 0, 0], 0));
    }
}
