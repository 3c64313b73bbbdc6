using Gateway.Dicom.Model;

namespace Gateway.Dicom.Tests.Model;

public sealed class DicomPersonNameTests
{
    [Fact]
    public void Constructor_FiveComponents_SplitsAlphabeticGroup()
    {
        var name = new DicomPersonName("Adams^John Robert Quincy^B^Rev.^B.A. M.Div.");

        Assert.Equal(("Adams", "John Robert Quincy", "B", "Rev.", "B.A. M.Div."), (name.FamilyName, name.GivenName, name.MiddleName, name.Prefix, name.Suffix));
        Assert.Equal(string.Empty, name.Ideographic);
    }

    [Fact]
    public void Constructor_ThreeGroups_SplitsAtEquals()
    {
        var name = new DicomPersonName("Hong^Gildong=洪^吉洞=홍^길동");

        Assert.Equal(("Hong^Gildong", "洪^吉洞", "홍^길동"), (name.Alphabetic, name.Ideographic, name.Phonetic));
        Assert.Equal("Hong^Gildong=洪^吉洞=홍^길동", name.ToString());
    }

    [Fact]
    public void Constructor_MissingComponents_AreEmpty()
    {
        var name = new DicomPersonName("Doe");

        Assert.Equal(("Doe", string.Empty, string.Empty), (name.FamilyName, name.GivenName, name.Suffix));
        Assert.Equal("Doe", name.ToString());
        Assert.Equal("=山田", new DicomPersonName("=山田").ToString());
    }
}
