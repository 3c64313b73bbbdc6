using System.Text;
using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.Dicom.Tests.Support;
using Gateway.DicomWeb.Json;

namespace Gateway.DicomWeb.Tests.Json;

public sealed partial class DicomJsonReaderTests
{
    [Fact]
    public void Parse_RichDataset_WritesBackTheSameJson()
    {
        DicomDataset ds = TestData.RichDataset();
        ds.Set(TestData.EncapsulatedDataset()[DicomTags.PixelData]!);
        string json = DicomWebJsonWriter.Serialize(ds);

        DicomDataset read = DicomJsonReader.Parse(json);

        Assert.Equal(json, DicomWebJsonWriter.Serialize(read));
    }

    [Fact]
    public void Parse_EveryVR_GivesTheValueBytes()
    {
        var ds = new DicomDataset();
        foreach (VRSample sample in VRSample.All)
        {
            ds.Set(new DicomElement(sample.Tag, DicomVR.Parse(sample.VR), sample.WireLittle));
        }

        DicomDataset read = DicomJsonReader.Parse(DicomWebJsonWriter.Serialize(ds));

        foreach (VRSample sample in VRSample.All)
        {
            DicomElement e = Assert.IsType<DicomElement>(read[sample.Tag]);
            Assert.Equal(sample.VR, e.VR.Code);
            Assert.True(sample.WireLittle.AsSpan().SequenceEqual(e.Value.Span), $"{sample.VR}: {Convert.ToHexString(e.Value.Span)}");
        }
    }

    [Fact]
    public async Task ReadDatasetAsync_OneByteAtATime_SameAsWhole()
    {
        DicomDataset ds = TestData.RichDataset();
        string json = DicomWebJsonWriter.Serialize(ds);

        DicomDataset read = await DicomJsonReader.ReadDatasetAsync(new NonSeekableStream(Encoding.UTF8.GetBytes(json), 1));

        Assert.Equal(json, DicomWebJsonWriter.Serialize(read));
    }

    [Fact]
    public async Task ReadDatasetsAsync_Array_YieldsEachDataset()
    {
        string json = "[{\"00100020\":{\"vr\":\"LO\",\"Value\":[\"A\"]}}, {\"00100020\":{\"vr\":\"LO\",\"Value\":[\"B\"]}},\n{}]";
        var ids = new List<string?>();

        await foreach (DicomDataset ds in DicomJsonReader.ReadDatasetsAsync(Stream(json)))
        {
            ids.Add(ds.GetString(DicomTags.PatientID));
        }

        Assert.Equal(["A", "B", null], ids);
    }

    [Fact]
    public async Task ReadDatasetsAsync_EmptyArray_YieldsNothing()
    {
        int count = 0;
        await foreach (DicomDataset _ in DicomJsonReader.ReadDatasetsAsync(Stream(" [ ] ")))
        {
            count++;
        }

        Assert.Equal(0, count);
    }

    [Fact]
    public void Parse_PersonNameGroups_JoinedWithEquals()
    {
        DicomDataset ds = DicomJsonReader.Parse("""
            {"00100010":{"vr":"PN","Value":[{"Alphabetic":"Yamada^Tarou","Ideographic":"山田^太郎","Phonetic":"やまだ^たろう"},
                                             {"Ideographic":"X"}, null, "Doe^J", {}]}}
            """);

        Assert.Equal(["Yamada^Tarou=山田^太郎=やまだ^たろう", "=X", string.Empty, "Doe^J", string.Empty], ds.GetStrings(DicomTags.PatientName));
        Assert.Equal("ISO_IR 192", ds.GetString(DicomTags.SpecificCharacterSet));
    }

    [Fact]
    public void Parse_NonAsciiInItem_DeclaresUtf8AtTopAndDropsItemCharacterSet()
    {
        DicomDataset ds = DicomJsonReader.Parse("""
            {"00080005":{"vr":"CS","Value":["ISO_IR 100"]},
             "0040A730":{"vr":"SQ","Value":[{"00080005":{"vr":"CS","Value":["ISO_IR 144"]},"0040A160":{"vr":"UT","Value":["Привет"]}}]}}
            """);

        Assert.Equal("ISO_IR 192", ds.GetString(DicomTags.SpecificCharacterSet));
        DicomDataset item = ds.GetSequence(new DicomTag(0x0040, 0xA730))!.Items[0];
        Assert.False(item.Contains(DicomTags.SpecificCharacterSet));
        Assert.Equal("Привет", item.GetString(new DicomTag(0x0040, 0xA160)));
    }

