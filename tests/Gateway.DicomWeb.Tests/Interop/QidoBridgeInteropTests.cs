using System.Runtime.CompilerServices;
using System.Text.Json;
using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Services;
using Gateway.DicomWeb.Json;
using Gateway.DicomWeb.Qido;

namespace Gateway.DicomWeb.Tests.Interop;

/// <summary>
/// The DIMSE-to-DICOMweb bridge pieces end to end against Orthanc: a QIDO-RS query parsed by <see cref="QidoQueryParser"/>,
/// sent as C-FIND by our network client, the matches written by <see cref="QidoResponseWriter"/>; compared with
/// Orthanc's own QIDO-RS answer to the same query string.
/// </summary>
public sealed class QidoBridgeInteropTests(OrthancFixture fixture) : IClassFixture<OrthancFixture>
{
    public static TheoryData<string, string> Queries => new()
    {
        { "studies", "PatientID=PID-0001" },
        { "studies", "StudyDate=20240101-20241231&includefield=StudyDescription" },
        { "studies", "PatientName=Doe*" },
        { "series", "Modality=CT" },
        { "instances", "StudyInstanceUID=2.25.100000000000000000000000000000000002&limit=1&offset=1" },
        { "studies/2.25.100000000000000000000000000000000002/series", string.Empty },
        { "studies/2.25.100000000000000000000000000000000002/series/2.25.100000000000000000000000000000000003/instances", "includefield=NumberOfFrames" },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task CFindThroughTheBridge_AnswersAsOrthancsQido(string resourcePath, string queryString)
    {
        Assert.True(QidoQueryParser.TryParse(Resource(resourcePath), QidoQueryParser.ParseQueryString(queryString), out QidoQuery? query, out QidoQueryError? error), error?.ToString());

        List<DicomDataset> bridged = await BridgeAsync(query);
        List<DicomDataset> orthanc = await OrthancQidoAsync($"{resourcePath}?{queryString}");

        Assert.NotEmpty(orthanc);
        Assert.Equal(Keys(orthanc, DicomTags.SOPInstanceUID, DicomTags.SeriesInstanceUID, DicomTags.StudyInstanceUID), Keys(bridged, DicomTags.SOPInstanceUID, DicomTags.SeriesInstanceUID, DicomTags.StudyInstanceUID));
        for (int i = 0; i < orthanc.Count; i++)
        {
            // Every attribute both answers carry means the same; Orthanc adds a few of its own choosing, we carry what the
            // identifier asked for, and both carry the level's unique keys.
            DicomDataset ours = bridged[i];
            DicomDataset theirs = orthanc[i];
            HashSet<DicomTag> notShared = [.. ours.Select(a => a.Tag).Concat(theirs.Select(a => a.Tag)).Where(t => ours[t] is null || theirs[t] is null)];
            notShared.Add(DicomTags.SpecificCharacterSet);
            List<string> differences = DatasetComparison.Differences(theirs, ours, new HashSet<string>(), notShared);
            Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences));
            Assert.True(ours.Count - notShared.Count(t => ours.Contains(t)) >= 3, $"too little in common: {string.Join(',', ours.Select(a => a.Tag))}");
            foreach (DicomTag tag in query.MatchingKeys.Where(k => k.Path.Count == 1).Select(k => k.Tag))
            {
                Assert.True(ours.Contains(tag) && theirs.Contains(tag), $"matching key {tag}: ours {ours.Contains(tag)}, Orthanc's {theirs.Contains(tag)}");
            }

            foreach (DicomTag tag in query.IncludeFields)
            {
                // An attribute the instances do not have: Orthanc's QIDO leaves it out, its C-FIND answers it empty.
                Assert.True(ours.Contains(tag) || !theirs.Contains(tag), $"includefield {tag}: ours {ours.Contains(tag)}, Orthanc's {theirs.Contains(tag)}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task QidoForACFindIdentifier_OrthancAnswersAsItsCFind(string resourcePath, string queryString)
    {
        // The other direction of the bridge: a device's C-FIND identifier (here the one the parser built) sent to the
        // DICOMweb origin as QIDO-RS; Orthanc must find what its own C-FIND finds for the identifier.
        Assert.True(QidoQueryParser.TryParse(Resource(resourcePath), QidoQueryParser.ParseQueryString(queryString), out QidoQuery? query, out _));
        query.Identifier.Remove(DicomTags.NumberOfFrames);
        Assert.True(QidoRequest.TryFromIdentifier(query.Identifier, out QidoRequest? request, out string? error), error);

        List<DicomDataset> viaQido = await OrthancQidoAsync(request.RelativeUri);
        List<DicomDataset> viaCFind = [];
        await using (DicomAssociation association = await ConnectAsync())
        {
            await foreach (DicomDataset match in MatchesAsync(association, query.Identifier))
            {
                viaCFind.Add(match);
            }

            await association.ReleaseAsync();
        }

        Assert.NotEmpty(viaCFind);
        Assert.Equal(
            Keys(viaCFind, DicomTags.SOPInstanceUID, DicomTags.SeriesInstanceUID, DicomTags.StudyInstanceUID),
            Keys(viaQido, DicomTags.SOPInstanceUID, DicomTags.SeriesInstanceUID, DicomTags.StudyInstanceUID));
    }

    [Fact]
    public async Task CFindThroughTheBridge_LimitStopsTheQueryAndSaysMore()
    {
        Assert.True(QidoQueryParser.TryParse(QidoResource.Studies(), QidoQueryParser.ParseQueryString("limit=1"), out QidoQuery? query, out _));
        await using DicomAssociation association = await ConnectAsync();
        using var output = new MemoryStream();

        QidoResponseSummary summary;
        await using (var writer = new Utf8JsonWriter(output, DicomWebJsonWriter.JsonOptions))
        {
            summary = await QidoResponseWriter.WriteAsync(writer, MatchesAsync(association, query.Identifier), query);
        }

        Assert.Equal(new QidoResponseSummary(1, MoreAvailable: true), summary);
        Assert.Equal(1, JsonDocument.Parse(output.ToArray()).RootElement.GetArrayLength());
    }

    private static QidoResource Resource(string path)
    {
        string[] s = path.Split('/');
        return s switch
        {
            ["studies"] => QidoResource.Studies(),
            ["series"] => QidoResource.Series(),
            ["instances"] => QidoResource.Instances(),
            ["studies", var study, "series"] => QidoResource.Series(study),
            ["studies", var study, "instances"] => QidoResource.Instances(study),
            ["studies", var study, "series", var series, "instances"] => QidoResource.Instances(study, series),
            _ => throw new ArgumentException(path, nameof(path)),
        };
    }

    private async Task<List<DicomDataset>> BridgeAsync(QidoQuery query)
    {
        await using DicomAssociation association = await ConnectAsync();
        using var output = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(output, DicomWebJsonWriter.JsonOptions))
        {
            await QidoResponseWriter.WriteAsync(writer, MatchesAsync(association, query.Identifier), query);
        }

        await association.ReleaseAsync();
        return await ReadAllAsync(new MemoryStream(output.ToArray()));
    }

    private async Task<DicomAssociation> ConnectAsync()
    {
        string find = DicomUids.StudyRootQueryRetrieveInformationModelFind.Value;
        return await DicomClient.ConnectAsync(
            new DicomClientOptions { Host = "127.0.0.1", Port = fixture.Orthanc.DicomPort },
            new AssociationRequest
            {
                CallingAE = "GATEWAY",
                CalledAE = fixture.Orthanc.AETitle,
                PresentationContexts = AssociationRequest.PresentationContextsFor([find], [DicomTransferSyntax.ExplicitVRLittleEndian]),
            });
    }

    private static async IAsyncEnumerable<DicomDataset> MatchesAsync(DicomAssociation association, DicomDataset identifier, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (DimseResponse response in association.FindAsync(DicomUids.StudyRootQueryRetrieveInformationModelFind.Value, identifier, cancellationToken))
        {
            if (response.Status.Category == DimseStatusCategory.Pending && response.DataSet is { } match)
            {
                yield return match;
            }
        }
    }

    private async Task<List<DicomDataset>> OrthancQidoAsync(string relativeUri)
    {
        using HttpResponseMessage response = await fixture.Orthanc.Http.GetAsync($"{fixture.Root}/{relativeUri}");
        response.EnsureSuccessStatusCode();
        return await ReadAllAsync(await response.Content.ReadAsStreamAsync());
    }

    private static async Task<List<DicomDataset>> ReadAllAsync(Stream json)
    {
        var datasets = new List<DicomDataset>();
        await foreach (DicomDataset ds in DicomJsonReader.ReadDatasetsAsync(json))
        {
            datasets.Add(ds);
        }

        return datasets;
    }

    private static List<string> Keys(List<DicomDataset> datasets, params DicomTag[] tags) =>
        [.. datasets.Select(d => string.Join('/', tags.Select(t => d.GetString(t) ?? "-"))).Order(StringComparer.Ordinal)];
}
