using System.IO.Compression;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Tests.Support;

namespace Gateway.Dicom.Tests.IO;

public sealed partial class DicomFileReaderTests
{
    public static TheoryData<string> UncompressedSyntaxes() => [.. TestData.Uncompressed.Select(ts => ts.Uid.Value)];

    [Theory]
    [MemberData(nameof(UncompressedSyntaxes))]
    public async Task OpenAsync_WrittenFile_ReadsMetaSyntaxAndDataset(string syntaxUid)
    {
        DicomTransferSyntax syntax = DicomTransferSyntax.Parse(syntaxUid);
        DicomDataset original = TestData.RichDataset();
        byte[] file = await TestData.WriteFileAsync(original, syntax);

        FileContent content = await TestData.ReadFileAsync(file);

        Assert.Equal(syntax, content.Syntax);
        Assert.True(content.HasPreamble);
        Assert.Equal(Part10.DatasetOffset(file), content.DatasetOffset);
        Assert.Equal(syntaxUid, content.Meta.GetString(DicomTags.TransferSyntaxUID));
        Assert.Equal(TestData.SopInstanceUid, content.Meta.GetString(DicomTags.MediaStorageSOPInstanceUID));
        TestData.AssertEquivalent(original, content.Dataset);
    }

    [Theory]
    [MemberData(nameof(UncompressedSyntaxes))]
    public async Task OpenAsync_NonSeekableStream_ReadsSameDataset(string syntaxUid)
    {
        DicomDataset original = TestData.RichDataset();
        byte[] file = await TestData.WriteFileAsync(original, DicomTransferSyntax.Parse(syntaxUid));

        FileContent content = await TestData.ReadFileAsync(file, seekable: false);

        TestData.AssertEquivalent(original, content.Dataset);
    }

    [Theory]
    [InlineData(128)]
    [InlineData(132)]
    public async Task OpenAsync_FileWithoutPreamble_ReadsMetaAndDataset(int skip)
    {
        DicomDataset original = TestData.RichDataset();
        byte[] file = await TestData.WriteFileAsync(original, DicomTransferSyntax.ExplicitVRBigEndian);

        FileContent content = await TestData.ReadFileAsync(file[skip..]);

        Assert.False(content.HasPreamble);
        Assert.Equal(DicomTransferSyntax.ExplicitVRBigEndian, content.Syntax);
        Assert.Equal(Part10.DatasetOffset(file) - skip, content.DatasetOffset);
        TestData.AssertEquivalent(original, content.Dataset);
    }

    [Theory]
    [InlineData(Encodings.ImplicitLE, "1.2.840.10008.1.2")]
    [InlineData(Encodings.ExplicitLE, "1.2.840.10008.1.2.1")]
    [InlineData(Encodings.ExplicitBE, "1.2.840.10008.1.2.2")]
    public async Task OpenAsync_BareDataset_DetectsEncoding(string encoding, string expectedSyntax)
    {
        DicomDataset original = TestData.RichDataset();
        byte[] bytes = await TestData.WriteDatasetAsync(original, Encodings.Of(encoding));

        FileContent content = await TestData.ReadFileAsync(bytes);

        Assert.Equal(expectedSyntax, content.Syntax.Uid.Value);
        Assert.False(content.HasPreamble);
        Assert.Equal(0, content.DatasetOffset);
        Assert.Equal(0, content.Meta.Count);
        TestData.AssertEquivalent(original, content.Dataset);
    }