    [Fact]
    public void Parse_AsciiOnly_KeepsTheDeclaredCharacterSet()
    {
        DicomDataset ds = DicomJsonReader.Parse("""{"00080005":{"vr":"CS","Value":["ISO_IR 100"]},"00100010":{"vr":"PN","Value":[{"Alphabetic":"Doe"}]}}""");

        Assert.Equal("ISO_IR 100", ds.GetString(DicomTags.SpecificCharacterSet));
    }

    [Fact]
    public void Parse_EmptyAndNullValues_GiveZeroLengthOrEmptyValues()
    {
        DicomDataset ds = DicomJsonReader.Parse("""
            {"00080020":{"vr":"DA"},"00080050":{"vr":"SH","Value":[]},"00081140":{"vr":"SQ"},"00081150":{"vr":"UI","Value":["1.2",null,"3"]},
             "00200013":{"vr":"IS","Value":[null]},"7FE00010":{"vr":"OW"}}
            """);

        Assert.Equal(0, Assert.IsType<DicomElement>(ds[DicomTags.StudyDate]).Length);
        Assert.Equal(0, Assert.IsType<DicomElement>(ds[DicomTags.AccessionNumber]).Length);
        Assert.Empty(Assert.IsType<DicomSequence>(ds[DicomTags.ReferencedImageSequence]).Items);
        Assert.Equal("1.2\\\\3", Encoding.ASCII.GetString(Assert.IsType<DicomElement>(ds[DicomTags.ReferencedSOPClassUID]).Value.Span));
        Assert.Equal(0, Assert.IsType<DicomElement>(ds[DicomTags.InstanceNumber]).Length);
        Assert.Equal(0, Assert.IsType<DicomElement>(ds[DicomTags.PixelData]).Length);
    }

    [Theory]
    [InlineData("IS", "[1.0, 1e2, \"-3\", 2147483647]", "1\\100\\-3\\2147483647")]
    [InlineData("DS", "[0.1, \"1.5\", -2.5e-3, 0.30000000000000004]", "0.1\\1.5\\-2.5e-3\\0.3")]
    [InlineData("DS", "[123456789012345678901234567890]", "1.2345678901E+29")]
    public void Parse_NumberStrings_FitTheirVR(string vr, string values, string expected)
    {
        string tag = vr == "IS" ? "00200013" : "00180050";

        DicomDataset ds = DicomJsonReader.Parse($"{{\"{tag}\":{{\"vr\":\"{vr}\",\"Value\":{values}}}}}");

        Assert.Equal(expected, string.Join('\\', ds.GetStrings(DicomTag.TryParse(tag, out DicomTag t) ? t : default)));
    }

    [Fact]
    public void Parse_BinaryNumbersAsStringsAndSpecialFloats_AreAccepted()
    {
        DicomDataset ds = DicomJsonReader.Parse("""
            {"00186028":{"vr":"FD","Value":["NaN","-Infinity",1.5]},"00720082":{"vr":"SV","Value":["-9007199254740993"]},
             "00720083":{"vr":"UV","Value":["18446744073709551615", 1e3]}}
            """);

        Assert.Equal(["NaN", "-Infinity", "1.5"], ds.GetStrings(DicomTags.ReferencePixelPhysicalValueX));
        Assert.Equal(["-9007199254740993"], ds.GetStrings(DicomTags.SelectorSVValue));
        Assert.Equal(["18446744073709551615", "1000"], ds.GetStrings(DicomTags.SelectorUVValue));
    }

