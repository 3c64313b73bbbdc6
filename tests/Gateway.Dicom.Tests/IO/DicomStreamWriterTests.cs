using Gateway.Dicom.IO;
using Gateway.Dicom.Tests.Support;

namespace Gateway.Dicom.Tests.IO;

public sealed class DicomStreamWriterTests
{
    public static TheoryData<string, string> EveryVRInEveryEncoding() => Encodings.EveryVRInEveryEncoding();

    public static TheoryData<string> EncodingNames() => [.. Encodings.Names];

    [Fact]
    public void ByteBuilder_KnownElements_MatchLiteralBytesOfPS35()
    {
        // Anchors the hand-built expectations of the other tests to literal bytes.
        Assert.Equal(
            "10001000" + "504E" + "0800" + "446F655E4A6F686E",
            Convert.ToHexString(new ByteBuilder().Explicit(0x0010, 0x0010, "PN", "Doe^John").ToArray()));
        Assert.Equal(
            "42001100" + "4F42" + "0000" + "04000000" + "01020300",
            Convert.ToHexString(new ByteBuilder().Explicit(0x0042, 0x0011, "OB", [1, 2, 3, 0]).ToArray()));
        Assert.Equal(
            "00280010" + "5553" + "0004" + "01020304",
            Convert.ToHexString(new ByteBuilder(bigEndian: true).Explicit(0x0028, 0x0010, "US", [1, 2, 3, 4]).ToArray()));
        Assert.Equal(
            "10001000" + "08000000" + "446F655E4A6F686E",
            Convert.ToHexString(new ByteBuilder().Implicit(0x0010, 0x0010, "Doe^John").ToArray()));
    }

