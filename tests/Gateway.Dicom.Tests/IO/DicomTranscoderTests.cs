using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Tests.Support;

namespace Gateway.Dicom.Tests.IO;

public sealed class DicomTranscoderTests
{
    public static TheoryData<string, string> UncompressedPairs()
    {
        var data = new TheoryData<string, string>();
        foreach (DicomTransferSyntax from in TestData.Uncompressed)
        {
            foreach (DicomTransferSyntax to in TestData.Uncompressed)
            {
                data.Add(from.Uid.Value, to.Uid.Value);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(UncompressedPairs))]
    public async Task TranscodeAsync_UncompressedPair_ReadsBackEqualValues(string fromUid, string toUid)
    {
        DicomTransferSyntax from = DicomTransferSyntax.Parse(fromUid);
        DicomTransferSyntax to = DicomTransferSyntax.Parse(toUid);
        DicomDataset original = TestData.RichDataset();
        byte[] source = await TestData.WriteFileAsync(original, from);

        byte[] target = await TestData.TranscodeAsync(source, to);

        FileContent content = await TestData.ReadFileAsync(target);
        Assert.Equal(to, content.Syntax);
        Assert.Equal(toUid, content.Meta.GetString(DicomTags.TransferSyntaxUID));
        Assert.Equal(TestData.SopInstanceUid, content.Meta.GetString(DicomTags.MediaStorageSOPInstanceUID));
        TestData.AssertEquivalent(original, content.Dataset);
        Assert.Equal(-5, content.Dataset.GetInt32(DicomTags.SmallestImagePixelValue));
    }

    [Theory]
    [MemberData(nameof(UncompressedPairs))]
    public async Task TranscodeAsync_UncompressedPair_MatchesFileWrittenDirectlyInTarget(string fromUid, string toUid)
    {
        DicomTransferSyntax to = DicomTransferSyntax.Parse(toUid);
        byte[] source = await TestData.WriteFileAsync(TestData.RichDataset(), DicomTransferSyntax.Parse(fromUid));

        byte[] target = await TestData.TranscodeAsync(source, to);

        byte[] direct = await TestData.WriteFileAsync(TestData.RichDataset(), to);
        Assert.Equal(Convert.ToHexString(direct), Convert.ToHexString(target));
    }

    [Theory]
    [MemberData(nameof(UncompressedSyntaxes))]
    [InlineData("1.2.840.10008.1.2.4.90")]
    public async Task TranscodeAsync_EncapsulatedPixelDataToOtherSyntax_ThrowsUnsupportedTransferSyntaxAtThePixelData(string toUid)
    {
        byte[] source = await TestData.WriteFileAsync(TestData.EncapsulatedDataset(), DicomTransferSyntax.JpegBaseline);

        DicomFormatException ex = await Assert.ThrowsAsync<DicomFormatException>(() => TestData.TranscodeAsync(source, DicomTransferSyntax.Parse(toUid)));

        Assert.Equal(DicomFormatError.UnsupportedTransferSyntax, ex.Reason);
        Assert.Equal(DicomTags.PixelData, ex.Tag);
        Assert.Equal(source.AsSpan().IndexOf(new byte[] { 0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'B' }), ex.Offset);
    }

    [Fact]
    public async Task TranscodeAsync_UncompressedPixelDataToEncapsulated_ThrowsUnsupportedTransferSyntaxAtThePixelData()
    {
        byte[] source = await TestData.WriteFileAsync(TestData.RichDataset(), DicomTransferSyntax.ExplicitVRLittleEndian);

        DicomFormatException ex = await Assert.ThrowsAsync<DicomFormatException>(() => TestData.TranscodeAsync(source, DicomTransferSyntax.Jpeg2000Lossless));

        Assert.Equal(DicomFormatError.UnsupportedTransferSyntax, ex.Reason);
        Assert.Equal(DicomTags.PixelData, ex.Tag);
    }

    [Theory]
    [MemberData(nameof(UncompressedSyntaxes))]
    public async Task TranscodeAsync_EncapsulatedSyntaxWithoutPixelData_ConvertsAsDcmconvDoes(string toUid)
    {
        // A structured report or presentation state filed under a compressed syntax: nothing in it needs a codec.
        DicomDataset original = TestData.RichDataset();
        original.Remove(DicomTags.PixelData);
        byte[] source = await TestData.WriteFileAsync(original, DicomTransferSyntax.JpegLosslessSV1);

        byte[] target = await TestData.TranscodeAsync(source, DicomTransferSyntax.Parse(toUid));

        FileContent content = await TestData.ReadFileAsync(target);
        Assert.Equal(toUid, content.Meta.GetString(DicomTags.TransferSyntaxUID));
        TestData.AssertEquivalent(original, content.Dataset);
    }

    [Fact]
    public async Task TranscodeAsync_UncompressedWithoutPixelDataToEncapsulated_WritesTheDataSetInExplicitLittleEndian()
    {
        DicomDataset original = TestData.RichDataset();
        original.Remove(DicomTags.PixelData);
        byte[] source = await TestData.WriteFileAsync(original, DicomTransferSyntax.ExplicitVRBigEndian);

        byte[] target = await TestData.TranscodeAsync(source, DicomTransferSyntax.JpegBaseline);

        FileContent content = await TestData.ReadFileAsync(target);
        Assert.Equal(DicomTransferSyntax.JpegBaseline, content.Syntax);
        TestData.AssertEquivalent(original, content.Dataset);
        byte[] direct = await TestData.WriteFileAsync(original, DicomTransferSyntax.ExplicitVRLittleEndian);
        Assert.Equal(Convert.ToHexString(direct.AsSpan(Part10.DatasetOffset(direct))), Convert.ToHexString(target.AsSpan(Part10.DatasetOffset(target))));
    }

    [Fact]
    public async Task TranscodeAsync_EncapsulatedToItsOwnSyntax_CarriesFragmentsByteForByte()
    {
        DicomDataset original = TestData.EncapsulatedDataset();
        byte[] source = await TestData.WriteFileAsync(original, DicomTransferSyntax.JpegBaseline);

        byte[] target = await TestData.TranscodeAsync(source, DicomTransferSyntax.JpegBaseline);

        Assert.Equal(Convert.ToHexString(source.AsSpan(Part10.DatasetOffset(source))), Convert.ToHexString(target.AsSpan(Part10.DatasetOffset(target))));
        FileContent content = await TestData.ReadFileAsync(target);
        TestData.AssertEquivalent(original, content.Dataset);
    }

    [Fact]
    public async Task TranscodeAsync_SourceWithDatasetGroupLengths_LeavesThemOut()
    {
        byte[] dataset = new ByteBuilder()
            .Explicit(0x0010, 0x0000, "UL", [10, 0, 0, 0])
            .Explicit(0x0010, 0x0020, "LO", "ID")
            .ToArray();

        byte[] target = await TestData.TranscodeAsync(dataset, DicomTransferSyntax.ImplicitVRLittleEndian);

        Assert.Equal(
            Convert.ToHexString(new ByteBuilder().Implicit(0x0010, 0x0020, "ID").ToArray()),
            Convert.ToHexString(target.AsSpan(Part10.DatasetOffset(target))));
    }

    [Fact]
    public async Task TranscodeAsync_LargeOWValueToBigEndian_SwapsAcrossChunkBoundaries()
    {
        byte[] pixels = new byte[3 * 1024 * 1024];
        for (int i = 0; i < pixels.Length; i += 2)
        {
            pixels[i] = (byte)(i >> 1);
            pixels[i + 1] = (byte)(i >> 9);
        }

        var ds = new DicomDataset();
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, pixels));
        byte[] source = await TestData.WriteFileAsync(ds, DicomTransferSyntax.ExplicitVRLittleEndian);

        byte[] target = await TestData.TranscodeAsync(source, DicomTransferSyntax.ExplicitVRBigEndian);

        byte[] wire = target[(Part10.DatasetOffset(target) + 12)..];
        Assert.Equal(pixels.Length, wire.Length);
        for (int i = 0; i < pixels.Length; i += 2)
        {
            if (wire[i] != pixels[i + 1] || wire[i + 1] != pixels[i])
            {
                Assert.Fail($"word at {i} not swapped");
            }
        }
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2", "1.2.840.10008.1.2.2", true)]
    [InlineData("1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.50", true)]
    [InlineData("1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.70", false)]
    [InlineData("1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.1", false)]
    [InlineData("1.2.840.10008.1.2.1", "1.2.840.10008.1.2.5", false)]
    public void CanTranscode_Pair_AllowsUncompressedAndSameSyntaxOnly(string from, string to, bool expected)
    {
        Assert.Equal(expected, DicomTranscoder.CanTranscode(DicomTransferSyntax.Parse(from), DicomTransferSyntax.Parse(to)));
    }

    public static TheoryData<string> UncompressedSyntaxes() => [.. TestData.Uncompressed.Select(ts => ts.Uid.Value)];
}
