using System.Text;
using CsCheck;
using Gateway.Dicom.Model;
using Gateway.Dicom.Tests.Support;
using Gateway.DicomWeb.Json;
using Gateway.DicomWeb.Tests.Support;

namespace Gateway.DicomWeb.Tests.Json;

public sealed partial class DicomJsonReaderTests
{
    [Theory]
    [InlineData("", DicomJsonError.Truncated)]
    [InlineData("   ", DicomJsonError.Truncated)]
    [InlineData("{\"00100020\":{\"vr\":\"LO\"", DicomJsonError.Truncated)]
    [InlineData("{\"00100020\":{\"vr\":\"LO\",\"Value\":[\"A", DicomJsonError.Truncated)]
    [InlineData("nonsense", DicomJsonError.MalformedJson)]
    [InlineData("{\"00100020\":{\"vr\":\"LO\",}}", DicomJsonError.MalformedJson)]
    [InlineData("{}{}", DicomJsonError.MalformedJson)]
    [InlineData("{} x", DicomJsonError.MalformedJson)]
    [InlineData("{/*c*/}", DicomJsonError.MalformedJson)]
    [InlineData("[]", DicomJsonError.UnexpectedToken)]
    [InlineData("\"text\"", DicomJsonError.UnexpectedToken)]
    [InlineData("{\"00100020\":[]}", DicomJsonError.UnexpectedToken)]
    [InlineData("{\"00100020\":{\"vr\":\"LO\",\"Value\":\"A\"}}", DicomJsonError.UnexpectedToken)]
    [InlineData("{\"0010002\":{\"vr\":\"LO\"}}", DicomJsonError.InvalidTag)]
    [InlineData("{\"(0010,0020)\":{\"vr\":\"LO\"}}", DicomJsonError.InvalidTag)]
    [InlineData("{\"0010002G\":{\"vr\":\"LO\"}}", DicomJsonError.InvalidTag)]
    [InlineData("{\"FFFEE000\":{\"vr\":\"LO\"}}", DicomJsonError.InvalidTag)]
    [InlineData("{\"00000900\":{\"vr\":\"US\"}}", DicomJsonError.InvalidTag)]
    [InlineData("{\"00100020\":{\"vr\":\"LO\"},\"00100020\":{\"vr\":\"LO\"}}", DicomJsonError.DuplicateAttribute)]
    [InlineData("{\"00100020\":{\"vr\":\"LO\"},\"00100020\":{\"vr\":\"SH\"}}", DicomJsonError.DuplicateAttribute)]
    [InlineData("{\"00100020\":{}}", DicomJsonError.InvalidVR)]
    [InlineData("{\"00100020\":{\"vr\":\"XX\"}}", DicomJsonError.InvalidVR)]
    [InlineData("{\"00100020\":{\"vr\":\"lo\"}}", DicomJsonError.InvalidVR)]
    [InlineData("{\"00100020\":{\"Value\":[\"A\"]}}", DicomJsonError.InvalidVR)]
    [InlineData("{\"00100020\":{\"vr\":\"LO\",\"vr\":\"LO\"}}", DicomJsonError.InvalidMember)]
    [InlineData("{\"00100020\":{\"vr\":\"LO\",\"value\":[\"A\"]}}", DicomJsonError.InvalidMember)]
    [InlineData("{\"00100020\":{\"vr\":\"LO\",\"Value\":[\"A\"],\"BulkDataURI\":\"u\"}}", DicomJsonError.InvalidMember)]
    [InlineData("{\"7FE00010\":{\"vr\":\"OW\",\"Value\":[1]}}", DicomJsonError.InvalidMember)]
    [InlineData("{\"00100010\":{\"vr\":\"PN\",\"InlineBinary\":\"AA==\"}}", DicomJsonError.InvalidMember)]
    [InlineData("{\"00081140\":{\"vr\":\"SQ\",\"BulkDataURI\":\"u\"}}", DicomJsonError.InvalidMember)]
    [InlineData("{\"7FE00010\":{\"vr\":\"OW\",\"InlineBinary\":\"not base64!\"}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"7FE00010\":{\"vr\":\"OW\",\"InlineBinary\":\"AQID\"}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00280010\":{\"vr\":\"US\",\"Value\":[65536]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00280010\":{\"vr\":\"US\",\"Value\":[-1]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00280010\":{\"vr\":\"US\",\"Value\":[1.5]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00280010\":{\"vr\":\"US\",\"Value\":[null]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00280010\":{\"vr\":\"US\",\"Value\":[true]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00180013\":{\"vr\":\"FL\",\"Value\":[1e39]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00180013\":{\"vr\":\"FL\",\"Value\":[\"one\"]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00200013\":{\"vr\":\"IS\",\"Value\":[1.5]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00200013\":{\"vr\":\"IS\",\"Value\":[2147483648]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00200013\":{\"vr\":\"IS\",\"Value\":[\"x\"]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00180050\":{\"vr\":\"DS\",\"Value\":[\"NaN\"]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00100020\":{\"vr\":\"LO\",\"Value\":[1]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00100020\":{\"vr\":\"LO\",\"Value\":[[\"A\"]]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00100020\":{\"vr\":\"LO\",\"Value\":[\"A\\\\B\"]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00080020\":{\"vr\":\"DA\",\"Value\":[\"2024é\"]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00280009\":{\"vr\":\"AT\",\"Value\":[\"0010\"]}}", DicomJsonError.InvalidTag)]
    [InlineData("{\"00280009\":{\"vr\":\"AT\",\"Value\":[524320]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Family\":\"Doe\"}]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"A\",\"Alphabetic\":\"B\"}]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"A=B\"}]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":1}]}}", DicomJsonError.InvalidValue)]
    [InlineData("{\"00081140\":{\"vr\":\"SQ\",\"Value\":[null]}}", DicomJsonError.UnexpectedToken)]
    [InlineData("{\"00081140\":{\"vr\":\"SQ\",\"Value\":[\"item\"]}}", DicomJsonError.UnexpectedToken)]
    public void Parse_Malformed_ThrowsWithReason(string json, DicomJsonError expected)
    {
        DicomJsonException ex = Assert.Throws<DicomJsonException>(() => DicomJsonReader.Parse(json));

        Assert.Equal(expected, ex.Reason);
        Assert.InRange(ex.Offset, 0, Encoding.UTF8.GetByteCount(json));
    }

    [Fact]
    public void Parse_Malformed_NamesTheAttributePathAndNeverQuotesTheValue()
    {
        const string json = """{"0040A730":{"vr":"SQ","Value":[{},{"00100020":{"vr":"LO","Value":["SECRET-ID",1]}}]}}""";

        DicomJsonException ex = Assert.Throws<DicomJsonException>(() => DicomJsonReader.Parse(json));

        Assert.Equal("0040A730/1/00100020", ex.Path);
        Assert.Equal(json.IndexOf("1]", StringComparison.Ordinal), ex.Offset);
        Assert.DoesNotContain("SECRET", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotJson_ReportsThePositionNotTheText()
    {
        const string json = "{\"00100020\":{\"vr\":\"LO\",\"Value\":[Xyzzy]}}";

        DicomJsonException ex = Assert.Throws<DicomJsonException>(() => DicomJsonReader.Parse(json));

        Assert.Equal(DicomJsonError.MalformedJson, ex.Reason);
        Assert.DoesNotContain("X", ex.Message, StringComparison.Ordinal);
        Assert.Null(ex.InnerException);
        Assert.Contains("line 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidUtf8_ThrowsMalformedJson()
    {
        byte[] json = [.. "{\"00100020\":{\"vr\":\"LO\",\"Value\":[\""u8, 0xC3, 0x28, .. "\"]}}"u8];

        DicomJsonException ex = Assert.Throws<DicomJsonException>(() => DicomJsonReader.Parse(json));

        Assert.Equal(DicomJsonError.MalformedJson, ex.Reason);
    }

    [Fact]
    public void Parse_NestingOverTheLimit_ThrowsDepthLimitExceeded()
    {
        DicomJsonException ex = Assert.Throws<DicomJsonException>(() => DicomJsonReader.Parse(Nested(65)));

        Assert.Equal(DicomJsonError.DepthLimitExceeded, ex.Reason);
    }

    [Fact]
    public void Parse_HugeNesting_ThrowsWithoutOverflowingTheStack()
    {
        DicomJsonException ex = Assert.Throws<DicomJsonException>(() => DicomJsonReader.Parse(Nested(100_000)));

        Assert.Equal(DicomJsonError.DepthLimitExceeded, ex.Reason);
        Assert.Equal(string.Concat(Enumerable.Repeat("0040A730/0/", 64)) + "0040A730", ex.Path);
    }

    [Fact]
    public void Parse_TooManyElements_ThrowsElementLimitExceeded()
    {
        string json = "{\"00280010\":{\"vr\":\"US\",\"Value\":[" + string.Join(',', Enumerable.Repeat("1", 200)) + "]}}";

        DicomJsonException ex = Assert.Throws<DicomJsonException>(() => DicomJsonReader.Parse(json, new DicomJsonReaderOptions { MaxElements = 100 }));

        Assert.Equal(DicomJsonError.ElementLimitExceeded, ex.Reason);
    }

    [Fact]
    public async Task ReadDatasetAsync_DocumentOverTheLimit_StopsReadingAtTheLimit()
    {
        var endless = new EndlessStream("{\"00100020\":{\"vr\":\"LO\",\"Value\":[\""u8.ToArray(), (byte)'A');

        DicomJsonException ex = await Assert.ThrowsAsync<DicomJsonException>(() =>
            DicomJsonReader.ReadDatasetAsync(endless, new DicomJsonReaderOptions { MaxDocumentBytes = 1_000_000, MaxTokenBytes = 10_000_000 }).AsTask());

        Assert.Equal(DicomJsonError.SizeLimitExceeded, ex.Reason);
        Assert.InRange(endless.Served, 1_000_000, 1_000_000 + 65536);
    }

    [Fact]
    public async Task ReadDatasetAsync_TokenOverTheLimit_ThrowsValueTooLongBeforeTheDocumentLimit()
    {
        var endless = new EndlessStream("{\"00100020\":{\"vr\":\"LO\",\"Value\":[\""u8.ToArray(), (byte)'A');

        DicomJsonException ex = await Assert.ThrowsAsync<DicomJsonException>(() =>
            DicomJsonReader.ReadDatasetAsync(endless, new DicomJsonReaderOptions { MaxTokenBytes = 100_000 }).AsTask());

        Assert.Equal(DicomJsonError.ValueTooLong, ex.Reason);
        Assert.InRange(endless.Served, 100_000, 300_000);
    }

    [Fact]
    public async Task ReadDatasetsAsync_TooManyDatasets_ThrowsElementLimitExceeded()
    {
        string json = "[" + string.Join(',', Enumerable.Repeat("{}", 11)) + "]";

        DicomJsonException ex = await Assert.ThrowsAsync<DicomJsonException>(async () =>
        {
            await foreach (DicomDataset _ in DicomJsonReader.ReadDatasetsAsync(Stream(json), new DicomJsonReaderOptions { MaxDatasets = 10 }))
            {
            }
        });

        Assert.Equal(DicomJsonError.ElementLimitExceeded, ex.Reason);
    }

    [Fact]
    public async Task ReadDatasetAsync_EveryPrefixOfAValidDocument_ThrowsTruncatedOrSucceedsOnlyWhenWhole()
    {
        string json = DicomWebJsonWriter.Serialize(TestData.RichDataset());
        byte[] bytes = Encoding.UTF8.GetBytes(json);

        for (int length = 0; length < bytes.Length; length++)
        {
            DicomJsonException ex = await Assert.ThrowsAsync<DicomJsonException>(() =>
                DicomJsonReader.ReadDatasetAsync(new NonSeekableStream(bytes[..length], 7)).AsTask());
            Assert.True(ex.Reason == DicomJsonError.Truncated, $"prefix of {length} bytes: {ex.Message}");
        }

        Assert.NotNull(await DicomJsonReader.ReadDatasetAsync(new NonSeekableStream(bytes, 7)));
    }

    /// <summary>
    /// Mutated documents (bytes flipped, replaced, inserted, deleted, truncated, duplicated) read from a stream in small
    /// chunks: every outcome is a data set or a <see cref="DicomJsonException"/>, never another exception.
    /// </summary>
    [Fact]
    public void ReadDatasetAsync_MutatedDocuments_SucceedOrThrowDicomJsonException()
    {
        DicomDataset rich = TestData.RichDataset();
        rich.Set(TestData.EncapsulatedDataset()[Gateway.Dicom.DicomTags.PixelData]!);
        byte[][] seeds =
        [
            Encoding.UTF8.GetBytes(DicomWebJsonWriter.Serialize(rich)),
            Encoding.UTF8.GetBytes("""{"00100010":{"vr":"PN","Value":[{"Alphabetic":"Ä^B","Ideographic":"X"}]},"00280009":{"vr":"AT","Value":["00100020"]},"00720083":{"vr":"UV","Value":["18446744073709551615"]}}"""),
        ];
        byte[] alphabet = "{}[]\":,\\0123456789eE+-.ntfaulrsAvVIBDQSQUNOWPF \r\n\u0001"u8.ToArray();
        Gen<(int Seed, ulong[] Mutations)> gen = Gen.Select(Gen.Int[0, seeds.Length - 1], Gen.ULong.Array[1, 5]);

        gen.Sample(
            t =>
            {
                byte[] input = Mutations.Apply(seeds[t.Seed], t.Mutations, alphabet);
                try
                {
                    _ = DicomJsonReader.ReadDatasetAsync(new NonSeekableStream(input, 1 + (int)(t.Mutations[0] % 50))).AsTask().GetAwaiter().GetResult();
                }
                catch (DicomJsonException)
                {
                }
            },
            iter: 20000,
            print: t => $"seed {t.Seed} mutations [{string.Join(", ", t.Mutations.Select(m => $"0x{m:X16}UL"))}]");
    }
}
