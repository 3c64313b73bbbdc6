namespace Gateway.Dicom.Tests;

public sealed class DicomVRTests
{
    [Fact]
    public void All_PS35Table621_Has34DistinctKnownVRs()
    {
        Assert.Equal(34, DicomVR.All.Count);
        Assert.Equal(34, DicomVR.All.Select(v => v.Code).Distinct().Count());
        Assert.All(DicomVR.All, v => Assert.True(v.IsKnown));
    }

    [Theory]
    [InlineData("OB")]
    [InlineData("OD")]
    [InlineData("OF")]
    [InlineData("OL")]
    [InlineData("OV")]
    [InlineData("OW")]
    [InlineData("SQ")]
    [InlineData("SV")]
    [InlineData("UC")]
    [InlineData("UN")]
    [InlineData("UR")]
    [InlineData("UT")]
    [InlineData("UV")]
    public void HasLongLength_PS35712_LongFormVRs(string code)
    {
        Assert.True(DicomVR.Parse(code).HasLongLength);
    }

    [Fact]
    public void HasLongLength_OtherKnownVRs_IsFalseAndUnknownTrue()
    {
        string[] longForm = ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"];

        Assert.All(DicomVR.All.Where(v => !longForm.Contains(v.Code)), v => Assert.False(v.HasLongLength, v.Code));
        Assert.True(DicomVR.Parse("ZZ").HasLongLength);
        Assert.False(DicomVR.Parse("ZZ").IsKnown);
    }

    [Theory]
    [InlineData("US", 2)]
    [InlineData("SS", 2)]
    [InlineData("OW", 2)]
    [InlineData("AT", 2)]
    [InlineData("UL", 4)]
    [InlineData("SL", 4)]
    [InlineData("FL", 4)]
    [InlineData("OF", 4)]
    [InlineData("OL", 4)]
    [InlineData("FD", 8)]
    [InlineData("OD", 8)]
    [InlineData("SV", 8)]
    [InlineData("UV", 8)]
    [InlineData("OV", 8)]
    [InlineData("OB", 1)]
    [InlineData("UN", 1)]
    [InlineData("PN", 1)]
    [InlineData("UI", 1)]
    public void SwapUnit_VR_IsPS35ByteOrderingUnit(string code, int unit)
    {
        Assert.Equal(unit, DicomVR.Parse(code).SwapUnit);
    }

    [Theory]
    [InlineData("UI", 0x00)]
    [InlineData("PN", 0x20)]
    [InlineData("CS", 0x20)]
    [InlineData("UT", 0x20)]
    [InlineData("UR", 0x20)]
    [InlineData("OB", 0x00)]
    [InlineData("UN", 0x00)]
    [InlineData("US", 0x00)]
    public void PaddingByte_VR_IsNulForUIAndBinarySpaceForText(string code, byte padding)
    {
        Assert.Equal(padding, DicomVR.Parse(code).PaddingByte);
    }

    [Theory]
    [InlineData("PN", DicomVRKind.Text)]
    [InlineData("UI", DicomVRKind.Text)]
    [InlineData("AT", DicomVRKind.Binary)]
    [InlineData("FD", DicomVRKind.Binary)]
    [InlineData("OW", DicomVRKind.Bulk)]
    [InlineData("UN", DicomVRKind.Bulk)]
    [InlineData("SQ", DicomVRKind.Sequence)]
    [InlineData("XX", DicomVRKind.Unknown)]
    public void Kind_VR_ClassifiesEncoding(string code, DicomVRKind kind)
    {
        Assert.Equal(kind, DicomVR.Parse(code).Kind);
    }

    [Theory]
    [InlineData("US", 2)]
    [InlineData("AT", 4)]
    [InlineData("FL", 4)]
    [InlineData("FD", 8)]
    [InlineData("SV", 8)]
    [InlineData("OW", 0)]
    [InlineData("DS", 0)]
    public void ValueSize_VR_IsSizeOfOneValue(string code, int size)
    {
        Assert.Equal(size, DicomVR.Parse(code).ValueSize);
    }

    [Fact]
    public void UsesSpecificCharacterSet_OnlyLOLTPNSHSTUCUT()
    {
        Assert.Equal(
            ["LO", "LT", "PN", "SH", "ST", "UC", "UT"],
            DicomVR.All.Where(v => v.UsesSpecificCharacterSet).Select(v => v.Code).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AllowsMultipleTextValues_LongTextsAndURI_IsFalse()
    {
        Assert.False(DicomVR.LT.AllowsMultipleTextValues);
        Assert.False(DicomVR.ST.AllowsMultipleTextValues);
        Assert.False(DicomVR.UT.AllowsMultipleTextValues);
        Assert.False(DicomVR.UR.AllowsMultipleTextValues);
        Assert.True(DicomVR.LO.AllowsMultipleTextValues);
        Assert.True(DicomVR.UC.AllowsMultipleTextValues);
        Assert.False(DicomVR.OB.AllowsMultipleTextValues);
    }

    [Theory]
    [InlineData("AE", 16)]
    [InlineData("UI", 64)]
    [InlineData("LO", 64)]
    [InlineData("LT", 10240)]
    [InlineData("UT", 0)]
    public void MaxValueLength_TextVR_IsPS35Limit(string code, int max)
    {
        Assert.Equal(max, DicomVR.Parse(code).MaxValueLength);
    }

    [Theory]
    [InlineData((byte)'a', (byte)'B')]
    [InlineData((byte)'A', (byte)'1')]
    [InlineData((byte)0, (byte)0)]
    [InlineData((byte)'[', (byte)'A')]
    public void TryCreate_NotTwoUpperCaseLetters_ReturnsFalse(byte first, byte second)
    {
        Assert.False(DicomVR.TryCreate(first, second, out DicomVR vr));
        Assert.True(vr.IsNone);
    }

    [Fact]
    public void Parse_Invalid_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => DicomVR.Parse("P"));
        Assert.Throws<FormatException>(() => DicomVR.Parse("pn"));
        Assert.Throws<FormatException>(() => DicomVR.Parse("ÄB"));
    }

    [Fact]
    public void Code_DefaultAndKnown_FormatsTwoCharacters()
    {
        Assert.Equal("--", default(DicomVR).Code);
        Assert.Equal("PN", DicomVR.PN.ToString());
        Assert.Equal(('S', 'Q'), (DicomVR.SQ.First, DicomVR.SQ.Second));
        Assert.Equal(DicomVR.PN, DicomVR.Parse("PN"));
    }
}
