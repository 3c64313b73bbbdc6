using Gateway.Dicom.Dictionary;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Tests.Support;

namespace Gateway.Dicom.Tests.IO;

public sealed partial class DicomStreamReaderTests
{
    private const uint Undefined = 0xFFFF_FFFF;

    public static TheoryData<string, string> EveryVRInEveryEncoding() => Encodings.EveryVRInEveryEncoding();

    [Theory]
    [MemberData(nameof(EveryVRInEveryEncoding))]
    public async Task ReadAsync_GoldenElement_YieldsTagVRLengthAndWireValue(string vr, string encoding)
    {
        VRSample sample = VRSample.Get(vr);
        byte[] wire = Encodings.IsBigEndian(encoding) ? sample.WireBig : sample.WireLittle;
        await using DicomStreamReader reader = Reader(Encodings.Element(sample, encoding), Encodings.Of(encoding));

        Assert.True(await reader.ReadAsync());
        Assert.Equal(DicomTokenType.Element, reader.TokenType);
        Assert.Equal(sample.Tag, reader.Tag);
        Assert.Equal(vr, reader.VR.Code);
        Assert.Equal((uint)wire.Length, reader.Length);
        Assert.Equal(0, reader.TokenOffset);
        Assert.Equal(Convert.ToHexString(wire), Convert.ToHexString(await reader.ReadValueAsync()));
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public async Task ReadAsync_DefinedLengthNestedSequences_YieldsSameTokensAsUndefinedLength()
    {
        // Lengths worked out by hand: UI element 12, empty item 8, inner sequence value 8, first item value 12 + 20.
        byte[] defined = new ByteBuilder()
            .ExplicitHeader(0x0008, 0x1140, "SQ", 68)
            .Item(32)
            .Explicit(0x0008, 0x1155, "UI", "1.2\0")
            .ExplicitHeader(0x0008, 0x9215, "SQ", 8)
            .Item(0)
            .Item(Undefined)
            .Explicit(0x0008, 0x1155, "UI", "1.3\0")
            .ItemEnd()
            .Explicit(0x0010, 0x0010, "PN", "A^B ")
            .ToArray();
        byte[] undefined = new ByteBuilder()
            .ExplicitHeader(0x0008, 0x1140, "SQ", Undefined)
            .Item(Undefined)
            .Explicit(0x0008, 0x1155, "UI", "1.2\0")
            .ExplicitHeader(0x0008, 0x9215, "SQ", Undefined)
            .Item(Undefined).ItemEnd()
            .SequenceEnd()
            .ItemEnd()
            .Item(Undefined)
            .Explicit(0x0008, 0x1155, "UI", "1.3\0")
            .ItemEnd()
            .SequenceEnd()
            .Explicit(0x0010, 0x0010, "PN", "A^B ")
            .ToArray();
        string[] expected =
        [
            "SequenceStart (0008,1140) d0",
            "ItemStart #0 d1",
            "Element (0008,1155) UI d2",
            "SequenceStart (0008,9215) d2",
            "ItemStart #0 d3",
            "ItemEnd d3",
            "SequenceEnd (0008,9215) d2",
            "ItemEnd d1",
            "ItemStart #1 d1",
            "Element (0008,1155) UI d2",
            "ItemEnd d1",
            "SequenceEnd (0008,1140) d0",
            "Element (0010,0010) PN d0",
        ];

        await using DicomStreamReader definedReader = Reader(defined, DicomEncoding.ExplicitLittleEndian);
        await using DicomStreamReader undefinedReader = Reader(undefined, DicomEncoding.ExplicitLittleEndian);

        Assert.Equal(expected, await TraceAsync(definedReader));
        Assert.Equal(expected, await TraceAsync(undefinedReader));
    }

    [Fact]
    public async Task ReadAsync_EmptyDefinedLengthSequence_YieldsStartThenEnd()
    {
        byte[] bytes = new ByteBuilder()
            .ExplicitHeader(0x0008, 0x1140, "SQ", 0)
            .Explicit(0x0010, 0x0010, "PN", "A^B ")
            .ToArray();
        await using DicomStreamReader reader = Reader(bytes, DicomEncoding.ExplicitLittleEndian);

        Assert.Equal(
            ["SequenceStart (0008,1140) d0", "SequenceEnd (0008,1140) d0", "Element (0010,0010) PN d0"],
            await TraceAsync(reader));
    }

    [Fact]
    public async Task ReadAsync_EncapsulatedPixelData_YieldsOffsetTableAndFragments()
    {
        byte[] bytes = new ByteBuilder()
            .Explicit(0x0028, 0x0010, "US", [0x10, 0x00])
            .ExplicitHeader(0x7FE0, 0x0010, "OB", Undefined)
            .Item(4).Raw([0, 0, 0, 0])
            .Item(6).Raw([0xFF, 0xD8, 1, 2, 0xFF, 0xD9])
            .SequenceEnd()
            .ToArray();
        await using DicomStreamReader reader = Reader(bytes, DicomEncoding.ExplicitLittleEndian);

        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.Equal(DicomTokenType.FragmentsStart, reader.TokenType);
        Assert.Equal(DicomTags.PixelData, reader.Tag);
        Assert.Equal(DicomVR.OB, reader.VR);
        Assert.True(reader.IsUndefinedLength);
        Assert.Equal(10, reader.TokenOffset);

        Assert.True(await reader.ReadAsync());
        Assert.Equal((DicomTokenType.Fragment, 0, 4u, 1), (reader.TokenType, reader.Index, reader.Length, reader.Depth));
        Assert.Equal("00000000", Convert.ToHexString(await reader.ReadValueAsync()));

        Assert.True(await reader.ReadAsync());
        Assert.Equal((DicomTokenType.Fragment, 1, 6u, 1), (reader.TokenType, reader.Index, reader.Length, reader.Depth));
        Assert.Equal(DicomTags.PixelData, reader.Tag);
        Assert.Equal(34, reader.TokenOffset);
        Assert.Equal("FFD80102FFD9", Convert.ToHexString(await reader.ReadValueAsync()));

        Assert.True(await reader.ReadAsync());
        Assert.Equal((DicomTokenType.FragmentsEnd, 0), (reader.TokenType, reader.Depth));
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public async Task ReadAsync_ImplicitVR_TakesVRFromDictionary()
    {
        byte[] bytes = new ByteBuilder()
            .Implicit(0x0008, 0x0000, [4, 0, 0, 0])
            .Implicit(0x0010, 0x0010, "Doe^John")
            .Implicit(0x0028, 0x0010, [2, 0])
            .Implicit(0x7FE0, 0x0010, [1, 2, 3, 4])
            .ToArray();
        await using DicomStreamReader reader = Reader(bytes, DicomEncoding.ImplicitLittleEndian);

        Assert.Equal(
            ["Element (0008,0000) UL d0", "Element (0010,0010) PN d0", "Element (0028,0010) US d0", "Element (7FE0,0010) OW d0"],
            await TraceAsync(reader));
    }

    [Fact]
    public async Task ReadAsync_ImplicitPrivateElementWithKnownCreator_TakesVRFromPrivateDictionary()
    {
        byte[] bytes = new ByteBuilder()
            .Implicit(0x0029, 0x0010, "SIEMENS CSA HEADER")
            .Implicit(0x0029, 0x0011, "ACME 1.0")
            .Implicit(0x0029, 0x1008, "IMAGE NUM 4 ")
            .Implicit(0x0029, 0x1010, [1, 2, 3, 4])
            .Implicit(0x0029, 0x1110, [1, 2, 3, 4])
            .ToArray();
        await using DicomStreamReader reader = Reader(bytes, DicomEncoding.ImplicitLittleEndian);
        var seen = new List<(string Token, string? Creator)>();
        while (await reader.ReadAsync())
        {
            seen.Add((Describe(reader), reader.PrivateCreator));
        }

        Assert.Equal(
            [
                ("Element (0029,0010) LO d0", null),
                ("Element (0029,0011) LO d0", null),
                ("Element (0029,1008) CS d0", "SIEMENS CSA HEADER"),
                ("Element (0029,1010) OB d0", "SIEMENS CSA HEADER"),
                ("Element (0029,1110) UN d0", "ACME 1.0"),
            ],
            seen);
    }

    [Fact]
    public async Task ReadAsync_ImplicitPrivateElementInBlockOfUnknownOrMissingCreator_IsUN()
    {
        byte[] bytes = new ByteBuilder()
            .Implicit(0x0029, 0x1010, [1, 2, 3, 4])
            .Implicit(0x0031, 0x0010, "UNKNOWN CREATOR ")
            .Implicit(0x0031, 0x1010, [1, 2, 3, 4])
            .ToArray();
        await using DicomStreamReader reader = Reader(bytes, DicomEncoding.ImplicitLittleEndian);

        Assert.Equal(
            ["Element (0029,1010) UN d0", "Element (0031,0010) LO d0", "Element (0031,1010) UN d0"],
            await TraceAsync(reader));
    }

    [Fact]
    public async Task ReadAsync_ImplicitPrivateElementWithCustomDictionary_UsesIt()
    {
        DicomDictionary dictionary = DicomDictionary.Standard.WithPrivateEntries([new DicomPrivateDictionaryEntry(0x0031, "ACME 1.0", 0x10, "DS", "AcmeFactor", "1")]);
        byte[] bytes = new ByteBuilder()
            .Implicit(0x0031, 0x0010, "ACME 1.0")
            .Implicit(0x0031, 0x1010, "1.5 ")
            .ToArray();
        await using var reader = new DicomStreamReader(new MemoryStream(bytes), DicomEncoding.ImplicitLittleEndian, dictionary: dictionary);

        Assert.Equal(["Element (0031,0010) LO d0", "Element (0031,1010) DS d0"], await TraceAsync(reader));
    }

    [Theory]
    [InlineData(null, "US")]
    [InlineData((ushort)0, "US")]
    [InlineData((ushort)1, "SS")]
    public async Task ReadAsync_ImplicitUSOrSSAttribute_FollowsPixelRepresentation(ushort? pixelRepresentation, string expectedVR)
    {
        var b = new ByteBuilder();
        if (pixelRepresentation is { } pr)
        {
            b.Implicit(0x0028, 0x0103, [(byte)pr, 0]);
        }

        byte[] bytes = b.Implicit(0x0028, 0x0106, [0xFB, 0xFF]).Implicit(0x0028, 0x3002, [0, 1, 0, 0, 16, 0]).ToArray();
        await using DicomStreamReader reader = Reader(bytes, DicomEncoding.ImplicitLittleEndian);
        List<string> trace = await TraceAsync(reader);

        Assert.Contains($"Element (0028,0106) {expectedVR} d0", trace);

        // LUT descriptors are "US or SS" too but stay US whatever the pixel representation.
        Assert.Contains("Element (0028,3002) US d0", trace);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadAsync_UNWithUndefinedLength_ParsesImplicitLittleEndianSequence(bool outerBigEndian)
    {
        // CP-246 / PS3.5 6.2.2: the value of an undefined-length UN is a sequence in implicit VR little endian,
        // whatever the transfer syntax around it.
        var inner = new ByteBuilder()
            .Item(Undefined)
            .Implicit(0x0008, 0x1155, "1.2\0")
            .ItemEnd()
            .SequenceEnd();
        byte[] bytes = new ByteBuilder(outerBigEndian)
            .ExplicitHeader(0x0008, 0x1140, "UN", Undefined)
            .Raw(inner.ToArray())
            .Explicit(0x0010, 0x0010, "PN", "A^B ")
            .ToArray();
        DicomEncoding encoding = outerBigEndian ? DicomEncoding.ExplicitBigEndian : DicomEncoding.ExplicitLittleEndian;

        await using (DicomStreamReader reader = Reader(bytes, encoding))
        {
            Assert.Equal(
                [
                    "SequenceStart (0008,1140) d0", "ItemStart #0 d1", "Element (0008,1155) UI d2", "ItemEnd d1",
                    "SequenceEnd (0008,1140) d0", "Element (0010,0010) PN d0",
                ],
                await TraceAsync(reader));
        }

        DicomDataset dataset = await TestData.ReadDatasetAsync(bytes, encoding);
        DicomSequence sequence = Assert.IsType<DicomSequence>(dataset[DicomTags.ReferencedImageSequence]);
        Assert.Equal("1.2", Assert.Single(sequence.Items).GetString(DicomTags.ReferencedSOPInstanceUID));
        Assert.Equal("A^B", dataset.GetString(DicomTags.PatientName));
    }

    [Fact]
    public async Task ReadAsync_ImplicitUnknownElementWithUndefinedLength_ParsesSequence()
    {
        byte[] bytes = new ByteBuilder()
            .ImplicitHeader(0x0031, 0x1001, Undefined)
            .Item(Undefined).Implicit(0x0010, 0x0010, "A^B ").ItemEnd()
            .SequenceEnd()
            .ToArray();
        await using DicomStreamReader reader = Reader(bytes, DicomEncoding.ImplicitLittleEndian);

        Assert.Equal(
            ["SequenceStart (0031,1001) d0", "ItemStart #0 d1", "Element (0010,0010) PN d2", "ItemEnd d1", "SequenceEnd (0031,1001) d0"],
            await TraceAsync(reader));
    }

    [Fact]
    public async Task ReadAsync_UnknownExplicitVR_IsReadAsUNWithLongLength()
    {
        // PS3.5 7.1.2: a VR the reader does not know has 2 reserved bytes and a 32-bit length.
        byte[] bytes = new ByteBuilder()
            .Tag(0x0011, 0x1001).Ascii("ZZ").U16(0).U32(2).Raw([7, 8])
            .Explicit(0x0010, 0x0010, "PN", "A^B ")
            .ToArray();
        await using DicomStreamReader reader = Reader(bytes, DicomEncoding.ExplicitLittleEndian);

        Assert.True(await reader.ReadAsync());
        Assert.Equal((DicomVR.UN, 2u), (reader.VR, reader.Length));
        Assert.Equal("0708", Convert.ToHexString(await reader.ReadValueAsync()));
        Assert.True(await reader.ReadAsync());
        Assert.Equal(DicomTags.PatientName, reader.Tag);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReadAsync_UnreadLargeValue_IsSkipped(bool seekable)
    {
        byte[] big = new byte[200_000];
        big[^1] = 0xAB;
        byte[] bytes = new ByteBuilder()
            .Explicit(0x0042, 0x0011, "OB", big)
            .Explicit(0x0042, 0x0012, "LO", "application/pdf ")
            .ToArray();
        await using DicomStreamReader reader = Reader(bytes, DicomEncoding.ExplicitLittleEndian, seekable: seekable);

        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());

        Assert.Equal(DicomTags.MIMETypeOfEncapsulatedDocument, reader.Tag);
        Assert.Equal(12 + 200_000, reader.TokenOffset);
        Assert.Equal("application/pdf ", System.Text.Encoding.ASCII.GetString(await reader.ReadValueAsync()));
    }

    [Fact]
    public async Task ReadValueChunkAsync_SmallChunks_ReturnWholeValueThenZero()
    {
        byte[] value = [.. Enumerable.Range(0, 100).Select(i => (byte)i)];
        await using DicomStreamReader reader = Reader(new ByteBuilder().Explicit(0x0042, 0x0011, "OB", value).ToArray(), DicomEncoding.ExplicitLittleEndian);
        Assert.True(await reader.ReadAsync());
        var collected = new List<byte>();
        byte[] chunk = new byte[7];

        int n;
        while ((n = await reader.ReadValueChunkAsync(chunk)) > 0)
        {
            collected.AddRange(chunk.AsSpan(0, n));
        }

        Assert.Equal(value, collected);
        Assert.Equal(0, reader.ValueRemaining);
        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.ReadValueAsync().AsTask());
    }

    [Fact]
    public async Task CopyValueToAsync_Value_CopiesAllBytes()
    {
        byte[] value = [.. Enumerable.Range(0, 70_000).Select(i => (byte)i)];
        await using DicomStreamReader reader = Reader(new ByteBuilder().Explicit(0x0042, 0x0011, "OB", value).ToArray(), DicomEncoding.ExplicitLittleEndian, seekable: false);
        Assert.True(await reader.ReadAsync());
        using var copy = new MemoryStream();

        await reader.CopyValueToAsync(copy);

        Assert.Equal(value, copy.ToArray());
    }

    [Fact]
    public async Task ReadValueAsync_OnSequenceStart_ThrowsInvalidOperation()
    {
        byte[] bytes = new ByteBuilder().ExplicitHeader(0x0008, 0x1140, "SQ", 0).ToArray();
        await using DicomStreamReader reader = Reader(bytes, DicomEncoding.ExplicitLittleEndian);
        Assert.True(await reader.ReadAsync());

        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.ReadValueAsync().AsTask());
    }

    [Fact]
    public async Task TokenOffset_WithStartOffset_CountsFromIt()
    {
        byte[] bytes = new ByteBuilder().Explicit(0x0010, 0x0020, "LO", "ID").Explicit(0x0010, 0x0010, "PN", "A^B ").ToArray();
        await using var reader = new DicomStreamReader(new MemoryStream(bytes), DicomEncoding.ExplicitLittleEndian, startOffset: 132);

        Assert.True(await reader.ReadAsync());
        Assert.Equal(132, reader.TokenOffset);
        Assert.True(await reader.ReadAsync());
        Assert.Equal(142, reader.TokenOffset);
        Assert.Equal(150, reader.Position);
    }

    private static DicomStreamReader Reader(byte[] bytes, DicomEncoding encoding, DicomReaderOptions? options = null, bool seekable = true) =>
        new(seekable ? new MemoryStream(bytes, writable: false) : new NonSeekableStream(bytes, 1000), encoding, options);

    private static async Task<List<string>> TraceAsync(DicomStreamReader reader)
    {
        var trace = new List<string>();
        while (await reader.ReadAsync())
        {
            trace.Add(Describe(reader));
        }

        return trace;
    }

    private static string Describe(DicomStreamReader r) => r.TokenType switch
    {
        DicomTokenType.Element => $"Element {r.Tag} {r.VR} d{r.Depth}",
        DicomTokenType.SequenceStart or DicomTokenType.SequenceEnd => $"{r.TokenType} {r.Tag} d{r.Depth}",
        DicomTokenType.ItemStart => $"ItemStart #{r.Index} d{r.Depth}",
        DicomTokenType.ItemEnd => $"ItemEnd d{r.Depth}",
        DicomTokenType.FragmentsStart => $"FragmentsStart {r.Tag} {r.VR} d{r.Depth}",
        DicomTokenType.Fragment => $"Fragment #{r.Index} {r.Length} d{r.Depth}",
        _ => $"{r.TokenType} d{r.Depth}",
    };
}
