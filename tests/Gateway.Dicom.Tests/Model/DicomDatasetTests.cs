using Gateway.Dicom.Model;
using Gateway.Dicom.Tests.Support;
using Gateway.Dicom.Text;

namespace Gateway.Dicom.Tests.Model;

public sealed class DicomDatasetTests
{
    [Fact]
    public void Set_OutOfOrder_KeepsAscendingTagOrderAndReplaces()
    {
        var ds = new DicomDataset();
        ds.SetString(DicomTags.PatientName, DicomVR.PN, "B^B");
        ds.SetString(DicomTags.Modality, DicomVR.CS, "CT");
        ds.SetString(DicomTags.PatientID, DicomVR.LO, "ID");
        ds.SetString(DicomTags.PatientName, DicomVR.PN, "A^A");

        Assert.Equal([DicomTags.Modality, DicomTags.PatientName, DicomTags.PatientID], ds.Select(i => i.Tag));
        Assert.Equal("A^A", ds.GetString(DicomTags.PatientName));
        Assert.Equal(3, ds.Count);
    }

    [Fact]
    public void TryAdd_ExistingTag_KeepsFirst()
    {
        var ds = new DicomDataset();
        Assert.True(ds.TryAdd(new DicomElement(DicomTags.PatientID, DicomVR.LO, "P1"u8.ToArray())));

        Assert.False(ds.TryAdd(new DicomElement(DicomTags.PatientID, DicomVR.LO, "P2"u8.ToArray())));
        Assert.Equal("P1", ds.GetString(DicomTags.PatientID));
    }

    [Fact]
    public void Remove_Tag_RemovesOnlyIt()
    {
        var ds = new DicomDataset().SetString(DicomTags.PatientID, DicomVR.LO, "ID").SetString(DicomTags.Modality, DicomVR.CS, "CT");

        Assert.True(ds.Remove(DicomTags.PatientID));
        Assert.False(ds.Remove(DicomTags.PatientID));
        Assert.False(ds.Contains(DicomTags.PatientID));
        Assert.Null(ds[DicomTags.PatientID]);
        Assert.True(ds.Contains(DicomTags.Modality));
    }

    [Fact]
    public void SetString_OddLength_PadsWithVRPaddingByte()
    {
        var ds = new DicomDataset()
            .SetString(DicomTags.SOPInstanceUID, DicomVR.UI, "1.2.3")
            .SetString(DicomTags.PatientID, DicomVR.LO, "ABC")
            .SetString(DicomTags.ImageType, DicomVR.CS, "ORIGINAL", "PRIMARY");

        Assert.Equal("312E322E3300", Hex(ds, DicomTags.SOPInstanceUID));
        Assert.Equal("41424320", Hex(ds, DicomTags.PatientID));
        Assert.Equal("ORIGINAL\\PRIMARY", System.Text.Encoding.ASCII.GetString(((DicomElement)ds[DicomTags.ImageType]!).Value.Span));
    }

    [Fact]
    public void SetString_BinaryVR_Throws()
    {
        Assert.Throws<ArgumentException>(() => new DicomDataset().SetString(DicomTags.Rows, DicomVR.US, "2"));
    }

    [Fact]
    public void SetUInt16AndSetUInt32_Values_AreLittleEndian()
    {
        var ds = new DicomDataset().SetUInt16(DicomTags.Rows, 0x0102, 0xFFFF).SetUInt32(DicomTags.RegionFlags, 0x01020304);

        Assert.Equal("0201FFFF", Hex(ds, DicomTags.Rows));
        Assert.Equal("04030201", Hex(ds, DicomTags.RegionFlags));
        Assert.Equal(DicomVR.UL, ds[DicomTags.RegionFlags]!.VR);
    }

    [Fact]
    public void GetStringAndGetStrings_MultiValuedPadded_TrimAndSplit()
    {
        var ds = new DicomDataset();
        ds.Set(new DicomElement(DicomTags.ImageType, DicomVR.CS, "ORIGINAL\\ PRIMARY \\AXIAL "u8.ToArray()));

        Assert.Equal(["ORIGINAL", "PRIMARY", "AXIAL"], ds.GetStrings(DicomTags.ImageType));
        Assert.Equal("ORIGINAL", ds.GetString(DicomTags.ImageType));
    }

