using System.Text.Json;
using Gateway.Dicom;
using Gateway.Dicom.IO;
using Gateway.Dicom.Json;
using Gateway.Dicom.Model;
using Gateway.Dicom.Tests.Support;
using Gateway.DicomWeb.Json;

namespace Gateway.DicomWeb.Tests.Json;

public sealed class DicomWebJsonWriterTests
{
    private static readonly DicomWebJsonWriterOptions UriEverything = new()
    {
        BulkDataUri = b => $"http://h/bulk/{b.Path}",
    };

    [Fact]
    public void Serialize_WithoutBulkDataUri_EqualsTheCodecWriter()
    {
        DicomDataset ds = TestData.RichDataset();
        ds.Set(TestData.EncapsulatedDataset()[DicomTags.PixelData]!);

        string ours = DicomWebJsonWriter.Serialize(ds);

        Assert.Equal(DicomJsonWriter.Serialize(ds, indented: false), ours);
    }

    [Fact]
    public void Serialize_EveryVR_WritesTheValueMemberTheStandardNames()
    {
        var ds = new DicomDataset();
        foreach (VRSample sample in VRSample.All)
        {
            ds.Set(new DicomElement(sample.Tag, DicomVR.Parse(sample.VR), sample.WireLittle));
        }

        using JsonDocument doc = JsonDocument.Parse(DicomWebJsonWriter.Serialize(ds));

        foreach (VRSample sample in VRSample.All)
        {
            JsonElement attribute = doc.RootElement.GetProperty(sample.Tag.ToJsonKey());
            Assert.Equal(sample.VR, attribute.GetProperty("vr").GetString());
            string member = sample.VR is "OB" or "OD" or "OF" or "OL" or "OV" or "OW" or "UN" ? "InlineBinary" : "Value";
            Assert.True(attribute.TryGetProperty(member, out _), $"{sample.VR} has no {member}");
        }

        Assert.Equal("[{\"Alphabetic\":\"Doe^John\"}]", Raw(doc, "00100010"));
        Assert.Equal("[-7,12]", Raw(doc, "00200013"));
        Assert.Equal("[\"00100020\"]", Raw(doc, "00280009"));
        Assert.Equal("[258,772]", Raw(doc, "00280010"));
    }

