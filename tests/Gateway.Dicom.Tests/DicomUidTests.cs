namespace Gateway.Dicom.Tests;

public sealed class DicomUidTests
{
    [Theory]
    [InlineData("1.2.840.10008.1.2")]
    [InlineData("0")]
    [InlineData("2.25.242397305106713341129336807588797996706")]
    [InlineData("1.2.3.0.4")]
    public void IsValid_PS3591Uid_IsTrue(string uid)
    {
        Assert.True(new DicomUid(uid).IsValid);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1..2")]
    [InlineData(".1.2")]
    [InlineData("1.2.")]
    [InlineData("1.02.3")]
    [InlineData("1.2.a")]
    [InlineData("1.2.3 ")]
    [InlineData("1.2.3\0")]
    public void IsValid_Malformed_IsFalse(string uid)
    {
        Assert.False(new DicomUid(uid).IsValid);
    }

    [Fact]
    public void IsValid_Exactly64Characters_IsTrueAnd65False()
    {
        string sixtyFour = "1." + new string('1', 62);

        Assert.Equal(64, sixtyFour.Length);
        Assert.True(new DicomUid(sixtyFour).IsValid);
        Assert.False(new DicomUid(sixtyFour + "1").IsValid);
    }

    [Fact]
    public void IsValid_Default_IsFalseAndFormatsEmpty()
    {
        Assert.False(default(DicomUid).IsValid);
        Assert.Equal(string.Empty, default(DicomUid).ToString());
    }
}
