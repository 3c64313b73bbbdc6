using System.Text.Json;
using Gateway.Dicom.Interop.Tests.Support;

namespace Gateway.Dicom.Interop.Tests.Json;

/// <summary>The codec's DICOM JSON (read with DicomFileReader, written with DicomJsonWriter) against dcm2json's.</summary>
public sealed class DicomJsonWriterInteropTests(DcmtkFixture dcmtk) : IClassFixture<DcmtkFixture>
{
    private const string PixelDataKey = "7FE00010";

    public static TheoryData<string> UncompressedInputs => [.. InteropInput.All.Where(i => !i.IsEncapsulated).Select(i => i.Name)];

    public static TheoryData<string> EncapsulatedInputs => [.. InteropInput.All.Where(i => i.IsEncapsulated).Select(i => i.Name)];

    [Theory]
    [MemberData(nameof(UncompressedInputs))]
    public async Task Serialize_UncompressedInput_EqualsDcm2json(string name)
    {
        string path = await dcmtk.Corpus.GetAsync(InteropInput.Named(name));

        string expected = await dcmtk.Corpus.GetDcm2JsonAsync(path);
        string actual = await GatewayCodec.ToJsonAsync(path);

        AssertSameJson(expected, actual);
    }

    [Theory]
    [MemberData(nameof(EncapsulatedInputs))]
    public async Task Serialize_EncapsulatedInput_EqualsDcm2jsonApartFromPixelData(string name)
    {
        // dcm2json refuses compressed pixel data ("JSON InlineBinary encoding not supported for compressed pixel data"):
        // the reference is dcm2json of a copy without (7FE0,0010).
        string path = await dcmtk.Corpus.GetAsync(InteropInput.Named(name));

        string expected = await dcmtk.Corpus.GetDcm2JsonAsync(await dcmtk.Corpus.GetWithoutPixelDataAsync(path));
        string actual = await GatewayCodec.ToJsonAsync(path);

        AssertSameJson(expected, actual, [PixelDataKey]);
        using JsonDocument document = JsonDocument.Parse(actual);
        Assert.True(document.RootElement.TryGetProperty(PixelDataKey, out _), "the gateway's JSON has no pixel data");
    }

    [Theory]
    [MemberData(nameof(EncapsulatedInputs))]
    public async Task Serialize_EncapsulatedPixelData_IsTheItemsDcmdumpShows(string name)
    {
        string path = await dcmtk.Corpus.GetAsync(InteropInput.Named(name));

        byte[] expected = await EncapsulatedPixelData.FromDcmdumpAsync(path);
        using JsonDocument document = JsonDocument.Parse(await GatewayCodec.ToJsonAsync(path));
        JsonElement pixelData = document.RootElement.GetProperty(PixelDataKey);

        Assert.Equal("OB", pixelData.GetProperty("vr").GetString());
        Assert.Equal(expected, pixelData.GetProperty("InlineBinary").GetBytesFromBase64());
    }

    [Fact]
    public async Task Serialize_Iso2022Japanese_DecodesThePs35AnnexHExample()
    {
        // dcm2json 3.6.7 cannot convert ISO 2022 IR 87 with glibc's iconv, so the reference is the text of PS3.5 H.3.1.
        string path = await dcmtk.Corpus.GetAsync(InteropInput.Japanese);

        using JsonDocument document = JsonDocument.Parse(await GatewayCodec.ToJsonAsync(path));

        Assert.Equal("ISO_IR 192", document.RootElement.GetProperty("00080005").GetProperty("Value")[0].GetString());
        JsonElement name = document.RootElement.GetProperty("00100010").GetProperty("Value")[0];
        Assert.Equal("Yamada^Tarou", name.GetProperty("Alphabetic").GetString());
        Assert.Equal("山田^太郎", name.GetProperty("Ideographic").GetString());
        Assert.Equal("やまだ^たろう", name.GetProperty("Phonetic").GetString());
    }

    internal static void AssertSameJson(string expected, string actual, IReadOnlyCollection<string>? ignoredTopLevelKeys = null)
    {
        JsonDifference? difference = JsonSemanticComparer.Compare(expected, actual, ignoredTopLevelKeys);
        Assert.True(difference is null, $"JSON differs from DCMTK's at {difference}");
    }
}