    [Fact]
    public void GetString_AbsentOrEmptyOrSequence_IsNull()
    {
        var ds = new DicomDataset();
        ds.Set(new DicomElement(DicomTags.PatientID, DicomVR.LO, ReadOnlyMemory<byte>.Empty));
        ds.Set(new DicomSequence(DicomTags.ReferencedImageSequence, []));

        Assert.Null(ds.GetString(DicomTags.PatientName));
        Assert.Null(ds.GetString(DicomTags.PatientID));
        Assert.Empty(ds.GetStrings(DicomTags.PatientID));
        Assert.Null(ds.GetString(DicomTags.ReferencedImageSequence));
        Assert.NotNull(ds.GetSequence(DicomTags.ReferencedImageSequence));
        Assert.False(ds.TryGetElement(DicomTags.ReferencedImageSequence, out _));
    }

    [Fact]
    public void GetStrings_BinaryVR_FormatsEachValue()
    {
        var ds = new DicomDataset().SetUInt16(DicomTags.Rows, 1, 65535);
        ds.Set(new DicomElement(DicomTags.FrameIncrementPointer, DicomVR.AT, new byte[] { 0x18, 0x00, 0x63, 0x10 }));
        ds.Set(new DicomElement(DicomTags.ReferencePixelPhysicalValueX, DicomVR.FD, TestData.Doubles(0.1)));

        Assert.Equal(["1", "65535"], ds.GetStrings(DicomTags.Rows));
        Assert.Equal("(0018,1063)", ds.GetString(DicomTags.FrameIncrementPointer));
        Assert.Equal("0.1", ds.GetString(DicomTags.ReferencePixelPhysicalValueX));
    }

