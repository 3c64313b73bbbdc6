using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Tests.Support;

namespace Gateway.Dicom.Tests.IO;

public sealed class DicomDatasetReaderTests
{
    public static TheoryData<string, string> EveryVRInEveryEncoding() => Encodings.EveryVRInEveryEncoding();

    public static TheoryData<string> EncodingNames() => [.. Encodings.Names];

    [Theory]
    [MemberData(nameof(EveryVRInEveryEncoding))]
    public async Task ReadAsync_GoldenElement_HoldsLittleEndianPaddedValue(string vr, string encoding)
    {
        VRSample sample = VRSample.Get(vr);

        DicomDataset ds = await TestData.ReadDatasetAsync(Encodings.Element(sample, encoding), Encodings.Of(encoding));

        DicomElement element = Assert.IsType<DicomElement>(Assert.Single(ds));
        Assert.Equal(sample.Tag, element.Tag);
        Assert.Equal(vr, element.VR.Code);
        Assert.Equal(Convert.ToHexString(sample.WireLittle), Convert.ToHexString(element.Value.Span));
    }

    [Theory]
    [MemberData(nameof(EncodingNames))]
    public async Task ReadAsync_WrittenRichDataset_ReadsBackEqual(string encoding)
    {
        DicomDataset original = TestData.RichDataset();
        byte[] bytes = await TestData.WriteDatasetAsync(original, Encodings.Of(encoding));

        DicomDataset read = await TestData.ReadDatasetAsync(bytes, Encodings.Of(encoding));

        TestData.AssertEquivalent(original, read);
        Assert.Equal("Müller^Jürgen", read.GetString(DicomTags.PatientName));
    }

    [Fact]
    public async Task ReadAsync_DefinedLengthItems_BuildsNestedDatasetsWithParents()
    {
        byte[] bytes = new ByteBuilder()
            .ExplicitHeader(0x0008, 0x1140, "SQ", 32)
            .Item(24)
            .Explicit(0x0008, 0x1155, "UI", "1.2\0")
            .ExplicitHeader(0x0008, 0x9215, "SQ", 0)
            .Explicit(0x0010, 0x0010, "PN", "A^B ")
            .ToArray();

        DicomDataset ds = await TestData.ReadDatasetAsync(bytes, DicomEncoding.ExplicitLittleEndian);

        DicomSequence sq = Assert.IsType<DicomSequence>(ds[DicomTags.ReferencedImageSequence]);
        DicomDataset item = Assert.Single(sq.Items);
        Assert.Same(ds, item.Parent);
        Assert.Equal("1.2", item.GetString(DicomTags.ReferencedSOPInstanceUID));
        Assert.Empty(Assert.IsType<DicomSequence>(item[DicomTags.DerivationCodeSequence]).Items);
        Assert.Equal("A^B", ds.GetString(DicomTags.PatientName));
    }

    [Fact]
    public async Task ReadAsync_DuplicateTag_KeepsFirstOccurrence()
    {
        byte[] bytes = new ByteBuilder()
            .Explicit(0x0010, 0x0020, "LO", "P1")
            .Explicit(0x0010, 0x0020, "LO", "P2")
            .ToArray();

        DicomDataset ds = await TestData.ReadDatasetAsync(bytes, DicomEncoding.ExplicitLittleEndian);

        Assert.Equal("P1", ds.GetString(DicomTags.PatientID));
    }

    [Fact]
    public async Task ReadAsync_EncapsulatedPixelData_HoldsOffsetTableAndFragments()
    {
        byte[] bytes = new ByteBuilder()
            .ExplicitHeader(0x7FE0, 0x0010, "OB", 0xFFFF_FFFF)
            .Item(4).Raw([0, 0, 0, 0])
            .Item(2).Raw([0xAA, 0xBB])
            .SequenceEnd()
            .ToArray();

        DicomDataset ds = await TestData.ReadDatasetAsync(bytes, DicomEncoding.ExplicitLittleEndian);

        DicomFragmentSequence f = Assert.IsType<DicomFragmentSequence>(ds[DicomTags.PixelData]);
        Assert.Equal(DicomVR.OB, f.VR);
        Assert.Equal("00000000", Convert.ToHexString(f.OffsetTable.Span));
        Assert.Equal(["00000000", "AABB"], f.Items.Select(i => Convert.ToHexString(i.Span)));
    }
}
