using System.Text.Json;
using Gateway.Dicom.Json;
using Gateway.Dicom.Model;
using Gateway.Dicom.Tests.Support;

namespace Gateway.Dicom.Tests.Json;

public sealed class DicomJsonWriterTests
{
    [Fact]
    public void Serialize_NumberVRs_WritesJsonNumbers()
    {
        var ds = new DicomDataset()
            .SetString(DicomTags.InstanceNumber, DicomVR.IS, " 42")
            .SetString(DicomTags.SliceThickness, DicomVR.DS, "1.50\\+5\\-0.25e1")
            .SetUInt16(DicomTags.Rows, 512, 1)
            .SetUInt32(DicomTags.RegionFlags, 4000000000);
        ds.Set(new DicomElement(DicomTags.SmallestImagePixelValue, DicomVR.SS, new byte[] { 0xFB, 0xFF }));
        ds.Set(new DicomElement(DicomTags.ReferencePixelX0, DicomVR.SL, TestData.Int32s(-70000)));
        ds.Set(new DicomElement(DicomTags.ContrastBolusT1Relaxivity, DicomVR.FL, TestData.Singles(3.25f)));
        ds.Set(new DicomElement(DicomTags.ReferencePixelPhysicalValueX, DicomVR.FD, TestData.Doubles(-0.5, 1e300)));

        using JsonDocument doc = Parse(ds);

        Assert.Equal("[42]", Value(doc, "00200013"));
        Assert.Equal("[1.50,5,-0.25e1]", Value(doc, "00180050"));
        Assert.Equal("[512,1]", Value(doc, "00280010"));
        Assert.Equal("[4000000000]", Value(doc, "00186016"));
        Assert.Equal("[-5]", Value(doc, "00280106"));
        Assert.Equal("[-70000]", Value(doc, "00186020"));
        Assert.Equal("[3.25]", Value(doc, "00180013"));
        Assert.Equal(-0.5, doc.RootElement.GetProperty("00186028").GetProperty("Value")[0].GetDouble());
        Assert.Equal(1e300, doc.RootElement.GetProperty("00186028").GetProperty("Value")[1].GetDouble());
    }

    [Fact]
    public void Serialize_SVAndUVBeyond2To53_WritesStrings()
    {
        var ds = new DicomDataset();
        ds.Set(new DicomElement(DicomTags.SelectorSVValue, DicomVR.SV, TestData.Int64s(9_007_199_254_740_991, -9_007_199_254_740_992, -5)));
        ds.Set(new DicomElement(DicomTags.SelectorUVValue, DicomVR.UV, TestData.Int64s(9_007_199_254_740_991, 9_007_199_254_740_992)));

        using JsonDocument doc = Parse(ds);

        Assert.Equal("[9007199254740991,\"-9007199254740992\",-5]", Value(doc, "00720082"));
        Assert.Equal("[9007199254740991,\"9007199254740992\"]", Value(doc, "00720083"));
    }

    [Fact]
    public void Serialize_DSNotANumber_KeepsText()
    {
        var ds = new DicomDataset().SetString(DicomTags.SliceThickness, DicomVR.DS, "abc");

        using JsonDocument doc = Parse(ds);

        Assert.Equal("[\"abc\"]", Value(doc, "00180050"));
    }

    [Fact]
    public void Serialize_FDNaN_WritesString()
    {
        var ds = new DicomDataset();
        ds.Set(new DicomElement(DicomTags.ReferencePixelPhysicalValueX, DicomVR.FD, TestData.Doubles(double.NaN)));

        using JsonDocument doc = Parse(ds);

        Assert.Equal(JsonValueKind.String, doc.RootElement.GetProperty("00186028").GetProperty("Value")[0].ValueKind);
    }

    [Fact]
    public void Serialize_PersonName_WritesComponentGroupObjects()
    {
        var ds = new DicomDataset();
        ds.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 192");
        ds.SetString(DicomTags.PatientName, DicomVR.PN, "Yamada^Tarou=山田^太郎=やまだ^たろう");
        ds.SetString(DicomTags.ReferringPhysicianName, DicomVR.PN, "Doe^John");

        using JsonDocument doc = Parse(ds);

        Assert.Equal("[{\"Alphabetic\":\"Yamada^Tarou\",\"Ideographic\":\"山田^太郎\",\"Phonetic\":\"やまだ^たろう\"}]", Value(doc, "00100010"));
        Assert.Equal("[{\"Alphabetic\":\"Doe^John\"}]", Value(doc, "00080090"));
        Assert.Equal("PN", doc.RootElement.GetProperty("00100010").GetProperty("vr").GetString());
    }

