namespace Gateway.Dicom.Tests;

public sealed class DicomTagTests
{
    [Theory]
    [InlineData("(0010,0010)", 0x0010, 0x0010)]
    [InlineData("0010,0020", 0x0010, 0x0020)]
    [InlineData("7FE00010", 0x7FE0, 0x0010)]
    [InlineData(" (fffe,e0dd) ", 0xFFFE, 0xE0DD)]
    [InlineData("(0029,1010)", 0x0029, 0x1010)]
    public void TryParse_WellFormed_ReturnsTag(string text, int group, int element)
    {
        Assert.True(DicomTag.TryParse(text, out DicomTag tag));
        Assert.Equal(new DicomTag((ushort)group, (ushort)element), tag);
    }

    [Theory]
    [InlineData("")]
    [InlineData("(0010,001)")]
    [InlineData("(0010,00100)")]
    [InlineData("0010001G")]
    [InlineData("(0010;0010)")]
    [InlineData("-0010,0010")]
    [InlineData("001000100")]
    public void TryParse_Malformed_ReturnsFalse(string text)
    {
        Assert.False(DicomTag.TryParse(text, out DicomTag tag));
        Assert.Equal(default, tag);
    }

    [Fact]
    public void ToString_Tag_FormatsUpperCaseWithParentheses()
    {
        Assert.Equal("(7FE0,0010)", DicomTags.PixelData.ToString());
        Assert.Equal("(FFFE,E0DD)", DicomTag.SequenceDelimitationItem.ToString());
    }

    [Fact]
    public void ToJsonKey_Tag_FormatsEightHexDigits()
    {
        Assert.Equal("0020000D", DicomTags.StudyInstanceUID.ToJsonKey());
        Assert.Equal("00091001", new DicomTag(0x0009, 0x1001).ToJsonKey());
    }

    [Fact]
    public void Value_FromUInt32_SplitsGroupAndElement()
    {
        var tag = new DicomTag(0x7FE00010);

        Assert.Equal((0x7FE0, 0x0010), (tag.Group, tag.Element));
        Assert.Equal(0x7FE00010u, tag.Value);
    }

    [Fact]
    public void CompareTo_Tags_OrderByGroupThenElement()
    {
        DicomTag[] tags = [new(0x0010, 0x0010), new(0x0008, 0xFFFF), new(0x0010, 0x0002), new(0x7FE0, 0x0010), new(0x0008, 0x0005)];

        Assert.Equal(
            [new(0x0008, 0x0005), new(0x0008, 0xFFFF), new(0x0010, 0x0002), new(0x0010, 0x0010), new(0x7FE0, 0x0010)],
            tags.Order().ToArray());
        Assert.True(new DicomTag(0x0008, 0xFFFF) < new DicomTag(0x0009, 0x0000));
        Assert.True(new DicomTag(0x0010, 0x0010) >= new DicomTag(0x0010, 0x0010));
        Assert.True(new DicomTag(0x0010, 0x0011) > new DicomTag(0x0010, 0x0010));
        Assert.True(new DicomTag(0x0010, 0x0010) <= new DicomTag(0x0010, 0x0011));
    }

    [Theory]
    [InlineData(0x0009, 0x1001, true, false)]
    [InlineData(0x0029, 0x0010, true, true)]
    [InlineData(0x0029, 0x00FF, true, true)]
    [InlineData(0x0029, 0x000F, true, false)]
    [InlineData(0x0029, 0x0100, true, false)]
    [InlineData(0x0010, 0x0010, false, false)]
    [InlineData(0x0001, 0x0010, false, false)]
    [InlineData(0x0003, 0x1000, false, false)]
    [InlineData(0x0005, 0x1000, false, false)]
    [InlineData(0x0007, 0x1000, false, false)]
    [InlineData(0xFFFF, 0x0010, false, false)]
    public void IsPrivate_PS35781_OddGroupsExceptReservedOnes(int group, int element, bool isPrivate, bool isCreator)
    {
        var tag = new DicomTag((ushort)group, (ushort)element);

        Assert.Equal(isPrivate, tag.IsPrivate);
        Assert.Equal(isCreator, tag.IsPrivateCreator);
    }

    [Fact]
    public void PrivateCreatorTag_PrivateElement_IsCreatorOfItsBlock()
    {
        Assert.Equal(new DicomTag(0x0029, 0x0010), new DicomTag(0x0029, 0x1008).PrivateCreatorTag);
        Assert.Equal(new DicomTag(0x0029, 0x00FF), new DicomTag(0x0029, 0xFF01).PrivateCreatorTag);
    }

    [Fact]
    public void IsGroupLength_ElementZero_IsTrue()
    {
        Assert.True(DicomTags.FileMetaInformationGroupLength.IsGroupLength);
        Assert.True(new DicomTag(0x0010, 0x0000).IsGroupLength);
        Assert.False(DicomTags.PatientName.IsGroupLength);
    }
}