    [Fact]
    public void GetUid_PaddedUid_TrimsNul()
    {
        var ds = new DicomDataset();
        ds.Set(new DicomElement(DicomTags.SOPClassUID, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.2\0"u8.ToArray()));

        Assert.Equal(DicomUids.CTImageStorage, ds.GetUid(DicomTags.SOPClassUID));
        Assert.Null(ds.GetUid(DicomTags.SOPInstanceUID));
    }

    [Theory]
    [InlineData("20240131", 2024, 1, 31)]
    [InlineData("2024.01.31", 2024, 1, 31)]
    [InlineData("19000101", 1900, 1, 1)]
    public void GetDate_DA_ParsesDate(string text, int year, int month, int day)
    {
        var ds = new DicomDataset().SetString(DicomTags.StudyDate, DicomVR.DA, text);

        Assert.Equal(new DateOnly(year, month, day), ds.GetDate(DicomTags.StudyDate));
    }

    [Theory]
    [InlineData("2024-01-31")]
    [InlineData("20241331")]
    [InlineData("2024013")]
    public void GetDate_Malformed_IsNull(string text)
    {
        var ds = new DicomDataset().SetString(DicomTags.StudyDate, DicomVR.DA, text);

        Assert.Null(ds.GetDate(DicomTags.StudyDate));
    }

    [Theory]
    [InlineData("10", 10, 0, 0, 0)]
    [InlineData("1011", 10, 11, 0, 0)]
    [InlineData("101112", 10, 11, 12, 0)]
    [InlineData("101112.5", 10, 11, 12, 500)]
    [InlineData("235959.123456", 23, 59, 59, 123)]
    [InlineData("10:11:12", 10, 11, 12, 0)]
    public void GetTime_TM_ParsesTime(string text, int hour, int minute, int second, int millisecond)
    {
        var ds = new DicomDataset().SetString(DicomTags.StudyTime, DicomVR.TM, text);

        TimeOnly? t = ds.GetTime(DicomTags.StudyTime);

        Assert.NotNull(t);
        Assert.Equal((hour, minute, second, millisecond), (t.Value.Hour, t.Value.Minute, t.Value.Second, t.Value.Millisecond));
    }

    [Theory]
    [InlineData("25")]
    [InlineData("1060")]
    [InlineData("noon")]
    public void GetTime_Malformed_IsNull(string text)
    {
        var ds = new DicomDataset().SetString(DicomTags.StudyTime, DicomVR.TM, text);

        Assert.Null(ds.GetTime(DicomTags.StudyTime));
    }

    [Fact]
    public void TryGetNumber_BinaryVRs_ReadsIndexedLittleEndianValues()
    {
        var ds = new DicomDataset().SetUInt16(DicomTags.Rows, 7, 513);
        ds.Set(new DicomElement(DicomTags.SmallestImagePixelValue, DicomVR.SS, new byte[] { 0xFB, 0xFF }));
        ds.Set(new DicomElement(DicomTags.ReferencePixelX0, DicomVR.SL, TestData.Int32s(-70000)));
        ds.Set(new DicomElement(DicomTags.ContrastBolusT1Relaxivity, DicomVR.FL, TestData.Singles(3.25f)));
        ds.Set(new DicomElement(DicomTags.SelectorSVValue, DicomVR.SV, TestData.Int64s(-5)));
        ds.Set(new DicomElement(DicomTags.SelectorUVValue, DicomVR.UV, TestData.Int64s(1L << 40)));

        Assert.Equal(513, Number(ds, DicomTags.Rows, 1));
        Assert.Equal(-5, Number(ds, DicomTags.SmallestImagePixelValue));
        Assert.Equal(-70000, Number(ds, DicomTags.ReferencePixelX0));
        Assert.Equal(3.25, Number(ds, DicomTags.ContrastBolusT1Relaxivity));
        Assert.Equal(-5, Number(ds, DicomTags.SelectorSVValue));
        Assert.Equal(1L << 40, Number(ds, DicomTags.SelectorUVValue));
        Assert.False(ds.TryGetNumber(DicomTags.Rows, out _, 2));
        Assert.False(ds.TryGetNumber(DicomTags.Rows, out _, -1));
    }

    [Fact]
    public void TryGetNumber_ISAndDS_ParsesTrimmedText()
    {
        var ds = new DicomDataset()
            .SetString(DicomTags.InstanceNumber, DicomVR.IS, " 42 ")
            .SetString(DicomTags.SliceThickness, DicomVR.DS, "1.5e2");

        Assert.Equal(42, Number(ds, DicomTags.InstanceNumber));
        Assert.Equal(150, Number(ds, DicomTags.SliceThickness));
        Assert.Equal(42, ds.GetInt32(DicomTags.InstanceNumber));
    }

    [Fact]
    public void TryGetNumber_NotANumber_ReturnsFalse()
    {
        var ds = new DicomDataset()
            .SetString(DicomTags.PatientID, DicomVR.LO, "42")
            .SetString(DicomTags.InstanceNumber, DicomVR.IS, "forty");
        ds.Set(new DicomElement(DicomTags.FrameIncrementPointer, DicomVR.AT, new byte[] { 0x18, 0x00, 0x63, 0x10 }));

        Assert.False(ds.TryGetNumber(DicomTags.PatientID, out _));
        Assert.False(ds.TryGetNumber(DicomTags.InstanceNumber, out _));
        Assert.False(ds.TryGetNumber(DicomTags.FrameIncrementPointer, out _));
        Assert.False(ds.TryGetNumber(DicomTags.Rows, out _));
    }

    [Theory]
    [InlineData("2.5")]
    [InlineData("2147483648")]
    [InlineData("-2147483649")]
    public void GetInt32_NonIntegralOrOutOfRange_IsNull(string text)
    {
        var ds = new DicomDataset().SetString(DicomTags.SliceThickness, DicomVR.DS, text);

        Assert.Null(ds.GetInt32(DicomTags.SliceThickness));
    }

    [Fact]
    public void GetPersonName_PN_SplitsGroupsAndComponents()
    {
        var ds = new DicomDataset();
        ds.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 192");
        ds.SetString(DicomTags.PatientName, DicomVR.PN, "Yamada^Tarou=山田^太郎=やまだ^たろう");

        DicomPersonName? name = ds.GetPersonName(DicomTags.PatientName);

        Assert.NotNull(name);
        Assert.Equal(("Yamada", "Tarou", "山田^太郎", "やまだ^たろう"), (name.FamilyName, name.GivenName, name.Ideographic, name.Phonetic));
        Assert.Null(ds.GetPersonName(DicomTags.ReferringPhysicianName));
    }

    [Fact]
    public void CharacterSet_SequenceItem_InheritsFromParentUnlessItHasItsOwn()
    {
        var root = new DicomDataset();
        root.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100");
        var inheriting = new DicomDataset(root);
        inheriting.Set(new DicomElement(DicomTags.PatientName, DicomVR.PN, Convert.FromHexString("4DFC6C6C65725E4A")));
        var nested = new DicomDataset(inheriting);
        nested.Set(new DicomElement(DicomTags.PatientName, DicomVR.PN, Convert.FromHexString("4DFC6C6C65725E4A")));
        var own = new DicomDataset(root);
        own.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 192");
        own.Set(new DicomElement(DicomTags.PatientName, DicomVR.PN, Convert.FromHexString("4DC3BC6C6C65725E4A20")));

        Assert.Equal("Müller^J", inheriting.GetString(DicomTags.PatientName));
        Assert.Equal("Müller^J", nested.GetString(DicomTags.PatientName));
        Assert.Equal("Müller^J", own.GetString(DicomTags.PatientName));
        Assert.Same(DicomCharacterSet.Utf8, own.CharacterSet);
        Assert.Same(DicomCharacterSet.Default, new DicomDataset().CharacterSet);
    }

    [Fact]
    public async Task CharacterSet_ReadFromStream_ItemsInheritTopLevelSet()
    {
        byte[] bytes = new ByteBuilder()
            .Explicit(0x0008, 0x0005, "CS", "ISO_IR 100")
            .ExplicitHeader(0x0008, 0x1140, "SQ", 0xFFFF_FFFF)
            .Item().Explicit(0x0010, 0x0010, "PN", Convert.FromHexString("4DFC6C6C65725E4A")).ItemEnd()
            .SequenceEnd()
            .ToArray();

        DicomDataset ds = await TestData.ReadDatasetAsync(bytes, DicomEncoding.ExplicitLittleEndian);

        Assert.Equal("Müller^J", ds.GetSequence(DicomTags.ReferencedImageSequence)!.Items[0].GetString(DicomTags.PatientName));
    }

    [Fact]
    public void CharacterSet_SpecificCharacterSetReplaced_IsRecomputed()
    {
        var ds = new DicomDataset();
        ds.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100");
        ds.Set(new DicomElement(DicomTags.PatientName, DicomVR.PN, Convert.FromHexString("C3BC")));
        Assert.Equal("Ã¼", ds.GetString(DicomTags.PatientName));

        ds.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 192");
        Assert.Equal("ü", ds.GetString(DicomTags.PatientName));

        ds.Remove(DicomTags.SpecificCharacterSet);
        Assert.Same(DicomCharacterSet.Default, ds.CharacterSet);
    }

    [Fact]
    public void SetString_WithLatin1CharacterSet_EncodesLatin1()
    {
        var ds = new DicomDataset();
        ds.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100");
        ds.SetString(DicomTags.PatientName, DicomVR.PN, "Müller");

        Assert.Equal("4DFC6C6C6572", Hex(ds, DicomTags.PatientName));
    }

    private static string Hex(DicomDataset ds, DicomTag tag) => Convert.ToHexString(((DicomElement)ds[tag]!).Value.Span);

    private static double Number(DicomDataset ds, DicomTag tag, int index = 0)
    {
        Assert.True(ds.TryGetNumber(tag, out double d, index));
        return d;
    }
}
