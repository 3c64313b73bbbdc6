using System.Buffers.Binary;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Tests.Support;

namespace Gateway.Dicom.Tests.IO;

public sealed class DicomPart10HeaderTests
{
    public static TheoryData<string> Syntaxes() => [.. TestData.Uncompressed.Select(ts => ts.Uid.Value)];

    [Theory]
    [MemberData(nameof(Syntaxes))]
    public async Task ReadAsync_LeavesTheDataSetBytesExactlyAsSent(string syntaxUid)
    {
        DicomTransferSyntax syntax = DicomTransferSyntax.Parse(syntaxUid);
        byte[] file = await TestData.WriteFileAsync(TestData.RichDataset(), syntax);

        // Read in small pieces from a stream that cannot seek: nothing past the meta information may be consumed.
        DicomPart10Header header = await DicomPart10Header.ReadAsync(new NonSeekableStream(file, maxRead: 7));
        using var rest = new MemoryStream();
        await header.DataSet.CopyToAsync(rest);

        Assert.Equal(syntax, header.TransferSyntax);
        Assert.Equal(TestData.SopInstanceUid, header.SopInstanceUid);
        Assert.Equal(file[Part10.DatasetOffset(file)..], rest.ToArray());
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2")]
    [InlineData("1.2.840.10008.1.2.1")]
    [InlineData("1.2.840.10008.1.2.2")]
    public async Task ReadAsync_MetaWithoutTransferSyntaxUid_RecognisesTheDataSetsEncodingAndKeepsItsBytes(string syntaxUid)
    {
        // A STOW-RS part whose File Meta Information lacks (0002,0010): read as DCMTK reads such a file, from the data
        // set's first element, and the data set still handed back byte for byte.
        DicomTransferSyntax syntax = DicomTransferSyntax.Parse(syntaxUid);
        byte[] file = await TestData.WriteFileAsync(TestData.RichDataset(), syntax);
        var transferSyntax = Part10.MetaElements(file).Single(m => m.Tag == DicomTags.TransferSyntaxUID);
        int cut = transferSyntax.Offset;
        int end = transferSyntax.Offset + 8 + transferSyntax.Value.Length;
        byte[] withoutSyntax = [.. file[..cut], .. file[end..]];
        BinaryPrimitives.WriteUInt32LittleEndian(withoutSyntax.AsSpan(128 + 4 + 8), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(128 + 4 + 8)) - (uint)(end - cut));

        DicomPart10Header header = await DicomPart10Header.ReadAsync(new NonSeekableStream(withoutSyntax, maxRead: 7));
        using var rest = new MemoryStream();
        await header.DataSet.CopyToAsync(rest);

        Assert.Equal(syntax, header.TransferSyntax);
        Assert.Equal(file[Part10.DatasetOffset(file)..], rest.ToArray());
    }

    [Fact]
    public async Task ReadAsync_MetaInformationOnly_GivesAnEmptyDataSet()
    {
        byte[] file = await TestData.WriteFileAsync(TestData.RichDataset(), DicomTransferSyntax.ExplicitVRLittleEndian);
        byte[] metaOnly = file[..Part10.DatasetOffset(file)];

        DicomPart10Header header = await DicomPart10Header.ReadAsync(new MemoryStream(metaOnly));

        Assert.Equal(-1, header.DataSet.ReadByte());
    }

    [Fact]
    public async Task ReadAsync_NoPreamble_IsNotDicom()
    {
        byte[] file = await TestData.WriteFileAsync(TestData.RichDataset(), DicomTransferSyntax.ExplicitVRLittleEndian);

        DicomFormatException ex = await Assert.ThrowsAsync<DicomFormatException>(() => DicomPart10Header.ReadAsync(new MemoryStream(file[128..])).AsTask());

        Assert.Equal(DicomFormatError.NotDicom, ex.Reason);
    }

    [Fact]
    public async Task ReadAsync_NoMetaInformation_IsRefused()
    {
        byte[] file = await TestData.WriteFileAsync(TestData.RichDataset(), DicomTransferSyntax.ExplicitVRLittleEndian);
        byte[] bare = [.. file[..132], .. file[Part10.DatasetOffset(file)..]];

        DicomFormatException ex = await Assert.ThrowsAsync<DicomFormatException>(() => DicomPart10Header.ReadAsync(new MemoryStream(bare)).AsTask());

        Assert.Equal(DicomFormatError.InvalidFileMetaInformation, ex.Reason);
    }

    [Fact]
    public async Task ReadAsync_EveryTruncationInsideTheMeta_FailsCleanly()
    {
        byte[] file = await TestData.WriteFileAsync(TestData.RichDataset(), DicomTransferSyntax.ExplicitVRLittleEndian);
        int metaEnd = Part10.DatasetOffset(file);
        for (int cut = 0; cut < metaEnd; cut++)
        {
            DicomFormatException ex = await Assert.ThrowsAsync<DicomFormatException>(() => DicomPart10Header.ReadAsync(new MemoryStream(file[..cut])).AsTask());
            Assert.True(ex.Reason is DicomFormatError.NotDicom or DicomFormatError.Truncated or DicomFormatError.InvalidFileMetaInformation, $"cut at {cut}: {ex.Reason}");
        }
    }

    [Fact]
    public async Task ReadAsync_HugeElementLength_IsRefusedBeforeAllocation()
    {
        byte[] file = await TestData.WriteFileAsync(TestData.RichDataset(), DicomTransferSyntax.ExplicitVRLittleEndian);

        // (0002,0001) OB: set its 32-bit length to 0xFFFFFFF0.
        (DicomTag _, string _, int offset, byte[] _) = Part10.MetaElements(file).Single(e => e.Tag == DicomTags.FileMetaInformationVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(offset + 8), 0xFFFF_FFF0);

        DicomFormatException ex = await Assert.ThrowsAsync<DicomFormatException>(() => DicomPart10Header.ReadAsync(new MemoryStream(file)).AsTask());

        Assert.Equal(DicomFormatError.InvalidFileMetaInformation, ex.Reason);
        Assert.Contains("longer than", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_ImplicitVRMeta_IsRefused()
    {
        byte[] file = await TestData.WriteFileAsync(TestData.RichDataset(), DicomTransferSyntax.ExplicitVRLittleEndian);
        file[132 + 4] = 0x01;
        file[132 + 5] = 0x02;

        await Assert.ThrowsAsync<DicomFormatException>(() => DicomPart10Header.ReadAsync(new MemoryStream(file)).AsTask());
    }
}
