using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.Dicom;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.DicomWeb.Json;
using Gateway.DicomWeb.Multipart;
using Gateway.DicomWeb.Stow;

namespace Gateway.DicomWeb.Tests.Interop;

/// <summary>
/// The building blocks against Orthanc 1.10 with its DICOMweb plugin: STOW-RS bodies from our writer, Orthanc's STOW
/// response, metadata and QIDO JSON through our reader, our metadata JSON against Orthanc's, WADO-RS multipart through our reader.
/// </summary>
public sealed class OrthancInteropTests(OrthancFixture fixture) : IClassFixture<OrthancFixture>
{
    public static TheoryData<string> Inputs => [.. OrthancFixture.Inputs];

    [Fact]
    public async Task Stow_OurMultipartBody_OrthancStoresEveryInstance()
    {
        Assert.True(fixture.StowStatus == 200, $"STOW-RS answered {fixture.StowStatus}: {fixture.StowResponse}");
        DicomDataset response = DicomJsonReader.Parse(fixture.StowResponse);

        List<string?> stored = [.. response.GetSequence(DicomTags.ReferencedSOPSequence)!.Items.Select(i => i.GetString(DicomTags.ReferencedSOPInstanceUID))];

        Assert.Equal((await InstanceUidsAsync()).Order(), stored.Order());
        Assert.Equal(stored.Order(), (await fixture.Orthanc.InstanceUidsAsync()).Order());
    }

    [Fact]
    public void Stow_OrthancsResponse_HasTheShapeOurResponseWrites()
    {
        // Rebuild Orthanc's answer with StowResponse from the same results: the same JSON, apart from Orthanc's Specific
        // Character Set and its empty Failed SOP Sequence (PS3.18 has it only when something failed; we leave it out).
        DicomDataset orthanc = DicomJsonReader.Parse(fixture.StowResponse);
        var ours = new StowResponse(orthanc.GetString(DicomTags.RetrieveURL));
        foreach (DicomDataset item in orthanc.GetSequence(DicomTags.ReferencedSOPSequence)!.Items)
        {
            ours.Add(StowInstanceResult.Stored(item.GetString(DicomTags.ReferencedSOPClassUID)!, item.GetString(DicomTags.ReferencedSOPInstanceUID)!, item.GetString(DicomTags.RetrieveURL)));
        }

        Gateway.Dicom.Interop.Tests.Support.JsonDifference? difference = Gateway.Dicom.Interop.Tests.Support.JsonSemanticComparer.Compare(
            fixture.StowResponse, ours.ToJson(), ["00080005", "00081198"]);

        Assert.True(difference is null, $"differs at {difference}");
        Assert.Empty(orthanc.GetSequence(DicomTags.FailedSOPSequence)!.Items);
        Assert.Equal(fixture.StowStatus, ours.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task Metadata_OrthancsJson_ReadsAsTheFile(string input)
    {
        DicomDataset file = await ReadFileAsync(input);
        var bulk = new List<DicomJsonBulkData>();

        DicomDataset orthanc = await MetadataAsync(file, bulk);

        List<string> differences = DatasetComparison.Differences(file, orthanc, bulk.Select(b => b.Path).ToHashSet(), Ignored(file));
        Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences));
        Assert.All(bulk, b => Assert.EndsWith("/bulk/" + b.Path, b.Uri, StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task Metadata_OurWriter_SaysWhatOrthancSays(string input)
    {
        // Our JSON, streamed from the file with BulkDataURIs where Orthanc puts them (OB, OW, UN and pixel data), read back
        // beside Orthanc's: the same attributes, values and bulk data URIs.
        string path = fixture.Files[input];
        DicomDataset file = await ReadFileAsync(input);
        string instanceUrl = InstanceUrl(file);
        var options = new DicomWebJsonWriterOptions
        {
            BulkDataUri = b => b.VR == DicomVR.OB || b.VR == DicomVR.OW || b.VR == DicomVR.UN ? $"{instanceUrl}/bulk/{b.Path.ToLowerInvariant()}" : null,
        };
        await using DicomFileReader reader = await DicomFileReader.OpenAsync(path);
        using var json = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(json, DicomWebJsonWriter.JsonOptions))
        {
            await DicomWebJsonWriter.WriteAsync(writer, reader.Reader, options);
        }

        var ourBulk = new List<DicomJsonBulkData>();
        DicomDataset ours = DicomJsonReader.Parse(json.ToArray(), bulkData: ourBulk);
        var orthancBulk = new List<DicomJsonBulkData>();
        DicomDataset orthanc = await MetadataAsync(file, orthancBulk);

        List<string> differences = DatasetComparison.Differences(ours, orthanc, new HashSet<string>(), Ignored(file));
        Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences));
        Assert.Equal(orthancBulk.Select(b => (b.Path, b.Uri)), ourBulk.Where(b => !Ignored(file).Contains(b.Tag)).Select(b => (b.Path, b.Uri)));
    }

