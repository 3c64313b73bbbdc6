using Gateway.Dicom.Dictionary;

namespace Gateway.Dicom.Tests.Dictionary;

public sealed class DicomDictionaryTests
{
    private static readonly DicomDictionary Standard = DicomDictionary.Standard;

    [Fact]
    public void Find_ExactTag_ReturnsEntry()
    {
        DicomDictionaryEntry? e = Standard.Find(DicomTags.PatientName);

        Assert.NotNull(e);
        Assert.Equal(("PN", "PatientName", "1", false, false), (e.VRCode, e.Keyword, e.VM, e.IsRetired, e.IsRange));
        Assert.Equal([DicomVR.PN], e.ValueRepresentations);
    }

    [Theory]
    [InlineData(0x6000)]
    [InlineData(0x6002)]
    [InlineData(0x601E)]
    [InlineData(0x60FE)]
    public void Find_RepeatingGroup60xx_ReturnsOverlayEntry(int group)
    {
        DicomDictionaryEntry? rows = Standard.Find(new DicomTag((ushort)group, 0x0010));
        DicomDictionaryEntry? data = Standard.Find(new DicomTag((ushort)group, 0x3000));

        Assert.Equal("OverlayRows", rows?.Keyword);
        Assert.Equal("OverlayData", data?.Keyword);
        Assert.True(data!.IsRange);
        Assert.Equal([DicomVR.OW, DicomVR.OB], data.ValueRepresentations);
    }

    [Fact]
    public void Find_OddGroupInRepeatingRange_ReturnsNull()
    {
        // Repeating groups cover even groups only; 6001 is a private group.
        Assert.Null(Standard.Find(new DicomTag(0x6001, 0x0010)));
    }

    [Fact]
    public void Find_ElementRange_ReturnsRangeEntry()
    {
        DicomDictionaryEntry? e = Standard.Find(new DicomTag(0x0020, 0x3150));

        Assert.Equal("SourceImageIDs", e?.Keyword);
        Assert.True(e!.IsRetired);
        Assert.True(e.Covers(new DicomTag(0x0020, 0x31FF)));
        Assert.False(e.Covers(new DicomTag(0x0020, 0x3200)));
    }

    [Fact]
    public void Find_UnknownTag_ReturnsNull()
    {
        Assert.Null(Standard.Find(new DicomTag(0x0010, 0xABCD)));
        Assert.Null(Standard.Find(new DicomTag(0x0029, 0x1010)));
    }

    [Fact]
    public void FindPrivate_KnownCreator_ReturnsEntryForAnyBlock()
    {
        DicomPrivateDictionaryEntry? inBlock10 = Standard.FindPrivate(new DicomTag(0x0029, 0x1010), "SIEMENS CSA HEADER");
        DicomPrivateDictionaryEntry? inBlock11 = Standard.FindPrivate(new DicomTag(0x0029, 0x1110), "SIEMENS CSA HEADER");

        Assert.Equal(("OB", "CSAImageHeaderInfo"), (inBlock10?.VRCode, inBlock10?.Keyword));
        Assert.Equal(inBlock10, inBlock11);
        Assert.Equal("UI", Standard.FindPrivate(new DicomTag(0x0009, 0x1010), "DCMTK_ANONYMIZER")?.VRCode);
    }

    [Fact]
    public void FindPrivate_WrongCreatorOrNotPrivateData_ReturnsNull()
    {
        Assert.Null(Standard.FindPrivate(new DicomTag(0x0029, 0x1010), "SIEMENS CSA HEADER X"));
        Assert.Null(Standard.FindPrivate(new DicomTag(0x0029, 0x0010), "SIEMENS CSA HEADER"));
        Assert.Null(Standard.FindPrivate(new DicomTag(0x0028, 0x1010), "SIEMENS CSA HEADER"));
    }

    [Fact]
    public void FindKeyword_Tags_NamesStandardPrivateAndGroupLengths()
    {
        Assert.Equal("PatientName", Standard.FindKeyword(DicomTags.PatientName));
        Assert.Equal("FileMetaInformationGroupLength", Standard.FindKeyword(DicomTags.FileMetaInformationGroupLength));
        Assert.Equal("GenericGroupLength", Standard.FindKeyword(new DicomTag(0x0010, 0x0000)));
        Assert.Equal("PrivateCreator", Standard.FindKeyword(new DicomTag(0x0029, 0x0010)));
        Assert.Equal("CSAImageHeaderInfo", Standard.FindKeyword(new DicomTag(0x0029, 0x1010), "SIEMENS CSA HEADER"));
        Assert.Null(Standard.FindKeyword(new DicomTag(0x0029, 0x1010)));
    }