    [Fact]
    public void Serialize_PersonNameWithTrailingDelimiters_DropsThemAsDcm2jsonDoes()
    {
        // PS3.5 6.2.1.1: trailing empty components and groups may be omitted; a name of delimiters only is empty.
        var ds = new DicomDataset();
        ds.SetString(DicomTags.PatientName, DicomVR.PN, "Doe^John^^^^");
        ds.SetString(DicomTags.ReferringPhysicianName, DicomVR.PN, "^^^^");
        ds.SetString(DicomTags.PhysiciansOfRecord, DicomVR.PN, "Doe^John^^^\\^^\\Smith^^^^=Ideo^^=");
        ds.SetString(DicomTags.OperatorsName, DicomVR.PN, "=^^=");

        using JsonDocument doc = Parse(ds);

        Assert.Equal("[{\"Alphabetic\":\"Doe^John\"}]", Value(doc, "00100010"));
        Assert.False(doc.RootElement.GetProperty("00080090").TryGetProperty("Value", out _));
        Assert.Equal("[{\"Alphabetic\":\"Doe^John\"},null,{\"Alphabetic\":\"Smith\",\"Ideographic\":\"Ideo\"}]", Value(doc, "00081048"));
        Assert.False(doc.RootElement.GetProperty("00081070").TryGetProperty("Value", out _));
    }

    [Fact]
    public void Serialize_EmptySpecificCharacterSet_IsIsoIr192LikeAnyOther()
    {
        var ds = new DicomDataset();
        ds.Set(new DicomElement(DicomTags.SpecificCharacterSet, DicomVR.CS, Array.Empty<byte>()));

        using JsonDocument doc = Parse(ds);

        Assert.Equal("[\"ISO_IR 192\"]", Value(doc, "00080005"));
    }

    [Fact]
    public void Serialize_AT_WritesTagKeyStrings()
    {
        var ds = new DicomDataset();
        ds.Set(new DicomElement(DicomTags.FrameIncrementPointer, DicomVR.AT, new byte[] { 0x18, 0x00, 0x63, 0x10, 0x10, 0x00, 0x20, 0x00 }));

        using JsonDocument doc = Parse(ds);

        Assert.Equal("[\"00181063\",\"00100020\"]", Value(doc, "00280009"));
    }

    [Theory]
    [InlineData("OB")]
    [InlineData("OW")]
    [InlineData("OD")]
    [InlineData("OF")]
    [InlineData("OL")]
    [InlineData("OV")]
    [InlineData("UN")]
    public void Serialize_BulkVR_WritesInlineBinaryOfLittleEndianValue(string vr)
    {
        byte[] value = [1, 2, 3, 4, 5, 6, 7, 8];
        var ds = new DicomDataset();
        ds.Set(new DicomElement(new DicomTag(0x0009, 0x1001), DicomVR.Parse(vr), value));

        using JsonDocument doc = Parse(ds);

        JsonElement e = doc.RootElement.GetProperty("00091001");
        Assert.Equal(vr, e.GetProperty("vr").GetString());
        Assert.Equal(value, e.GetProperty("InlineBinary").GetBytesFromBase64());
        Assert.False(e.TryGetProperty("Value", out _));
    }

    [Fact]
    public void Serialize_EncapsulatedPixelData_WritesInlineBinaryOfItems()
    {
        var ds = new DicomDataset();
        ds.Set(new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, [ReadOnlyMemory<byte>.Empty, new byte[] { 1, 2, 3 }]));

        using JsonDocument doc = Parse(ds);

