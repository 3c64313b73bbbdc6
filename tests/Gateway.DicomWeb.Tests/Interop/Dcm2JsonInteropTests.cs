using System.Text.Json;
using Gateway.Dicom;
using Gateway.Dicom.Interop.Tests.Support;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.DicomWeb.Json;

namespace Gateway.DicomWeb.Tests.Interop;

/// <summary>
/// The DICOMweb JSON writer and reader against DCMTK's dcm2json (Debian dcmtk 3.6.7) on the codec interop corpus: the
/// same files, every uncompressed encoding, the character sets, sequences nested three deep, private attributes.
/// </summary>
public sealed class Dcm2JsonInteropTests(DcmtkFixture dcmtk) : IClassFixture<DcmtkFixture>
{
    public static TheoryData<string> UncompressedInputs => [.. InteropInput.All.Where(i => !i.IsEncapsulated).Select(i => i.Name)];

    /// <summary>The inputs that are instances (they have SOP Class and Instance UIDs, so they can be written as Part 10 files).</summary>
    public static TheoryData<string> Instances => [.. InteropInput.All.Where(i => !i.IsEncapsulated && i.Variant == InteropInput.ExplicitLE && i.Dump != "worklist-item").Select(i => i.Name)];

    [Theory]
    [MemberData(nameof(UncompressedInputs))]
    public async Task WriteAsync_StreamedFromTheFile_EqualsDcm2json(string name)
    {
        string path = await dcmtk.Corpus.GetAsync(InteropInput.Named(name));
        string expected = await dcmtk.Corpus.GetDcm2JsonAsync(path);

        string actual = await StreamedJsonAsync(path);

        AssertSameJson(expected, actual);
    }

    [Theory]
    [MemberData(nameof(UncompressedInputs))]
    public async Task Parse_Dcm2jsonOutput_WritesBackTheSameJson(string name)
    {
        string expected = await dcmtk.Corpus.GetDcm2JsonAsync(await dcmtk.Corpus.GetAsync(InteropInput.Named(name)));

        DicomDataset read = DicomJsonReader.Parse(expected);

        AssertSameJson(expected, DicomWebJsonWriter.Serialize(read));
    }

    [Theory]
    [MemberData(nameof(Instances))]
    public async Task Parse_Dcm2jsonOutput_WrittenAsAFile_Dcm2jsonSeesTheSameInstance(string name)
    {
        // JSON -> data set -> Part 10 file by the codec -> dcm2json: DCMTK reads our bytes back to the JSON it started from.
        string expected = await dcmtk.Corpus.GetDcm2JsonAsync(await dcmtk.Corpus.GetAsync(InteropInput.Named(name)));
        DicomDataset read = DicomJsonReader.Parse(expected);
        string file = dcmtk.Corpus.NewPath("from-json");
        await using (FileStream stream = File.Create(file))
        {
            await DicomFileWriter.WriteAsync(stream, read, DicomTransferSyntax.ExplicitVRLittleEndian);
        }

        ToolResult again = (await ExternalTool.RunAsync("dcm2json", file)).EnsureSuccess();

        AssertSameJson(expected, again.StandardOutput);
    }

    private static async Task<string> StreamedJsonAsync(string path)
    {
        await using DicomFileReader reader = await DicomFileReader.OpenAsync(path);
        using var output = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(output, DicomWebJsonWriter.JsonOptions))
        {
            await DicomWebJsonWriter.WriteAsync(writer, reader.Reader, new DicomWebJsonWriterOptions { FlushThreshold = 512 });
        }

        return System.Text.Encoding.UTF8.GetString(output.ToArray());
    }

    private static void AssertSameJson(string expected, string actual)
    {
        JsonDifference? difference = JsonSemanticComparer.Compare(expected, actual);
        Assert.True(difference is null, $"JSON differs from dcm2json's at {difference}");
    }
}