    [Theory]
    [MemberData(nameof(EveryVRInEveryEncoding))]
    public async Task WriteElementAsync_EachVRInEachEncoding_WritesPS35Bytes(string vr, string encoding)
    {
        VRSample sample = VRSample.Get(vr);
        byte[] expected = Encodings.Element(sample, encoding);

        byte[] actual = await WriteAsync(encoding, w => w.WriteElementAsync(sample.Tag, DicomVR.Parse(vr), sample.Value));

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(actual));
    }

    [Theory]
    [MemberData(nameof(EveryVRInEveryEncoding))]
    public async Task WriteElementAsync_ValueGivenBigEndian_SwapsOnlyWhenTargetIsLittleEndian(string vr, string encoding)
    {
        VRSample sample = VRSample.Get(vr);
        byte[] expected = Encodings.Element(sample, encoding);
        byte[] bigEndianValue = sample.WireBig[..sample.Value.Length];

        byte[] actual = await WriteAsync(encoding, w => w.WriteElementAsync(sample.Tag, DicomVR.Parse(vr), bigEndianValue, valueIsBigEndian: true));

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(actual));
    }

    [Fact]
    public async Task WriteValueChunkAsync_BigEndianOWInTwoChunks_SwapsEveryWord()
    {
        byte[] actual = await WriteAsync(Encodings.ExplicitBE, async w =>
        {
            await w.WriteElementHeaderAsync(DicomTags.PixelData, DicomVR.OW, 16);
            await w.WriteValueChunkAsync(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
            await w.WriteValueChunkAsync(new byte[] { 9, 10, 11, 12, 13, 14, 15, 16 });
        });

        byte[] expected = new ByteBuilder(bigEndian: true)
            .Explicit(0x7FE0, 0x0010, "OW", [2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]).ToArray();
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(actual));
    }

    [Fact]
    public async Task WriteElementHeaderAsync_ShortVRValueOver64KiBInExplicitVR_WritesUNWithLongLength()
    {
        byte[] value = new byte[70_000];
        value.AsSpan().Fill((byte)'A');

        byte[] actual = await WriteAsync(Encodings.ExplicitLE, w => w.WriteElementAsync(DicomTags.PatientID, DicomVR.LO, value));

        byte[] expected = new ByteBuilder().Explicit(0x0010, 0x0020, "UN", value).ToArray();
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(EncodingNames))]
    public async Task WriteSequenceAsync_NestedItems_WritesUndefinedLengthsAndDelimiters(string encoding)
    {
        byte[] actual = await WriteAsync(encoding, async w =>
        {
            await w.WriteSequenceStartAsync(DicomTags.ReferencedImageSequence);
            await w.WriteItemStartAsync();
            await w.WriteElementAsync(DicomTags.ReferencedSOPInstanceUID, DicomVR.UI, "1.2"u8.ToArray());
            await w.WriteSequenceStartAsync(DicomTags.DerivationCodeSequence);
            await w.WriteItemStartAsync();
            await w.WriteItemEndAsync();
            await w.WriteSequenceEndAsync();
            await w.WriteItemEndAsync();
            await w.WriteSequenceEndAsync();
        });

        bool isExplicit = encoding != Encodings.ImplicitLE;
        var b = new ByteBuilder(Encodings.IsBigEndian(encoding));
        SequenceHeader(b, 0x0008, 0x1140, isExplicit).Item();
        if (isExplicit)
        {
            b.Explicit(0x0008, 0x1155, "UI", "1.2\0");
        }
        else
        {
            b.Implicit(0x0008, 0x1155, "1.2\0");
        }

        SequenceHeader(b, 0x0008, 0x9215, isExplicit).Item().ItemEnd().SequenceEnd().ItemEnd().SequenceEnd();
        Assert.Equal(Convert.ToHexString(b.ToArray()), Convert.ToHexString(actual));
    }

    [Fact]
    public async Task WriteFragmentsAsync_OffsetTableAndOddFragment_WritesPS35A4Bytes()
    {
        byte[] actual = await WriteAsync(Encodings.ExplicitLE, async w =>
        {
            await w.WriteFragmentsStartAsync(DicomTags.PixelData, DicomVR.OB);
            await w.WriteFragmentHeaderAsync(4);
            await w.WriteValueChunkAsync(new byte[] { 0, 0, 0, 0 });
            await w.WriteFragmentHeaderAsync(3);
            await w.WriteValueChunkAsync(new byte[] { 0xFF, 0xD8, 0xD9 });
            await w.WriteSequenceEndAsync();
        });

        // PS3.5 A.4: OB, undefined length, items holding the offset table and the fragments (padded to even), delimiter.
        Assert.Equal(
            "E07F10004F420000FFFFFFFF" + "FEFF00E00400000000000000" + "FEFF00E004000000FFD8D900" + "FEFFDDE000000000",
            Convert.ToHexString(actual));
    }

    [Theory]
    [MemberData(nameof(EncodingNames))]
    public async Task WriteFragmentsAsync_AnyEncoding_NeverSwapsFragmentBytes(string encoding)
    {
        byte[] actual = await WriteAsync(encoding, async w =>
        {
            await w.WriteFragmentsStartAsync(DicomTags.PixelData, DicomVR.OW);
            await w.WriteFragmentHeaderAsync(4);
            await w.WriteValueChunkAsync(new byte[] { 1, 2, 3, 4 });
            await w.WriteSequenceEndAsync();
        });

        var b = new ByteBuilder(Encodings.IsBigEndian(encoding));
        if (encoding == Encodings.ImplicitLE)
        {
            b.ImplicitHeader(0x7FE0, 0x0010, 0xFFFF_FFFF);
        }
        else
        {
            b.ExplicitHeader(0x7FE0, 0x0010, "OW", 0xFFFF_FFFF);
        }

        b.Item(4).Raw([1, 2, 3, 4]).SequenceEnd();
        Assert.Equal(Convert.ToHexString(b.ToArray()), Convert.ToHexString(actual));
    }

    [Fact]
    public async Task WriteElementHeaderAsync_SequenceVR_Throws()
    {
        await using var w = new DicomStreamWriter(new MemoryStream(), DicomEncoding.ExplicitLittleEndian);

        await Assert.ThrowsAsync<ArgumentException>(() => w.WriteElementHeaderAsync(DicomTags.ReferencedImageSequence, DicomVR.SQ, 0).AsTask());
    }

    [Fact]
    public async Task WriteValueChunkAsync_MoreBytesThanDeclared_Throws()
    {
        await using var w = new DicomStreamWriter(new MemoryStream(), DicomEncoding.ExplicitLittleEndian);
        await w.WriteElementHeaderAsync(DicomTags.PatientID, DicomVR.LO, 2);

        await Assert.ThrowsAsync<InvalidOperationException>(() => w.WriteValueChunkAsync(new byte[4]).AsTask());
    }

    [Fact]
    public async Task WriteElementHeaderAsync_PreviousValueIncomplete_Throws()
    {
        await using var w = new DicomStreamWriter(new MemoryStream(), DicomEncoding.ExplicitLittleEndian);
        await w.WriteElementHeaderAsync(DicomTags.PatientID, DicomVR.LO, 4);
        await w.WriteValueChunkAsync(new byte[2]);

        await Assert.ThrowsAsync<InvalidOperationException>(() => w.WriteElementHeaderAsync(DicomTags.PatientName, DicomVR.PN, 0).AsTask());
    }

    [Fact]
    public async Task BytesWritten_AfterElements_CountsHeadersValuesAndPadding()
    {
        using var stream = new MemoryStream();
        await using var w = new DicomStreamWriter(stream, DicomEncoding.ExplicitLittleEndian);
        await w.WriteElementAsync(DicomTags.PatientID, DicomVR.LO, "ABC"u8.ToArray());
        await w.WriteElementAsync(DicomTags.EncapsulatedDocument, DicomVR.OB, new byte[2]);

        Assert.Equal(8 + 4 + 12 + 2, w.BytesWritten);
    }

    private static ByteBuilder SequenceHeader(ByteBuilder b, ushort group, ushort element, bool isExplicit) =>
        isExplicit ? b.ExplicitHeader(group, element, "SQ", 0xFFFF_FFFF) : b.ImplicitHeader(group, element, 0xFFFF_FFFF);

    private static async Task<byte[]> WriteAsync(string encoding, Func<DicomStreamWriter, ValueTask> write)
    {
        using var stream = new MemoryStream();
        await using (var writer = new DicomStreamWriter(stream, Encodings.Of(encoding)))
        {
            await write(writer);
        }

        return stream.ToArray();
    }
}
