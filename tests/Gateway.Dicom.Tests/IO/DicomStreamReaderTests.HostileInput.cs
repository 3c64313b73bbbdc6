using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Tests.Support;

namespace Gateway.Dicom.Tests.IO;

public sealed partial class DicomStreamReaderTests
{
    private static readonly DicomTag PatientId = DicomTags.PatientID;

    [Fact]
    public async Task ReadAsync_LengthPastEndOfSeekableStream_ThrowsLengthPastEndBeforeReading()
    {
        byte[] bytes = new ByteBuilder()
            .Explicit(0x0010, 0x0020, "LO", "ID")
            .ExplicitHeader(0x0010, 0x0010, "PN", 100).Ascii("Doe^")
            .ToArray();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian);

        AssertError(ex, DicomFormatError.LengthPastEnd, 10, DicomTags.PatientName);
    }

    [Fact]
    public async Task ReadAsync_LengthPastEndOfNonSeekableStream_ThrowsTruncatedWhereTheBytesEnd()
    {
        byte[] bytes = new ByteBuilder()
            .Explicit(0x0010, 0x0020, "LO", "ID")
            .ExplicitHeader(0x0010, 0x0010, "PN", 100).Ascii("Doe^")
            .ToArray();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian, seekable: false);

        AssertError(ex, DicomFormatError.Truncated, 22, DicomTags.PatientName);
    }

    [Theory]
    [InlineData(Encodings.ExplicitLE, "UT", 0x0040, 0xA160)]
    [InlineData(Encodings.ExplicitLE, "OB", 0x0042, 0x0011)]
    [InlineData(Encodings.ExplicitLE, "OW", 0x0028, 0x1201)]
    [InlineData(Encodings.ExplicitBE, "UC", 0x0008, 0x0119)]
    [InlineData(Encodings.ImplicitLE, "PN", 0x0010, 0x0010)]
    [InlineData(Encodings.ImplicitLE, "OB", 0x0042, 0x0011)]
    public async Task ReadAsync_UndefinedLengthOnValueVR_ThrowsUndefinedLengthNotAllowed(string encoding, string vr, ushort group, ushort element)
    {
        var b = new ByteBuilder(Encodings.IsBigEndian(encoding)).Explicit(0x0008, 0x0060, "CS", "CT");
        if (encoding == Encodings.ImplicitLE)
        {
            b = new ByteBuilder().Implicit(0x0008, 0x0060, "CT").ImplicitHeader(group, element, Undefined);
        }
        else
        {
            b.ExplicitHeader(group, element, vr, Undefined);
        }

        DicomFormatException ex = await ReadFailsAsync(b.Zeros(16).ToArray(), Encodings.Of(encoding));

        AssertError(ex, DicomFormatError.UndefinedLengthNotAllowed, 10, new DicomTag(group, element));
    }

    [Fact]
    public async Task ReadAsync_OddValueLengthWhenStrict_ThrowsOddLength()
    {
        byte[] bytes = OddLengthDataset();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian, new DicomReaderOptions { AllowOddLengths = false });

        AssertError(ex, DicomFormatError.OddLength, 0, DicomTags.PatientName);
    }

    [Fact]
    public async Task ReadAsync_OddValueLengthByDefault_ReadsValueAndNextElement()
    {
        // DCMTK and Orthanc read odd lengths (dcmdump warns "Length of element is odd"); old devices write them.
        DicomDataset ds = await TestData.ReadDatasetAsync(OddLengthDataset(), DicomEncoding.ExplicitLittleEndian);

        Assert.Equal(3, ((DicomElement)ds[DicomTags.PatientName]!).Length);
        Assert.Equal("A^B", ds.GetString(DicomTags.PatientName));
        Assert.Equal("ID", ds.GetString(PatientId));
    }

    [Fact]
    public async Task ReadAsync_OddItemLength_ThrowsOddLength()
    {
        byte[] bytes = new ByteBuilder()
            .ExplicitHeader(0x0008, 0x1140, "SQ", Undefined)
            .Item(3).Raw([1, 2, 3])
            .SequenceEnd()
            .ToArray();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian);

        AssertError(ex, DicomFormatError.OddLength, 12, DicomTags.ReferencedImageSequence);
    }

    [Theory]
    [InlineData(0xE00D)]
    [InlineData(0xE0DD)]
    [InlineData(0xE000)]
    public async Task ReadAsync_ItemOrDelimiterAtTopLevel_ThrowsUnexpectedDelimiter(ushort element)
    {
        byte[] bytes = new ByteBuilder().Explicit(0x0010, 0x0020, "LO", "ID").Tag(0xFFFE, element).U32(0).ToArray();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian);

        AssertError(ex, DicomFormatError.UnexpectedDelimiter, 10, new DicomTag(0xFFFE, element));
    }

    [Fact]
    public async Task ReadAsync_DataElementDirectlyInSequence_ThrowsUnexpectedTagInSequence()
    {
        byte[] bytes = new ByteBuilder()
            .ExplicitHeader(0x0008, 0x1140, "SQ", Undefined)
            .Explicit(0x0010, 0x0010, "PN", "A^B ")
            .SequenceEnd()
            .ToArray();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian);

        AssertError(ex, DicomFormatError.UnexpectedTagInSequence, 12, DicomTags.PatientName);
    }

    [Fact]
    public async Task ReadAsync_SequenceDelimiterInsideItem_ThrowsUnexpectedDelimiter()
    {
        byte[] bytes = new ByteBuilder()
            .ExplicitHeader(0x0008, 0x1140, "SQ", Undefined)
            .Item(Undefined)
            .SequenceEnd()
            .ToArray();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian);

        AssertError(ex, DicomFormatError.UnexpectedDelimiter, 20, DicomTag.SequenceDelimitationItem);
    }

    [Fact]
    public async Task ReadAsync_ItemDelimiterDirectlyInSequence_ThrowsUnexpectedDelimiter()
    {
        byte[] bytes = new ByteBuilder()
            .ExplicitHeader(0x0008, 0x1140, "SQ", Undefined)
            .ItemEnd()
            .SequenceEnd()
            .ToArray();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian);

        AssertError(ex, DicomFormatError.UnexpectedDelimiter, 12, DicomTag.ItemDelimitationItem);
    }

    [Fact]
    public async Task ReadAsync_ItemDelimiterInDefinedLengthItem_ThrowsUnexpectedDelimiter()
    {
        byte[] bytes = new ByteBuilder()
            .ExplicitHeader(0x0008, 0x1140, "SQ", Undefined)
            .Item(8).ItemEnd()
            .SequenceEnd()
            .ToArray();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian);

        AssertError(ex, DicomFormatError.UnexpectedDelimiter, 20, DicomTag.ItemDelimitationItem);
    }

    [Fact]
    public async Task ReadAsync_UnknownGroupFFFETag_ThrowsUnexpectedTagInSequence()
    {
        byte[] bytes = new ByteBuilder()
            .ExplicitHeader(0x0008, 0x1140, "SQ", Undefined)
            .Tag(0xFFFE, 0x1234).U32(0)
            .ToArray();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian);

        AssertError(ex, DicomFormatError.UnexpectedTagInSequence, 12, new DicomTag(0xFFFE, 0x1234));
    }

    [Fact]
    public async Task ReadAsync_FragmentWithUndefinedLength_ThrowsUndefinedLengthNotAllowed()
    {
        byte[] bytes = new ByteBuilder()
            .ExplicitHeader(0x7FE0, 0x0010, "OB", Undefined)
            .Item(Undefined)
            .SequenceEnd()
            .ToArray();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian);

        AssertError(ex, DicomFormatError.UndefinedLengthNotAllowed, 12, DicomTags.PixelData);
    }

    [Fact]
    public async Task ReadAsync_DataElementAmongFragments_ThrowsUnexpectedTagInSequence()
    {
        byte[] bytes = new ByteBuilder()
            .ExplicitHeader(0x7FE0, 0x0010, "OB", Undefined)
            .Item(0)
            .Explicit(0x0010, 0x0010, "PN", "A^B ")
            .ToArray();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian);

        AssertError(ex, DicomFormatError.UnexpectedTagInSequence, 20, DicomTags.PatientName);
    }

    [Theory]
    [InlineData((byte)'p', (byte)'n')]
    [InlineData((byte)0, (byte)0)]
    [InlineData((byte)'P', (byte)0x80)]
    public async Task ReadAsync_InvalidExplicitVRBytes_ThrowsInvalidVR(byte first, byte second)
    {
        byte[] bytes = new ByteBuilder()
            .Explicit(0x0010, 0x0020, "LO", "ID")
            .Tag(0x0010, 0x0010).Raw([first, second]).U16(4).Ascii("A^B ")
            .ToArray();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian);

        AssertError(ex, DicomFormatError.InvalidVR, 10, DicomTags.PatientName);
    }

    [Fact]
    public async Task ReadAsync_SequencesNested10000Deep_ThrowsDepthLimitExceededWithoutOverflow()
    {
        byte[] bytes = DeeplyNested(10_000);

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian);

        // Each level is a 12-byte SQ header and an 8-byte item header; the 65th sequence breaks the default limit of 64.
        AssertError(ex, DicomFormatError.DepthLimitExceeded, 64 * 20, DicomTags.ReferencedImageSequence);
    }

    [Fact]
    public async Task ReadAsync_SequencesNested10000DeepWithinARaisedLimit_ReadsEveryLevelWithoutOverflow()
    {
        const int depth = 10_000;
        byte[] bytes = DeeplyNested(depth);

        DicomDataset ds = await TestData.ReadDatasetAsync(bytes, DicomEncoding.ExplicitLittleEndian, new DicomReaderOptions { MaxDepth = depth });

        int levels = 0;
        DicomDataset current = ds;
        while (current.GetSequence(DicomTags.ReferencedImageSequence) is { } sq)
        {
            current = Assert.Single(sq.Items);
            levels++;
        }

        Assert.Equal(depth, levels);
        Assert.Equal("A^B", current.GetString(DicomTags.PatientName));
    }

    [Fact]
    public async Task ReadValueAsync_4GiBDeclaredInNonSeekable1KiBStream_ThrowsValueTooLongWithoutAllocating()
    {
        byte[] bytes = HugeDeclaredLength(0xFFFF_FFF0);
        await using DicomStreamReader reader = Reader(bytes, DicomEncoding.ExplicitLittleEndian, seekable: false);
        Assert.True(await reader.ReadAsync());
        long before = GC.GetAllocatedBytesForCurrentThread();

        DicomFormatException ex = await Assert.ThrowsAsync<DicomFormatException>(() => reader.ReadValueAsync().AsTask());

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L * 1024 * 1024);
        AssertError(ex, DicomFormatError.ValueTooLong, 0, DicomTags.PixelData);
    }

    [Fact]
    public async Task ReadValueAsync_4GiBDeclaredWithUnlimitedMaxValueLength_ThrowsDicomFormatExceptionWithoutAllocating()
    {
        byte[] bytes = HugeDeclaredLength(0xFFFF_FFF0);
        await using DicomStreamReader reader = Reader(bytes, DicomEncoding.ExplicitLittleEndian, new DicomReaderOptions { MaxValueLength = long.MaxValue }, seekable: false);
        Assert.True(await reader.ReadAsync());
        long before = GC.GetAllocatedBytesForCurrentThread();

        DicomFormatException ex = await Assert.ThrowsAsync<DicomFormatException>(() => reader.ReadValueAsync().AsTask());

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L * 1024 * 1024);
        Assert.Equal(DicomFormatError.ValueTooLong, ex.Reason);
        Assert.Equal(DicomTags.PixelData, ex.Tag);
    }

    [Fact]
    public async Task ReadValueAsync_2GiBDeclaredInNonSeekable1KiBStream_ThrowsTruncatedAfterAllocatingOnlyWhatArrived()
    {
        byte[] bytes = HugeDeclaredLength(0x7FFF_0000);
        await using DicomStreamReader reader = Reader(bytes, DicomEncoding.ExplicitLittleEndian, new DicomReaderOptions { MaxValueLength = long.MaxValue }, seekable: false);
        Assert.True(await reader.ReadAsync());
        long before = GC.GetAllocatedBytesForCurrentThread();

        DicomFormatException ex = await Assert.ThrowsAsync<DicomFormatException>(() => reader.ReadValueAsync().AsTask());

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L * 1024 * 1024);
        AssertError(ex, DicomFormatError.Truncated, bytes.Length, DicomTags.PixelData);
    }

    [Fact]
    public async Task ReadAsync_400MiBDeclaredInNonSeekableStreamIntoDataset_ThrowsTruncatedWithoutAllocating()
    {
        byte[] bytes = HugeDeclaredLength(400u * 1024 * 1024);
        long before = GC.GetAllocatedBytesForCurrentThread();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian, seekable: false);

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L * 1024 * 1024);
        AssertError(ex, DicomFormatError.Truncated, bytes.Length, DicomTags.PixelData);
    }

    [Fact]
    public async Task ReadAsync_MoreItemsThanLimit_ThrowsItemLimitExceeded()
    {
        byte[] bytes = new ByteBuilder()
            .ExplicitHeader(0x0008, 0x1140, "SQ", Undefined)
            .Item(0).Item(0).Item(0)
            .SequenceEnd()
            .ToArray();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian, new DicomReaderOptions { MaxItemsPerSequence = 2 });

        AssertError(ex, DicomFormatError.ItemLimitExceeded, 28, DicomTags.ReferencedImageSequence);
    }

    [Fact]
    public async Task ReadAsync_MoreFragmentsThanLimit_ThrowsItemLimitExceeded()
    {
        byte[] bytes = new ByteBuilder()
            .ExplicitHeader(0x7FE0, 0x0010, "OB", Undefined)
            .Item(0).Item(2).Raw([1, 2]).Item(2).Raw([3, 4])
            .SequenceEnd()
            .ToArray();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian, new DicomReaderOptions { MaxFragments = 2 });

        AssertError(ex, DicomFormatError.ItemLimitExceeded, 30, DicomTags.PixelData);
    }

    [Fact]
    public async Task ReadAsync_MoreElementsThanLimit_ThrowsElementLimitExceeded()
    {
        byte[] bytes = new ByteBuilder()
            .Explicit(0x0008, 0x0060, "CS", "CT")
            .Explicit(0x0010, 0x0010, "PN", "A^B ")
            .Explicit(0x0010, 0x0020, "LO", "ID")
            .Explicit(0x0010, 0x0030, "DA", "20000101")
            .ToArray();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian, new DicomReaderOptions { MaxElements = 3 });

        AssertError(ex, DicomFormatError.ElementLimitExceeded, 32, DicomTags.PatientBirthDate);
    }

    [Fact]
    public async Task ReadValueAsync_ValueLongerThanMaxValueLength_ThrowsValueTooLongButStreams()
    {
        byte[] bytes = new ByteBuilder().Explicit(0x0010, 0x0020, "LO", "ID").Explicit(0x0042, 0x0011, "OB", new byte[12]).ToArray();
        var options = new DicomReaderOptions { MaxValueLength = 10 };

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian, options);
        AssertError(ex, DicomFormatError.ValueTooLong, 10, DicomTags.EncapsulatedDocument);

        await using DicomStreamReader reader = Reader(bytes, DicomEncoding.ExplicitLittleEndian, options);
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        using var copy = new MemoryStream();
        await reader.CopyValueToAsync(copy);
        Assert.Equal(12, copy.Length);
    }

    [Fact]
    public async Task ReadAsync_DatasetOverMaxTotalValueBytes_ThrowsValueTooLong()
    {
        byte[] bytes = new ByteBuilder()
            .Explicit(0x0042, 0x0011, "OB", new byte[100])
            .Explicit(0x0042, 0x0012, "LO", new string('x', 100))
            .ToArray();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian, new DicomReaderOptions { MaxTotalValueBytes = 150 });

        AssertError(ex, DicomFormatError.ValueTooLong, 112, DicomTags.MIMETypeOfEncapsulatedDocument);
    }

    [Fact]
    public async Task ReadAsync_ElementOverrunsDefinedLengthItem_ThrowsLengthExceedsParent()
    {
        byte[] bytes = new ByteBuilder()
            .ExplicitHeader(0x0008, 0x1140, "SQ", Undefined)
            .Item(12)
            .ExplicitHeader(0x0010, 0x0010, "PN", 20).Zeros(20)
            .SequenceEnd()
            .ToArray();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian);

        AssertError(ex, DicomFormatError.LengthExceedsParent, 20, DicomTags.PatientName);
    }

    [Fact]
    public async Task ReadAsync_ItemOverrunsDefinedLengthSequence_ThrowsLengthExceedsParent()
    {
        byte[] bytes = new ByteBuilder()
            .ExplicitHeader(0x0008, 0x1140, "SQ", 16)
            .Item(16).Zeros(16)
            .ToArray();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian);

        AssertError(ex, DicomFormatError.LengthExceedsParent, 12, DicomTags.ReferencedImageSequence);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    public async Task ReadAsync_StreamEndsInsideHeader_ThrowsTruncated(int cut)
    {
        byte[] bytes = new ByteBuilder().Explicit(0x0042, 0x0011, "OB", [1, 2]).ToArray()[..cut];

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian, seekable: false);

        Assert.Equal(DicomFormatError.Truncated, ex.Reason);
        Assert.Equal(0, ex.Offset);
    }

    [Fact]
    public async Task ReadAsync_StreamEndsInsideOpenSequence_ThrowsTruncatedWithSequenceTag()
    {
        byte[] bytes = new ByteBuilder()
            .ExplicitHeader(0x0008, 0x1140, "SQ", Undefined)
            .Item(Undefined)
            .Explicit(0x0010, 0x0010, "PN", "A^B ")
            .ToArray();

        DicomFormatException ex = await ReadFailsAsync(bytes, DicomEncoding.ExplicitLittleEndian);

        AssertError(ex, DicomFormatError.Truncated, bytes.Length, DicomTags.ReferencedImageSequence);
    }

    private static byte[] OddLengthDataset() =>
        new ByteBuilder()
            .ExplicitHeader(0x0010, 0x0010, "PN", 3).Ascii("A^B")
            .Explicit(0x0010, 0x0020, "LO", "ID")
            .ToArray();

    // A 1 KiB stream whose only element declares a value of `length` bytes.
    private static byte[] HugeDeclaredLength(uint length) =>
        new ByteBuilder().ExplicitHeader(0x7FE0, 0x0010, "OB", length).Zeros(1012).ToArray();

    // Sequences nested `depth` deep, built iteratively, closed properly, with one element in the innermost item.
    private static byte[] DeeplyNested(int depth)
    {
        var b = new ByteBuilder();
        for (int i = 0; i < depth; i++)
        {
            b.ExplicitHeader(0x0008, 0x1140, "SQ", Undefined).Item(Undefined);
        }

        b.Explicit(0x0010, 0x0010, "PN", "A^B ");
        for (int i = 0; i < depth; i++)
        {
            b.ItemEnd().SequenceEnd();
        }

        return b.ToArray();
    }

    private static async Task<DicomFormatException> ReadFailsAsync(byte[] bytes, DicomEncoding encoding, DicomReaderOptions? options = null, bool seekable = true) =>
        await Assert.ThrowsAsync<DicomFormatException>(() => TestData.ReadDatasetAsync(bytes, encoding, options, seekable));

    private static void AssertError(DicomFormatException ex, DicomFormatError reason, long offset, DicomTag? tag)
    {
        Assert.Equal(reason, ex.Reason);
        Assert.Equal(offset, ex.Offset);
        Assert.Equal(tag, ex.Tag);
        Assert.Contains(reason.ToString(), ex.Message, StringComparison.Ordinal);
    }
}
