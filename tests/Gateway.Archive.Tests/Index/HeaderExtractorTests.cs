using Gateway.Archive.Index;
using Gateway.Archive.Tests.Support;
using Gateway.Dicom;
using Gateway.Dicom.IO;

namespace Gateway.Archive.Tests.Index;

public sealed class HeaderExtractorTests
{
    [Fact]
    public async Task ExtractAsync_StopsBeforeThePixelData()
    {
        var instance = new TestInstance { PixelBytes = 10_000_000 };
        using Stream source = instance.Open();

        InstanceHeader header = await HeaderExtractor.ExtractAsync(source, DicomTransferSyntax.ExplicitVRLittleEndian, DicomReaderOptions.Default, CancellationToken.None);

        Assert.Equal(instance.StudyUid, header.StudyInstanceUid);
        Assert.Equal(instance.PatientName, header.Study.PatientName);
        Assert.Equal("20250301", header.AcquisitionDate);
        Assert.Equal("101500.000000", header.AcquisitionTime);
        Assert.Equal(1, header.SeriesNumber);

        // One 64 KiB read ahead at most, not the 10 MB of pixel data.
        Assert.True(source.Position < 200_000, $"read {source.Position} bytes");
    }

    [Fact]
    public async Task ExtractAsync_DeclaredLengthBeyondTheLimit_RefusedWithoutAllocating()
    {
        // (0008,0005) declared 0x7FFFFFF0 bytes long, with a tiny stream behind it: the reader checks before allocating.
        byte[] bytes = [0x08, 0x00, 0x05, 0x00, (byte)'U', (byte)'T', 0, 0, 0xF0, 0xFF, 0xFF, 0x7F, 1, 2, 3, 4];

        ArchiveRejectedException ex = await Assert.ThrowsAsync<ArchiveRejectedException>(
            () => HeaderExtractor.ExtractAsync(new MemoryStream(bytes), DicomTransferSyntax.ExplicitVRLittleEndian, new DicomReaderOptions { MaxValueLength = 1024 }, CancellationToken.None));

        Assert.Equal(ArchiveRejectReason.MalformedDataSet, ex.Reason);
    }

    [Fact]
    public async Task ExtractAsync_OddValueLengthFromAnOldDevice_IsReadAsDcmtkReadsIt()
    {
        // (0010,0010) PN of 7 bytes, then (0010,0020) LO: an odd length breaks PS3.5 7.1.1, and DCMTK and Orthanc accept
        // it; refusing it would lose the device's images. The archive's reader options are the defaults.
        byte[] bytes =
        [
            0x10, 0x00, 0x10, 0x00, (byte)'P', (byte)'N', 7, 0, .. "DOE^JON"u8,
            0x10, 0x00, 0x20, 0x00, (byte)'L', (byte)'O', 2, 0, .. "ID"u8,
        ];

        InstanceHeader header = await HeaderExtractor.ExtractAsync(new MemoryStream(bytes), DicomTransferSyntax.ExplicitVRLittleEndian, new ArchiveOptions { DataDirectory = "unused" }.ReaderOptions, CancellationToken.None);

        Assert.Equal("DOE^JON", header.Study.PatientName);
        Assert.Equal("ID", header.Study.PatientId);
    }

    [Fact]
    public async Task ExtractAsync_DeeplyNestedSequences_RefusedAtTheDepthLimit()
    {
        var buffer = new MemoryStream();
        await using (var writer = new DicomStreamWriter(buffer, DicomEncoding.ExplicitLittleEndian))
        {
            for (int i = 0; i < 20; i++)
            {
                await writer.WriteSequenceStartAsync(DicomTags.ReferencedSeriesSequence);
                await writer.WriteItemStartAsync();
            }
        }

        ArchiveRejectedException ex = await Assert.ThrowsAsync<ArchiveRejectedException>(
            () => HeaderExtractor.ExtractAsync(new MemoryStream(buffer.ToArray()), DicomTransferSyntax.ExplicitVRLittleEndian, new DicomReaderOptions { MaxDepth = 8 }, CancellationToken.None));

        Assert.Equal(ArchiveRejectReason.MalformedDataSet, ex.Reason);
    }

    [Fact]
    public async Task ExtractAsync_AttributesInsideSequences_AreNotTakenForTopLevelOnes()
    {
        var buffer = new MemoryStream();
        await using (var writer = new DicomStreamWriter(buffer, DicomEncoding.ExplicitLittleEndian))
        {
            await writer.WriteSequenceStartAsync(DicomTags.ReferencedStudySequence);
            await writer.WriteItemStartAsync();
            await writer.WriteElementAsync(DicomTags.PatientID, DicomVR.LO, "NESTED"u8.ToArray());
            await writer.WriteItemEndAsync();
            await writer.WriteSequenceEndAsync();
            await writer.WriteElementAsync(DicomTags.PatientID, DicomVR.LO, "TOPLEVEL"u8.ToArray());
        }

        InstanceHeader header = await HeaderExtractor.ExtractAsync(new MemoryStream(buffer.ToArray()), DicomTransferSyntax.ExplicitVRLittleEndian, DicomReaderOptions.Default, CancellationToken.None);

        Assert.Equal("TOPLEVEL", header.Study.PatientId);
    }

    [Fact]
    public async Task ExtractAsync_AcquisitionDateTime_TakesPrecedenceAndDropsTheZone()
    {
        var instance = new TestInstance
        {
            AcquisitionDate = "20000101",
            AcquisitionTime = "000000",
            Extra = [(DicomTags.AcquisitionDateTime, DicomVR.DT, "20250301123456.789+0100")],
        };

        InstanceHeader header = await HeaderExtractor.ExtractAsync(instance.Open(), DicomTransferSyntax.ExplicitVRLittleEndian, DicomReaderOptions.Default, CancellationToken.None);

        Assert.Equal("20250301", header.AcquisitionDate);
        Assert.Equal("123456.789000", header.AcquisitionTime);
    }

    [Fact]
    public async Task ExtractAsync_ContentTime_IsTheFallbackForAcquisitionTime()
    {
        var instance = new TestInstance
        {
            AcquisitionDate = null,
            AcquisitionTime = null,
            Extra = [(DicomTags.ContentDate, DicomVR.DA, "20240202"), (DicomTags.ContentTime, DicomVR.TM, "0930")],
        };

        InstanceHeader header = await HeaderExtractor.ExtractAsync(instance.Open(), DicomTransferSyntax.ExplicitVRLittleEndian, DicomReaderOptions.Default, CancellationToken.None);

        Assert.Equal("20240202", header.AcquisitionDate);
        Assert.Equal("093000.000000", header.AcquisitionTime);
    }
}