    [Fact]
    public async Task Wado_StudyAsMultipart_OurReaderGivesTheStoredInstances()
    {
        DicomDataset ct = await ReadFileAsync("ct-16bit/explicit-le");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{fixture.Root}/studies/{ct.GetString(DicomTags.StudyInstanceUID)}");
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("multipart/related; type=\"application/dicom\"; transfer-syntax=*"));
        using HttpResponseMessage response = await fixture.Orthanc.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        MultipartReader reader = MultipartReader.Create(await response.Content.ReadAsStreamAsync(), response.Content.Headers.ContentType!.ToString());

        var parts = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (await reader.ReadNextPartAsync() is { } part)
        {
            Assert.True(part.ContentType!.Is("application/dicom"), part.ContentType.ToString());
            byte[] body = await Support.Bodies.ReadToEndAsync(part.Body);
            await using DicomFileReader instance = await DicomFileReader.OpenAsync(new MemoryStream(body));
            parts[(await instance.ReadDatasetAsync()).GetString(DicomTags.SOPInstanceUID)!] = body;
        }

        // Orthanc rewrites the File Meta Information it serves; the data sets are the ones we stored, byte for byte.
        Assert.Equal(2, parts.Count);
        foreach (string input in new[] { "ct-16bit/explicit-le", "ct-8bit-2frames/jpeg-baseline" })
        {
            DicomDataset stored = await ReadFileAsync(input);
            await using DicomFileReader served = await DicomFileReader.OpenAsync(new MemoryStream(parts[stored.GetString(DicomTags.SOPInstanceUID)!]));
            Gateway.Dicom.Tests.Support.TestData.AssertEquivalent(stored, await served.ReadDatasetAsync());
        }
    }

    /// <summary>
    /// Where Orthanc 1.10 (DICOMweb plugin 1.7) departs from the file, each seen in its metadata JSON: it keeps its stored
    /// Specific Character Set (the text is Unicode JSON either way; our reader says ISO_IR 192), leaves out a sequence whose
    /// only item is empty, writes only the first value of OF, OD and OL, leaves out OV, SV and UV, and leaves out
    /// encapsulated pixel data.
    /// </summary>
    private static readonly IReadOnlySet<DicomTag> KnownOrthancDifferences = new HashSet<DicomTag>
    {
        DicomTags.SpecificCharacterSet, DicomTags.ReferencedSeriesSequence, DicomTags.SelectorOFValue, DicomTags.SelectorODValue,
        DicomTags.SelectorOLValue, DicomTags.SelectorOVValue, DicomTags.SelectorSVValue, DicomTags.SelectorUVValue,
    };

    private static HashSet<DicomTag> Ignored(DicomDataset file)
    {
        HashSet<DicomTag> ignored = [.. KnownOrthancDifferences];
        if (file[DicomTags.PixelData] is DicomFragmentSequence)
        {
            ignored.Add(DicomTags.PixelData);
        }

        return ignored;
    }

    private async Task<DicomDataset> ReadFileAsync(string input)
    {
        await using DicomFileReader reader = await DicomFileReader.OpenAsync(fixture.Files[input]);
        return await reader.ReadDatasetAsync();
    }

    private async Task<List<string>> InstanceUidsAsync()
    {
        var uids = new List<string>();
        foreach (string input in OrthancFixture.Inputs)
        {
            uids.Add((await ReadFileAsync(input)).GetString(DicomTags.SOPInstanceUID)!);
        }

        return uids;
    }

    private string InstanceUrl(DicomDataset file) =>
        $"{fixture.Root}/studies/{file.GetString(DicomTags.StudyInstanceUID)}/series/{file.GetString(DicomTags.SeriesInstanceUID)}/instances/{file.GetString(DicomTags.SOPInstanceUID)}";

    private async Task<DicomDataset> MetadataAsync(DicomDataset file, List<DicomJsonBulkData> bulk)
    {
        using HttpResponseMessage response = await fixture.Orthanc.Http.GetAsync($"{InstanceUrl(file)}/metadata");
        response.EnsureSuccessStatusCode();
        var datasets = new List<DicomDataset>();
        await foreach (DicomDataset ds in DicomJsonReader.ReadDatasetsAsync(await response.Content.ReadAsStreamAsync(), bulkData: bulk))
        {
            datasets.Add(ds);
        }

        return Assert.Single(datasets);
    }
}
