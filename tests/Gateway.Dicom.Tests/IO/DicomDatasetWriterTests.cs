using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Tests.Support;

namespace Gateway.Dicom.Tests.IO;

public sealed class DicomDatasetWriterTests
{
    public static TheoryData<string> EncodingNames() => [.. Encodings.Names];

    [Theory]
    [MemberData(nameof(EncodingNames))]
    public async Task WriteAsync_EveryVR_WritesElementsInTagOrderAsPS35Prescribes(string encoding)
    {
        var ds = new DicomDataset();
        foreach (VRSample s in VRSample.All.Reverse())
        {
            ds.Set(new DicomElement(s.Tag, DicomVR.Parse(s.VR), s.Value));
        }

        byte[] actual = await TestData.WriteDatasetAsync(ds, Encodings.Of(encoding));

        byte[] expected = [.. VRSample.All.OrderBy(s => s.Tag).SelectMany(s => Encodings.Element(s, encoding))];
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(actual));
    }

    [Fact]
    public async Task WriteAsync_DatasetGroupLength_IsLeftOut()
    {
        var ds = new DicomDataset();
        ds.SetUInt32(new DicomTag(0x0010, 0x0000), 99);
        ds.SetString(DicomTags.PatientID, DicomVR.LO, "ID");

        byte[] actual = await TestData.WriteDatasetAsync(ds, DicomEncoding.ExplicitLittleEndian);

        Assert.Equal(Convert.ToHexString(new ByteBuilder().Explicit(0x0010, 0x0020, "LO", "ID").ToArray()), Convert.ToHexString(actual));
    }

    [Fact]
    public async Task WriteAsync_SequenceAndFragments_WritesDelimitedItemsAndFragments()
    {
        var item = new DicomDataset();
        item.SetString(DicomTags.ReferencedSOPInstanceUID, DicomVR.UI, "1.2");
        var ds = new DicomDataset();
        ds.Set(new DicomSequence(DicomTags.ReferencedImageSequence, [item, new DicomDataset()]));
        ds.Set(new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, [ReadOnlyMemory<byte>.Empty, new byte[] { 1, 2, 3 }]));

        byte[] actual = await TestData.WriteDatasetAsync(ds, DicomEncoding.ExplicitLittleEndian);

        byte[] expected = new ByteBuilder()
            .ExplicitHeader(0x0008, 0x1140, "SQ", 0xFFFF_FFFF)
            .Item().Explicit(0x0008, 0x1155, "UI", "1.2\0").ItemEnd()
            .Item().ItemEnd()
            .SequenceEnd()
            .ExplicitHeader(0x7FE0, 0x0010, "OB", 0xFFFF_FFFF)
            .Item(0)
            .Item(4).Raw([1, 2, 3, 0])
            .SequenceEnd()
            .ToArray();
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(actual));
    }

    [Fact]
    public async Task WriteAsync_Dataset10000Deep_WritesWithoutStackOverflow()
    {
        const int depth = 10_000;
        var root = new DicomDataset();
        DicomDataset current = root;
        for (int i = 0; i < depth; i++)
        {
            var child = new DicomDataset(current);
            current.Set(new DicomSequence(DicomTags.ReferencedImageSequence, [child]));
            current = child;
        }

        current.SetString(DicomTags.PatientID, DicomVR.LO, "ID");

        byte[] bytes = await TestData.WriteDatasetAsync(root, DicomEncoding.ExplicitLittleEndian);

        // 12-byte SQ header, 8-byte item, 8-byte item delimiter and 8-byte sequence delimiter per level.
        Assert.Equal((depth * 36) + 10, bytes.Length);
        DicomDataset read = await TestData.ReadDatasetAsync(bytes, DicomEncoding.ExplicitLittleEndian, new DicomReaderOptions { MaxDepth = depth });
        int levels = 0;
        for (DicomDataset d = read; d.GetSequence(DicomTags.ReferencedImageSequence) is { } sq; d = sq.Items[0])
        {
            levels++;
        }

        Assert.Equal(depth, levels);
    }
}
