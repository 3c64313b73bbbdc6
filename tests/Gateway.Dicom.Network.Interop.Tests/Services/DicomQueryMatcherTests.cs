using Gateway.Dicom.Network.Services;

namespace Gateway.Dicom.Network.Interop.Tests.Services;

public sealed class DicomQueryMatcherTests
{
    [Theory]
    [InlineData("CS")]
    [InlineData("UI")]
    [InlineData("DA")]
    [InlineData("PN")]
    public void Matches_ZeroLengthKey_IsUniversalEvenForAbsentValues(string vr)
    {
        Assert.True(DicomQueryMatcher.Matches(DicomVR.Parse(vr), [], []));
        Assert.True(DicomQueryMatcher.Matches(DicomVR.Parse(vr), [string.Empty], ["X"]));
    }

    [Fact]
    public void Matches_StarAlone_IsUniversalAlsoForEmptyValues()
    {
        Assert.True(DicomQueryMatcher.Matches(DicomVR.LO, ["*"], []));
    }

    [Fact]
    public void Matches_NonUniversalKeyAgainstAbsentValue_DoesNotMatch()
    {
        Assert.False(DicomQueryMatcher.Matches(DicomVR.LO, ["P1"], []));
        Assert.False(DicomQueryMatcher.Matches(DicomVR.LO, ["P*"], []));
    }

    [Theory]
    [InlineData("P1", "P1", true)]
    [InlineData("p1", "P1", false)]
    [InlineData("P1", "P10", false)]
    public void MatchesValue_SingleValueOnLO_IsExactAndCaseSensitive(string key, string value, bool expected)
    {
        Assert.Equal(expected, DicomQueryMatcher.MatchesValue(DicomVR.LO, key, value));
    }

    [Theory]
    [InlineData("doe^john", "DOE^JOHN", true)]
    [InlineData("Doe^John", "Doe^John^^^", true)]
    [InlineData("Doe", "Doe^John", false)]
    [InlineData("Yamada^Tarou", "Yamada^Tarou=山田^太郎=やまだ^たろう", true)]
    [InlineData("müller*", "MÜLLER^Jürgen", true)]
    public void MatchesValue_PersonName_IsCaseInsensitiveAndIgnoresEmptyTrailingComponents(string key, string value, bool expected)
    {
        Assert.Equal(expected, DicomQueryMatcher.MatchesValue(DicomVR.PN, key, value));
    }