    [Fact]
    public void Parse_BulkDataUri_IsReportedAndLeftEmpty()
    {
        var bulk = new List<DicomJsonBulkData>();

        DicomDataset ds = DicomJsonReader.Parse("""
            {"0040A730":{"vr":"SQ","Value":[{"00420011":{"vr":"OB","BulkDataURI":"http://h/b/1"}}]},"7FE00010":{"vr":"OW","BulkDataURI":"http://h/b/2"}}
            """, bulkData: bulk);

        Assert.Equal(2, bulk.Count);
        Assert.Equal(("0040A730/0/00420011", "http://h/b/1", "OB"), (bulk[0].Path, bulk[0].Uri, bulk[0].VR.Code));
        Assert.Same(ds.GetSequence(new DicomTag(0x0040, 0xA730))!.Items[0], bulk[0].Dataset);
        Assert.Equal(("7FE00010", "http://h/b/2"), (bulk[1].Path, bulk[1].Uri));
        Assert.Same(ds, bulk[1].Dataset);
        Assert.Equal(0, Assert.IsType<DicomElement>(ds[DicomTags.PixelData]).Length);
    }

    [Fact]
    public void Parse_OddInlineBinary_PaddedToEvenLength()
    {
        DicomDataset ds = DicomJsonReader.Parse("""{"00420011":{"vr":"OB","InlineBinary":"AQID"}}""");

        Assert.Equal(new byte[] { 1, 2, 3, 0 }, Assert.IsType<DicomElement>(ds[new DicomTag(0x0042, 0x0011)]).Value.ToArray());
    }

    [Fact]
    public void Parse_VRAfterTheValue_AsOrthancWritesIt()
    {
        // Orthanc (JsonCpp) sorts members: "Value" before "vr", at every level, and PN objects and items both come early.
        DicomDataset ds = DicomJsonReader.Parse("""
            {"00081199":{"Value":[{"00081150":{"Value":["1.2.840.10008.5.1.4.1.1.2"],"vr":"UI"}},{}],"vr":"SQ"},
             "00100010":{"Value":[{"Alphabetic":"Doe^John"},{}],"vr":"PN"},
             "00280010":{"Value":[512],"vr":"US"},
             "7FE00010":{"BulkDataURI":"http://o/bulk","vr":"OW"},
             "00720067":{"Value":[0.5],"vr":"OF"},
             "00104000":{"Value":["Comment with ", " a backslash"],"vr":"LT"}}
            """);

        DicomSequence sequence = ds.GetSequence(DicomTags.ReferencedSOPSequence)!;
        Assert.Equal(2, sequence.Items.Count);
        Assert.Equal("1.2.840.10008.5.1.4.1.1.2", sequence.Items[0].GetString(DicomTags.ReferencedSOPClassUID));
        Assert.Equal(0, sequence.Items[1].Count);
        Assert.Equal(["Doe^John", string.Empty], ds.GetStrings(DicomTags.PatientName));
        Assert.Equal(512, ds.GetInt32(DicomTags.Rows));
        Assert.Equal(0, Assert.IsType<DicomElement>(ds[DicomTags.PixelData]).Length);
        Assert.Equal(BitConverter.GetBytes(0.5f), Assert.IsType<DicomElement>(ds[new DicomTag(0x0072, 0x0067)]).Value.ToArray());
        Assert.Equal("Comment with \\ a backslash", ds.GetString(DicomTags.PatientComments));
    }

    [Fact]
    public void Parse_NestingAtTheLimit_Succeeds()
    {
        string json = Nested(64);

        DicomDataset ds = DicomJsonReader.Parse(json);

        int depth = 0;
        for (DicomDataset? d = ds; d?.GetSequence(new DicomTag(0x0040, 0xA730)) is { } s; d = s.Items.FirstOrDefault())
        {
            depth++;
        }

        Assert.Equal(64, depth);
    }

    private static string Nested(int depth)
    {
        var json = new StringBuilder();
        for (int i = 0; i < depth; i++)
        {
            json.Append("{\"0040A730\":{\"vr\":\"SQ\",\"Value\":[");
        }

        json.Append("{}");
        for (int i = 0; i < depth; i++)
        {
            json.Append("]}}");
        }

        return json.ToString();
    }

    private static MemoryStream Stream(string json) => new(Encoding.UTF8.GetBytes(json));
}