    [Fact]
    public async Task OpenAsync_PreambleThenBareDataset_ReadsDataset()
    {
        DicomDataset original = TestData.RichDataset();
        byte[] dataset = await TestData.WriteDatasetAsync(original, DicomEncoding.ExplicitLittleEndian);
        byte[] file = [.. new byte[128], .. "DICM"u8, .. dataset];

        FileContent content = await TestData.ReadFileAsync(file);

        Assert.True(content.HasPreamble);
        Assert.Equal(132, content.DatasetOffset);
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, content.Syntax);
        TestData.AssertEquivalent(original, content.Dataset);
    }

    [Fact]
    public async Task OpenAsync_DeflatedFile_InflatesDatasetAndCountsOffsetsInInflatedBytes()
    {
        byte[] file = await TestData.WriteFileAsync(TestData.RichDataset(), DicomTransferSyntax.DeflatedExplicitVRLittleEndian);
        int datasetOffset = Part10.DatasetOffset(file);
        byte[] inflated = Part10.Inflate(file.AsSpan(datasetOffset));

        await using DicomFileReader reader = await DicomFileReader.OpenAsync(new MemoryStream(file));
        long lastOffset = 0;
        while (await reader.Reader.ReadAsync())
        {
            lastOffset = reader.Reader.TokenOffset;
        }

        Assert.True(reader.TransferSyntax.IsDeflated);
        Assert.Equal(DicomEncoding.ExplicitLittleEndian, reader.Reader.Encoding);
        Assert.Equal(datasetOffset + inflated.Length, reader.Reader.Position);
        Assert.True(lastOffset > datasetOffset);
    }

    [Fact]
    public async Task OpenAsync_MetaWrittenInImplicitVR_IsStillRead()
    {
        // A few old writers put the File Meta Information in implicit VR; DCMTK reads it, and so do we.
        byte[] file = new ByteBuilder()
            .Zeros(128).Ascii("DICM")
            .Implicit(0x0002, 0x0010, "1.2.840.10008.1.2\0")
            .Implicit(0x0010, 0x0020, "ID")
            .ToArray();

        FileContent content = await TestData.ReadFileAsync(file);

        Assert.Equal(DicomTransferSyntax.ImplicitVRLittleEndian, content.Syntax);
        Assert.Equal("ID", content.Dataset.GetString(DicomTags.PatientID));
    }

    [Fact]
    public async Task OpenAsync_UnknownValidTransferSyntaxUid_IsTakenAsEncapsulatedExplicitLittleEndian()
    {
        byte[] file = MetaOnly("1.2.3.4.5\0", new ByteBuilder().Explicit(0x0010, 0x0020, "LO", "ID").ToArray());

        FileContent content = await TestData.ReadFileAsync(file);

        Assert.False(content.Syntax.IsKnown);
        Assert.True(content.Syntax.IsEncapsulated);
        Assert.Equal("ID", content.Dataset.GetString(DicomTags.PatientID));
    }

    [Fact]
    public async Task OpenAsync_Path_ReadsFileFromDisk()
    {
        string path = Path.Combine(Path.GetTempPath(), $"gateway-test-{Guid.NewGuid():N}.dcm");
        try
        {
            await File.WriteAllBytesAsync(path, await TestData.WriteFileAsync(TestData.RichDataset(), DicomTransferSyntax.ExplicitVRLittleEndian));
            await using DicomFileReader reader = await DicomFileReader.OpenAsync(path);

            DicomDataset ds = await reader.ReadDatasetAsync();

            Assert.Equal("PAT-0001", ds.GetString(DicomTags.PatientID));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("08000500" + "4353" + "0A00", true, false)]
    [InlineData("08000500" + "0A000000", false, false)]
    [InlineData("00080005" + "4353" + "000A", true, true)]
    [InlineData("0800", false, false)]
    public void DetectEncoding_FirstHeader_RecognisesExplicitAndByteOrder(string hex, bool isExplicit, bool bigEndian)
    {
        DicomEncoding e = DicomFileReader.DetectEncoding(Convert.FromHexString(hex));

        Assert.Equal(new DicomEncoding(isExplicit, bigEndian), e);
    }

    [Fact]
    public async Task OpenAsync_EmptyStream_ThrowsNotDicom()
    {
        DicomFormatException ex = await OpenFailsAsync([]);

        Assert.Equal((DicomFormatError.NotDicom, 0L), (ex.Reason, ex.Offset));
    }

    [Theory]
    [InlineData("hello, this is a text file and not DICOM at all")]
    [InlineData("\u0001\u0002\u0003")]
    public async Task OpenAsync_NonDicomBytes_ThrowsNotDicom(string text)
    {
        DicomFormatException ex = await OpenFailsAsync(System.Text.Encoding.ASCII.GetBytes(text));

        Assert.Equal((DicomFormatError.NotDicom, 0L), (ex.Reason, ex.Offset));
    }

    [Fact]
    public async Task OpenAsync_PreambleAndDicmOnly_ThrowsTruncated()
    {
        DicomFormatException ex = await OpenFailsAsync([.. new byte[128], .. "DICM"u8]);

        Assert.Equal((DicomFormatError.Truncated, 132L), (ex.Reason, ex.Offset));
    }

    [Fact]
    public async Task OpenAsync_PreambleAndDicmThenGarbage_ThrowsInvalidFileMetaInformation()
    {
        byte[] file = [.. new byte[128], .. "DICM"u8, .. Enumerable.Repeat((byte)0xFF, 64)];

        DicomFormatException ex = await OpenFailsAsync(file);

        Assert.Equal((DicomFormatError.InvalidFileMetaInformation, 132L), (ex.Reason, ex.Offset));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task OpenAndRead_RandomGarbage_ThrowsDicomFormatException(int seed)
    {
        var random = new Random(seed);
        byte[] garbage = new byte[1024];
        random.NextBytes(garbage);

        await Assert.ThrowsAsync<DicomFormatException>(() => TestData.ReadFileAsync(garbage));
        await Assert.ThrowsAsync<DicomFormatException>(() => TestData.ReadFileAsync([.. new byte[128], .. "DICM"u8, .. garbage]));
    }

    [Fact]
    public async Task OpenAsync_MetaWithoutTransferSyntaxUid_RecognisesTheDataSetsEncodingAsDcmtkDoes()
    {
        // pydicom's meta_missing_tsyntax.dcm is such a file; dcmdump reads it ("Used TransferSyntax: Little Endian Implicit").
        byte[] file = new ByteBuilder()
            .Zeros(128).Ascii("DICM")
            .Explicit(0x0002, 0x0000, "UL", [10, 0, 0, 0])
            .Explicit(0x0002, 0x0001, "OB", [0, 1])
            .Explicit(0x0010, 0x0020, "LO", "ID")
            .ToArray();

        await using DicomFileReader reader = await DicomFileReader.OpenAsync(new MemoryStream(file));
        DicomDataset dataset = await reader.ReadDatasetAsync();

        Assert.Null(reader.FileMetaInformation.GetString(DicomTags.TransferSyntaxUID));
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, reader.TransferSyntax);
        Assert.Equal(158, reader.DatasetOffset);
        Assert.Equal("ID", dataset.GetString(DicomTags.PatientID));
    }

    [Fact]
    public async Task OpenAsync_FileEndingInsideMetaAfterTransferSyntax_ThrowsTruncatedNotEmptyDataset()
    {
        // Regression: a file cut between two meta elements after (0002,0010) was read as an empty data set.
        byte[] file = await TestData.WriteFileAsync(TestData.RichDataset(), DicomTransferSyntax.ExplicitVRLittleEndian);
        var transferSyntax = Part10.MetaElements(file).Single(m => m.Tag == DicomTags.TransferSyntaxUID);
        int cut = transferSyntax.Offset + 8 + transferSyntax.Value.Length;

        DicomFormatException ex = await OpenFailsAsync(file[..cut]);

        Assert.Equal(DicomFormatError.Truncated, ex.Reason);
        Assert.Equal(cut, ex.Offset);
        Assert.Equal(DicomTags.FileMetaInformationGroupLength, ex.Tag);
    }

    [Fact]
    public async Task OpenAsync_MetaWithGroupLengthAndEmptyDataset_ReadsEmptyDataset()
    {
        byte[] file = MetaOnly(DicomTransferSyntax.ExplicitVRLittleEndian.Uid.Value, []);

        FileContent content = await TestData.ReadFileAsync(file);

        Assert.Equal(0, content.Dataset.Count);
        Assert.Equal(file.Length, content.DatasetOffset);
    }

    [Fact]
    public async Task OpenAsync_DeflatedEmptyDataset_ReadsEmptyDataset()
    {
        // Regression: the meta reader wanted 8 bytes after the meta and refused a deflated data set shorter than that.
        byte[] file = await TestData.WriteFileAsync(new DicomDataset(), DicomTransferSyntax.DeflatedExplicitVRLittleEndian);

        FileContent content = await TestData.ReadFileAsync(file);

        Assert.True(file.Length - Part10.DatasetOffset(file) < 8);
        Assert.Equal(0, content.Dataset.Count);
    }

    [Fact]
    public async Task ReadDatasetAsync_FewerThan8BytesAfterMeta_ThrowsTruncatedAtDatasetStart()
    {
        byte[] file = MetaOnly(DicomTransferSyntax.ExplicitVRLittleEndian.Uid.Value, [0x10, 0x00, 0x10]);

        DicomFormatException ex = await Assert.ThrowsAsync<DicomFormatException>(() => TestData.ReadFileAsync(file));

        Assert.Equal((DicomFormatError.Truncated, file.Length - 3L), (ex.Reason, ex.Offset));
    }

    [Fact]
    public async Task OpenAsync_TransferSyntaxUidNotAUid_ThrowsInvalidFileMetaInformation()
    {
        DicomFormatException ex = await OpenFailsAsync(MetaOnly("JPEG please", []));

        Assert.Equal(DicomFormatError.InvalidFileMetaInformation, ex.Reason);
        Assert.Equal(DicomTags.TransferSyntaxUID, ex.Tag);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReadDatasetAsync_CorruptDeflateStream_ThrowsInvalidDeflateStream(bool seekable)
    {
        // 0xFF opens a final block of the reserved type 11 (RFC 1951 3.2.3): never valid.
        byte[] file = MetaOnly(DicomTransferSyntax.DeflatedExplicitVRLittleEndian.Uid.Value, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);

        DicomFormatException ex = await Assert.ThrowsAsync<DicomFormatException>(() => TestData.ReadFileAsync(file, seekable: seekable));

        Assert.Equal(DicomFormatError.InvalidDeflateStream, ex.Reason);
        Assert.Equal(file.Length - 8, ex.Offset);
        Assert.IsType<InvalidDataException>(ex.InnerException);
    }

    [Fact]
    public async Task ReadDatasetAsync_DeflatedDatasetCutInsideElement_ThrowsDicomFormatException()
    {
        byte[] dataset = new ByteBuilder().Explicit(0x0010, 0x0020, "LO", "PATIENT-ID").ToArray();
        using var compressed = new MemoryStream();
        await using (var deflate = new DeflateStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            await deflate.WriteAsync(dataset.AsMemory(0, 12));
        }

        byte[] file = MetaOnly(DicomTransferSyntax.DeflatedExplicitVRLittleEndian.Uid.Value, compressed.ToArray());

        DicomFormatException ex = await Assert.ThrowsAsync<DicomFormatException>(() => TestData.ReadFileAsync(file));

        Assert.Equal(DicomFormatError.Truncated, ex.Reason);
        Assert.Equal(DicomTags.PatientID, ex.Tag);
    }

    // A file with a preamble, a File Meta Information holding only the transfer syntax, and `dataset` after it.
    private static byte[] MetaOnly(string transferSyntax, byte[] dataset)
    {
        if (transferSyntax.Length % 2 == 1)
        {
            transferSyntax += "\0";
        }

        return new ByteBuilder()
            .Zeros(128).Ascii("DICM")
            .Explicit(0x0002, 0x0000, "UL", [(byte)(8 + transferSyntax.Length), 0, 0, 0])
            .Explicit(0x0002, 0x0010, "UI", transferSyntax)
            .Raw(dataset)
            .ToArray();
    }

    private static async Task<DicomFormatException> OpenFailsAsync(byte[] bytes) =>
        await Assert.ThrowsAsync<DicomFormatException>(async () =>
        {
            await using DicomFileReader reader = await DicomFileReader.OpenAsync(new MemoryStream(bytes));
        });
}