    [Theory]
    [InlineData("Doe*", "Doe^John", true)]
    [InlineData("*John", "Doe^John", true)]
    [InlineData("D?e^J*", "Doe^John", true)]
    [InlineData("D?e", "Doe^John", false)]
    [InlineData("*o*o*", "Doe^John", true)]
    [InlineData("*x*", "Doe^John", false)]
    [InlineData("**", "", true)]
    [InlineData("?", "", false)]
    public void MatchesWildcard_StarAndQuestionMark_FollowPs34(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, DicomQueryMatcher.MatchesWildcard(pattern, value, ignoreCase: false));
    }

    [Fact]
    public void MatchesWildcard_PathologicalPattern_FinishesQuickly()
    {
        // Exponential backtracking would never finish this; the matcher is O(pattern x value).
        string value = new('a', 5000);
        string pattern = string.Concat(Enumerable.Repeat("*a", 60)) + "b";
        Assert.False(DicomQueryMatcher.MatchesWildcard(pattern, value, ignoreCase: false));
    }

    [Theory]
    [InlineData("CT*", "CT", true)]
    [InlineData("ct*", "CT", false)]
    public void MatchesValue_WildcardOnCS_IsCaseSensitive(string key, string value, bool expected)
    {
        Assert.Equal(expected, DicomQueryMatcher.MatchesValue(DicomVR.CS, key, value));
    }

    [Fact]
    public void MatchesValue_WildcardCharactersInUid_AreLiteral()
    {
        Assert.False(DicomQueryMatcher.MatchesValue(DicomVR.UI, "1.2.*", "1.2.3"));
        Assert.True(DicomQueryMatcher.MatchesValue(DicomVR.UI, "1.2.3", "1.2.3"));
    }

    [Fact]
    public void Matches_ListOfUids_MatchesAnyOfThem()
    {
        Assert.True(DicomQueryMatcher.Matches(DicomVR.UI, ["1.2.3", "1.2.4"], ["1.2.4"]));
        Assert.False(DicomQueryMatcher.Matches(DicomVR.UI, ["1.2.3", "1.2.4"], ["1.2.5"]));
    }

    [Fact]
    public void Matches_MultiValuedAttribute_MatchesWhenOneValueDoes()
    {
        Assert.True(DicomQueryMatcher.Matches(DicomVR.CS, ["MR"], ["CT", "MR"]));
        Assert.True(DicomQueryMatcher.Matches(DicomVR.CS, ["US", "MR"], ["CT", "MR"]));
        Assert.False(DicomQueryMatcher.Matches(DicomVR.CS, ["US"], ["CT", "MR"]));
    }

    [Theory]
    [InlineData("20240101-20240131", "20240115", true)]
    [InlineData("20240101-20240131", "20240131", true)]
    [InlineData("20240101-20240131", "20240201", false)]
    [InlineData("-20240101", "20231231", true)]
    [InlineData("-20240101", "20240102", false)]
    [InlineData("20240101-", "20991231", true)]
    [InlineData("20240101-", "20231231", false)]
    [InlineData("20240115", "20240115", true)]
    [InlineData("20240115", "20240116", false)]
    [InlineData("2024.01.15", "20240115", true)]
    public void MatchesValue_DateRangesAndSingleDates_AreInclusive(string key, string value, bool expected)
    {
        Assert.Equal(expected, DicomQueryMatcher.MatchesValue(DicomVR.DA, key, value));
    }

    [Theory]
    [InlineData("1000-1030", "101500", true)]
    [InlineData("1000-1030", "103059.999", true)]
    [InlineData("1000-1030", "103100", false)]
    [InlineData("10", "105959", true)]
    [InlineData("10", "110000", false)]
    [InlineData("-0800", "075959.5", true)]
    [InlineData("2300-", "235959", true)]
    [InlineData("10:15:00", "101500", true)]
    public void MatchesValue_TimeRanges_TreatMissingComponentsAsTheWholeInterval(string key, string value, bool expected)
    {
        Assert.Equal(expected, DicomQueryMatcher.MatchesValue(DicomVR.TM, key, value));
    }

    [Theory]
    [InlineData("20240101-20240131", "20240115101500", true)]
    [InlineData("202401151000-202401151030", "20240115101500.123456", true)]
    [InlineData("2023-2024", "20241231235959", true)]
    [InlineData("2023-2024", "20250101", false)]
    [InlineData("20240115101500+0100", "20240115101500", true)]
    public void MatchesValue_DateTimeRanges_IgnoreOffsets(string key, string value, bool expected)
    {
        Assert.Equal(expected, DicomQueryMatcher.MatchesValue(DicomVR.DT, key, value));
    }

    [Fact]
    public void MatchesValue_MalformedDate_MatchesOnlyTheSameText()
    {
        Assert.False(DicomQueryMatcher.MatchesValue(DicomVR.DA, "2024*", "20240115"));
        Assert.True(DicomQueryMatcher.MatchesValue(DicomVR.DA, "garbage", "garbage"));
    }

    [Theory]
    [InlineData("1", "01", true)]
    [InlineData("1.0", "1", true)]
    [InlineData("2", "1", false)]
    public void MatchesValue_IntegerAndDecimalStrings_CompareAsNumbers(string key, string value, bool expected)
    {
        Assert.Equal(expected, DicomQueryMatcher.MatchesValue(DicomVR.IS, key, value));
    }
}
