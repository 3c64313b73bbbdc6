using System.Buffers.Binary;
using System.Text;
using Gateway.Cli.Dicom;
using Gateway.Dicom;
using Gateway.Dicom.Text;

namespace Gateway.Cli.Tests.Dicom;

/// <summary>Value formatting of <c>gatewayctl dicom dump</c>, which follows dcmdump (DCMTK 3.6.7) character for character.</summary>
public sealed class DicomDumpWriterTests
{
    [Fact]
    public void FormatValue_LongText_IsCutToSeventyCharactersLikeDcmdump()
    {
        // dcmdump: "[" + the first 66 characters + "..." (70 in all); the closing bracket is cut off too.
        string text = string.Concat(Enumerable.Repeat("0123456789", 10));

        string shown = DicomDumpWriter.FormatValue(DicomVR.LT, Encoding.ASCII.GetBytes(text), 100, DicomCharacterSet.Default, out int vm);

        Assert.Equal("[" + text[..66] + "...", shown);
        Assert.Equal(1, vm);
    }

    [Fact]
    public void FormatValue_TextOfSeventyCharacters_IsShownInFull()
    {
        string text = new('x', 68);

        Assert.Equal("[" + text + "]", DicomDumpWriter.FormatValue(DicomVR.UT, Encoding.ASCII.GetBytes(text), 68, DicomCharacterSet.Default, out _));
    }

    [Fact]
    public void FormatValue_ManyNumbers_ShowsThoseThatFitAndLeavesRoomForTheEllipsis()
    {
        // As dcmdump prints (0018,1310) US 1\2\...\30: the values up to 25 fit with "..." in 70 characters.
        byte[] value = new byte[60];
        for (int i = 0; i < 30; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(value.AsSpan(i * 2), (ushort)(i + 1));
        }

        string shown = DicomDumpWriter.FormatValue(DicomVR.US, value, 60, DicomCharacterSet.Default, out int vm);

        Assert.Equal(string.Join('\\', Enumerable.Range(1, 25)) + "...", shown);
        Assert.Equal(30, vm);
    }

    [Fact]
    public void FormatValue_OtherFloat_IsShownAsNumbersWithMultiplicityOne()
    {
        byte[] value = new byte[12];
        BinaryPrimitives.WriteSingleLittleEndian(value, 0.5f);
        BinaryPrimitives.WriteSingleLittleEndian(value.AsSpan(4), 1.25f);
        BinaryPrimitives.WriteSingleLittleEndian(value.AsSpan(8), -8f);

        Assert.Equal("0.5\\1.25\\-8", DicomDumpWriter.FormatValue(DicomVR.OF, value, 12, DicomCharacterSet.Default, out int vm));
        Assert.Equal(1, vm);
    }

    [Theory]
    [InlineData("OL", "1\\4294967295", new byte[] { 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData("OV", "18446744073709551615", new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData("OD", "1.5", new byte[] { 0, 0, 0, 0, 0, 0, 0xF8, 0x3F })]
    public void FormatValue_OtherNumberVRs_AreShownAsNumbers(string vr, string expected, byte[] value)
    {
        Assert.Equal(expected, DicomDumpWriter.FormatValue(DicomVR.Parse(vr), value, (uint)value.Length, DicomCharacterSet.Default, out _));
    }

    [Fact]
    public void FormatValue_Bytes_ShowsTwentyTwoOfThemThenTheEllipsis()
    {
        byte[] value = [.. Enumerable.Range(1, 30).Select(i => (byte)i)];

        string shown = DicomDumpWriter.FormatValue(DicomVR.OB, value, 30, DicomCharacterSet.Default, out _);

        Assert.Equal(string.Join('\\', value.Take(22).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture))) + "...", shown);
    }

    [Fact]
    public void FormatValue_TwentyThreeBytes_FitWithoutEllipsis()
    {
        // 23 bytes print as 68 characters: dcmdump shows them all.
        byte[] value = new byte[23];

        Assert.Equal(string.Join('\\', Enumerable.Repeat("00", 23)), DicomDumpWriter.FormatValue(DicomVR.OB, value, 23, DicomCharacterSet.Default, out _));
    }

    [Fact]
    public void FormatValue_Words_ShowsThirteenOfThemThenTheEllipsis()
    {
        byte[] value = new byte[36];
        value[0] = 0x02;
        value[1] = 0x01;

        string shown = DicomDumpWriter.FormatValue(DicomVR.OW, value, 36, DicomCharacterSet.Default, out _);

        Assert.Equal("0102\\" + string.Join('\\', Enumerable.Repeat("0000", 12)) + "...", shown);
    }
}