    [Fact]
    public void Serialize_BulkOverThreshold_WritesBulkDataUriWithNestedPath()
    {
        var item = new DicomDataset();
        item.Set(new DicomElement(new DicomTag(0x0042, 0x0011), DicomVR.OB, new byte[64]));
        var ds = new DicomDataset();
        ds.Set(new DicomSequence(new DicomTag(0x0040, 0xA730), [new DicomDataset(), item]));
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, new byte[4096]));
        ds.Set(new DicomElement(new DicomTag(0x0029, 0x1010), DicomVR.OB, new byte[16]));
        var seen = new List<DicomBulkDataReference>();
        var options = new DicomWebJsonWriterOptions
        {
            InlineBinaryThreshold = 16,
            BulkDataUri = b =>
            {
                seen.Add(b);
                return $"http://h/bulk/{b.Path}";
            },
        };

        using JsonDocument doc = JsonDocument.Parse(DicomWebJsonWriter.Serialize(ds, options));

        Assert.Equal("http://h/bulk/7FE00010", doc.RootElement.GetProperty("7FE00010").GetProperty("BulkDataURI").GetString());
        Assert.False(doc.RootElement.GetProperty("7FE00010").TryGetProperty("InlineBinary", out _));
        JsonElement nested = doc.RootElement.GetProperty("0040A730").GetProperty("Value")[1].GetProperty("00420011");
        Assert.Equal("http://h/bulk/0040A730/1/00420011", nested.GetProperty("BulkDataURI").GetString());
        Assert.Equal(16, doc.RootElement.GetProperty("00291010").GetProperty("InlineBinary").GetBytesFromBase64().Length);
        Assert.Equal([new DicomBulkDataReference("0040A730/1/00420011", new DicomTag(0x0042, 0x0011), DicomVR.OB, 64), new DicomBulkDataReference("7FE00010", DicomTags.PixelData, DicomVR.OW, 4096)], seen);
    }

    [Fact]
    public void Serialize_UriFactoryDeclines_WritesInline()
    {
        var ds = new DicomDataset();
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, new byte[] { 1, 2 }));

        string json = DicomWebJsonWriter.Serialize(ds, new DicomWebJsonWriterOptions { BulkDataUri = _ => null });

        Assert.Equal("{\"7FE00010\":{\"vr\":\"OW\",\"InlineBinary\":\"AQI=\"}}", json);
    }

    [Fact]
    public void Serialize_EncapsulatedPixelData_WritesBulkDataUri()
    {
        string json = DicomWebJsonWriter.Serialize(TestData.EncapsulatedDataset(), UriEverything);

        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.Equal("OB", doc.RootElement.GetProperty("7FE00010").GetProperty("vr").GetString());
        Assert.Equal("http://h/bulk/7FE00010", doc.RootElement.GetProperty("7FE00010").GetProperty("BulkDataURI").GetString());
    }

    [Fact]
    public void Serialize_EmptyBulkValue_IsNeverOfferedAsUri()
    {
        var ds = new DicomDataset();
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, Array.Empty<byte>()));

        Assert.Equal("{\"7FE00010\":{\"vr\":\"OW\"}}", DicomWebJsonWriter.Serialize(ds, UriEverything));
    }

    [Fact]
    public void Serialize_InlineValueOverLimit_ThrowsValueTooLong()
    {
        var ds = new DicomDataset();
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, new byte[1026]));

        DicomJsonException ex = Assert.Throws<DicomJsonException>(() => DicomWebJsonWriter.Serialize(ds, new DicomWebJsonWriterOptions { MaxInlineBinaryLength = 1024 }));

        Assert.Equal(DicomJsonError.ValueTooLong, ex.Reason);
        Assert.Equal("7FE00010", ex.Path);
    }

    [Fact]
    public async Task WriteAsync_LargeDataset_FlushesAsItGoes()
    {
        var ds = new DicomDataset();
        for (ushort i = 1; i <= 2000; i++)
        {
            ds.SetString(new DicomTag(0x0011, i), DicomVR.LO, "value number " + i);
        }

        var output = new CountingStream();
        await using (var writer = new Utf8JsonWriter(output, DicomWebJsonWriter.JsonOptions))
        {
            await DicomWebJsonWriter.WriteAsync(writer, ds, new DicomWebJsonWriterOptions { FlushThreshold = 4096 });
            Assert.True(writer.BytesPending < 4096 + 200);
        }

        Assert.True(output.Writes > 10, $"{output.Writes} writes");
        Assert.Equal(DicomWebJsonWriter.Serialize(ds), System.Text.Encoding.UTF8.GetString(output.ToArray()));
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public async Task WriteAsync_FromStreamReader_EqualsInMemoryWriter(string syntaxUid)
    {
        DicomTransferSyntax syntax = DicomTransferSyntax.Parse(syntaxUid);
        DicomDataset ds = TestData.RichDataset();
        byte[] file = await TestData.WriteFileAsync(ds, syntax);
        DicomDataset read = (await TestData.ReadFileAsync(file)).Dataset;
        var options = new DicomWebJsonWriterOptions { InlineBinaryThreshold = 4, BulkDataUri = b => "bulk/" + b.Path };

        string streamed = await StreamedAsync(file, options);

        Assert.Equal(DicomWebJsonWriter.Serialize(read, options), streamed);
    }

    [Fact]
    public async Task WriteAsync_FromStreamReaderWithEncapsulatedPixelData_InlineOrUri()
    {
        DicomDataset ds = TestData.EncapsulatedDataset();
        byte[] file = await TestData.WriteFileAsync(ds, DicomTransferSyntax.JpegBaseline);

        Assert.Equal(DicomWebJsonWriter.Serialize(ds), await StreamedAsync(file, DicomWebJsonWriterOptions.Default));
        Assert.Equal(DicomWebJsonWriter.Serialize(ds, UriEverything), await StreamedAsync(file, UriEverything));
    }

    [Fact]
    public async Task WriteAsync_FromStreamReader_SkipsBulkValueWithoutReadingIt()
    {
        // 64 MiB of pixel data on a non-seekable stream with a 1 MiB in-memory limit: only a URI can get past it.
        var ds = new DicomDataset();
        ds.SetString(DicomTags.SOPInstanceUID, DicomVR.UI, "1.2.3");
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OB, new byte[64 * 1024 * 1024]));
        byte[] bytes = await TestData.WriteDatasetAsync(ds, DicomEncoding.ExplicitLittleEndian);
        await using var reader = new DicomStreamReader(new NonSeekableStream(bytes, 65536), DicomEncoding.ExplicitLittleEndian, new DicomReaderOptions { MaxValueLength = 1024 * 1024 });
        using var output = new MemoryStream();

        await using (var writer = new Utf8JsonWriter(output, DicomWebJsonWriter.JsonOptions))
        {
            await DicomWebJsonWriter.WriteAsync(writer, reader, UriEverything);
        }

        Assert.Equal("{\"00080018\":{\"vr\":\"UI\",\"Value\":[\"1.2.3\"]},\"7FE00010\":{\"vr\":\"OB\",\"BulkDataURI\":\"http://h/bulk/7FE00010\"}}", System.Text.Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task WriteAsync_FromStreamReaderWithRepeatedTags_WritesTheFirstOnly()
    {
        // (0010,0020) twice, then a sequence twice: valid JSON has each key once, as the in-memory reader keeps the first.
        byte[] bytes =
        [
            .. Element(0x0010, 0x0020, "LO", "FIRST "u8),
            .. Element(0x0010, 0x0020, "LO", "SECOND"u8),
            .. SequenceWithOneItem(0x0008, 0x1140, Element(0x0008, 0x1155, "UI", "1.2\0"u8)),
            .. SequenceWithOneItem(0x0008, 0x1140, Element(0x0008, 0x1155, "UI", "9.9\0"u8)),
        ];

        string json = await StreamedAsync(bytes, DicomWebJsonWriterOptions.Default, DicomEncoding.ExplicitLittleEndian);

        Assert.Equal("{\"00100020\":{\"vr\":\"LO\",\"Value\":[\"FIRST\"]},\"00081140\":{\"vr\":\"SQ\",\"Value\":[{\"00081155\":{\"vr\":\"UI\",\"Value\":[\"1.2\"]}}]}}", json);
    }

    [Fact]
    public async Task WriteAsync_FromStreamReaderTruncated_ThrowsDicomFormatException()
    {
        byte[] file = await TestData.WriteFileAsync(TestData.RichDataset(), DicomTransferSyntax.ExplicitVRLittleEndian);

        await Assert.ThrowsAsync<DicomFormatException>(() => StreamedAsync(file[..^3], DicomWebJsonWriterOptions.Default));
    }

    public static TheoryData<string> Encodings() => new(TestData.Uncompressed.Select(s => s.Uid.Value));

    private static async Task<string> StreamedAsync(byte[] file, DicomWebJsonWriterOptions options)
    {
        await using DicomFileReader reader = await DicomFileReader.OpenAsync(new NonSeekableStream(file, 1000));
        using var output = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(output, DicomWebJsonWriter.JsonOptions))
        {
            await DicomWebJsonWriter.WriteAsync(writer, reader.Reader, options);
        }

        return System.Text.Encoding.UTF8.GetString(output.ToArray());
    }

    private static async Task<string> StreamedAsync(byte[] dataset, DicomWebJsonWriterOptions options, DicomEncoding encoding)
    {
        await using var reader = new DicomStreamReader(new MemoryStream(dataset), encoding);
        using var output = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(output, DicomWebJsonWriter.JsonOptions))
        {
            await DicomWebJsonWriter.WriteAsync(writer, reader, options);
        }

        return System.Text.Encoding.UTF8.GetString(output.ToArray());
    }

    private static byte[] Element(ushort group, ushort element, string vr, ReadOnlySpan<byte> value) =>
    [
        (byte)group, (byte)(group >> 8), (byte)element, (byte)(element >> 8), (byte)vr[0], (byte)vr[1],
        (byte)value.Length, (byte)(value.Length >> 8), .. value,
    ];

    private static byte[] SequenceWithOneItem(ushort group, ushort element, byte[] itemContent) =>
    [
        (byte)group, (byte)(group >> 8), (byte)element, (byte)(element >> 8), (byte)'S', (byte)'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF, .. itemContent, 0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0,
        0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0,
    ];

    private static string Raw(JsonDocument doc, string key) => doc.RootElement.GetProperty(key).GetProperty("Value").GetRawText();

    private sealed class CountingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Writes++;
            base.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes++;
            return base.WriteAsync(buffer, cancellationToken);
        }
    }
}