        byte[] binary = doc.RootElement.GetProperty("7FE00010").GetProperty("InlineBinary").GetBytesFromBase64();
        Assert.Equal("FEFF00E000000000" + "FEFF00E004000000" + "01020300" + "FEFFDDE000000000", Convert.ToHexString(binary));
    }

    [Fact]
    public void Serialize_EmptyAttributes_HaveVRButNoValue()
    {
        var ds = new DicomDataset();
        ds.Set(new DicomElement(DicomTags.PatientID, DicomVR.LO, ReadOnlyMemory<byte>.Empty));
        ds.Set(new DicomElement(DicomTags.PatientName, DicomVR.PN, "  "u8.ToArray()));
        ds.Set(new DicomElement(DicomTags.Rows, DicomVR.US, ReadOnlyMemory<byte>.Empty));
        ds.Set(new DicomElement(DicomTags.EncapsulatedDocument, DicomVR.OB, ReadOnlyMemory<byte>.Empty));
        ds.Set(new DicomSequence(DicomTags.ReferencedImageSequence, []));

        using JsonDocument doc = Parse(ds);

        foreach (string key in (string[])["00100020", "00100010", "00280010", "00420011", "00081140"])
        {
            JsonElement e = doc.RootElement.GetProperty(key);
            Assert.Equal(["vr"], e.EnumerateObject().Select(p => p.Name));
        }
    }

    [Fact]
    public void Serialize_EmptyValueInList_WritesNull()
    {
        var ds = new DicomDataset().SetString(DicomTags.ImageType, DicomVR.CS, "A", string.Empty, "B");

        using JsonDocument doc = Parse(ds);

        Assert.Equal("[\"A\",null,\"B\"]", Value(doc, "00080008"));
    }

    [Fact]
    public void Serialize_GroupLengths_AreLeftOut()
    {
        var ds = new DicomDataset().SetUInt32(new DicomTag(0x0010, 0x0000), 10).SetUInt32(DicomTags.FileMetaInformationGroupLength, 10).SetString(DicomTags.PatientID, DicomVR.LO, "ID");

        using JsonDocument doc = Parse(ds);

        Assert.Equal(["00100020"], doc.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Serialize_Latin1Dataset_WritesUnicodeAndSpecificCharacterSetIsoIr192()
    {
        var ds = new DicomDataset();
        ds.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100");
        ds.Set(new DicomElement(DicomTags.PatientName, DicomVR.PN, Convert.FromHexString("4DFC6C6C65725E4A")));
        var item = new DicomDataset(ds);
        item.Set(new DicomElement(DicomTags.CodeMeaning, DicomVR.LO, Convert.FromHexString("E9")));
        item.SetString(DicomTags.CodeValue, DicomVR.SH, "1");
        ds.Set(new DicomSequence(DicomTags.ReferencedImageSequence, [item, new DicomDataset(ds)]));

        using JsonDocument doc = Parse(ds);

        Assert.Equal("[\"ISO_IR 192\"]", Value(doc, "00080005"));
        Assert.Equal("[{\"Alphabetic\":\"Müller^J\"}]", Value(doc, "00100010"));
        JsonElement items = doc.RootElement.GetProperty("00081140").GetProperty("Value");
        Assert.Equal(2, items.GetArrayLength());
        Assert.Equal("é", items[0].GetProperty("00080104").GetProperty("Value")[0].GetString());
        Assert.Empty(items[1].EnumerateObject());
    }

    [Fact]
    public void Serialize_Dataset_KeysAreUpperCaseTagsInOrderEachWithVR()
    {
        DicomDataset ds = TestData.RichDataset();

        using JsonDocument doc = Parse(ds);

        var keys = doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(ds.Select(i => i.Tag.ToJsonKey()), keys);
        Assert.All(doc.RootElement.EnumerateObject(), p => Assert.Equal(ds[new DicomTag(Convert.ToUInt32(p.Name, 16))]!.VR.Code, p.Value.GetProperty("vr").GetString()));
        Assert.Contains("00291010", keys);
    }

    [Fact]
    public void Serialize_LongText_IsOneValueWithBackslash()
    {
        var ds = new DicomDataset().SetString(DicomTags.TextValue, DicomVR.UT, "a\\b");

        using JsonDocument doc = Parse(ds);

        Assert.Equal("[\"a\\\\b\"]", Value(doc, "0040A160"));
    }

    [Fact]
    public void Serialize_NotIndented_IsCompact()
    {
        var ds = new DicomDataset().SetString(DicomTags.PatientID, DicomVR.LO, "ID");

        Assert.Equal("{\"00100020\":{\"vr\":\"LO\",\"Value\":[\"ID\"]}}", DicomJsonWriter.Serialize(ds, indented: false));
    }

    private static JsonDocument Parse(DicomDataset ds) => JsonDocument.Parse(DicomJsonWriter.Serialize(ds));

    private static string Value(JsonDocument doc, string key) =>
        JsonSerializer.Serialize(doc.RootElement.GetProperty(key).GetProperty("Value"), new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