    [Fact]
    public void FindByKeyword_Keyword_ReturnsEntryOfItsTag()
    {
        DicomDictionaryEntry? e = Standard.FindByKeyword("PatientID");

        Assert.NotNull(e);
        Assert.Equal(DicomTags.PatientID, new DicomTag(e.GroupLow, e.ElementLow));
        Assert.Null(Standard.FindByKeyword("patientid"));
        Assert.Null(Standard.FindByKeyword("NoSuchKeyword"));
    }

    [Theory]
    [InlineData(0x0010, 0x0000, -1, "UL")]
    [InlineData(0x0029, 0x0010, -1, "LO")]
    [InlineData(0x0028, 0x0106, -1, "US")]
    [InlineData(0x0028, 0x0106, 0, "US")]
    [InlineData(0x0028, 0x0106, 1, "SS")]
    [InlineData(0x0028, 0x1101, 1, "US")]
    [InlineData(0x7FE0, 0x0010, -1, "OW")]
    [InlineData(0x6000, 0x3000, -1, "OW")]
    [InlineData(0x0028, 0x3006, -1, "OW")]
    [InlineData(0x0004, 0x1400, -1, "UL")]
    [InlineData(0xFFFE, 0xE000, -1, "UN")]
    [InlineData(0x0010, 0xABCD, -1, "UN")]
    [InlineData(0x0029, 0x1010, -1, "UN")]
    [InlineData(0x0008, 0x1140, -1, "SQ")]
    public void GetImplicitVR_Tag_ResolvesAsDcmtk(int group, int element, int pixelRepresentation, string expected)
    {
        Assert.Equal(expected, Standard.GetImplicitVR(new DicomTag((ushort)group, (ushort)element), null, pixelRepresentation).Code);
    }

    [Fact]
    public void GetImplicitVR_PrivateWithCreator_UsesPrivateDictionary()
    {
        Assert.Equal(DicomVR.OB, Standard.GetImplicitVR(new DicomTag(0x0029, 0x1010), "SIEMENS CSA HEADER", -1));
        Assert.Equal(DicomVR.UN, Standard.GetImplicitVR(new DicomTag(0x0029, 0x1010), "SOMEONE ELSE", -1));
    }

    [Fact]
    public void WithPrivateEntries_NewEntry_IsKnownOnlyToNewDictionary()
    {
        DicomDictionary extended = Standard.WithPrivateEntries([new DicomPrivateDictionaryEntry(0x0031, "ACME 1.0", 0x10, "DS", "AcmeFactor", "1")]);

        Assert.Equal("AcmeFactor", extended.FindPrivate(new DicomTag(0x0031, 0x1010), "ACME 1.0")?.Keyword);
        Assert.Null(Standard.FindPrivate(new DicomTag(0x0031, 0x1010), "ACME 1.0"));
        Assert.Equal(Standard.PrivateCount + 1, extended.PrivateCount);
        Assert.Equal(Standard.Count, extended.Count);
    }

    [Fact]
    public void Constructor_DuplicateTags_KeepsFirst()
    {
        var dictionary = new DicomDictionary(
            [new DicomDictionaryEntry(0x0011, 0x0011, 0x0001, 0x0001, "LO", "First", "1", false), new DicomDictionaryEntry(0x0011, 0x0011, 0x0001, 0x0001, "SH", "Second", "1", false)],
            []);

        Assert.Equal("First", dictionary.Find(new DicomTag(0x0011, 0x0001))?.Keyword);
    }

    [Fact]
    public void Standard_Dictionary_HoldsPS36AndDcmtkPrivateLists()
    {
        Assert.True(Standard.Count > 4000);
        Assert.True(Standard.PrivateCount > 1000);
        Assert.Equal([DicomVR.US, DicomVR.SS], Standard.Find(DicomTags.SmallestImagePixelValue)!.ValueRepresentations);
        Assert.Empty(Standard.Find(DicomTag.Item)!.ValueRepresentations);
    }
}
