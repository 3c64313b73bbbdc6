using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.DicomWeb.Json;
using Gateway.DicomWeb.Qido;

namespace Gateway.DicomWeb.Tests.Qido;

public sealed class QidoResponseWriterTests
{
    [Fact]
    public async Task WriteAsync_OffsetAndLimit_WritesThePageAndSaysMoreExist()
    {
        QidoQuery query = Query("limit=2&offset=1");
        var source = new CountingMatches(5);

        (string json, QidoResponseSummary summary) = await WriteAsync(source, query);

        Assert.Equal(["1.2.1", "1.2.2"], Studies(json));
        Assert.Equal(new QidoResponseSummary(2, MoreAvailable: true), summary);
        Assert.Equal(4, source.Yielded);
        Assert.True(source.Disposed);
    }

    [Fact]
    public async Task WriteAsync_LastPage_SaysNoMore()
    {
        (string json, QidoResponseSummary summary) = await WriteAsync(new CountingMatches(3), Query("limit=5&offset=1"));

        Assert.Equal(["1.2.1", "1.2.2"], Studies(json));
        Assert.False(summary.MoreAvailable);
    }

    [Fact]
    public async Task WriteAsync_NoMatches_WritesAnEmptyArray()
    {
        (string json, QidoResponseSummary summary) = await WriteAsync(new CountingMatches(0), Query(string.Empty));

        Assert.Equal("[]", json);
        Assert.Equal(0, summary.Written);
    }

    [Fact]
    public async Task WriteAsync_Match_DropsLevelAndUnrequestedAttributesAndAddsRetrieveUrl()
    {
        var match = new DicomDataset()
            .SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100")
            .SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, "STUDY")
            .SetString(DicomTags.StudyInstanceUID, DicomVR.UI, "1.2.3")
            .SetString(DicomTags.PatientName, DicomVR.PN, "Müller")
            .SetString(DicomTags.PatientAddress, DicomVR.LO, "not asked for");

        (string json, _) = await WriteAsync(Once(match), Query(string.Empty), m => "https://gw/studies/" + m.GetString(DicomTags.StudyInstanceUID));

        Assert.Equal(
            "[{\"00080005\":{\"vr\":\"CS\",\"Value\":[\"ISO_IR 192\"]},\"00081190\":{\"vr\":\"UR\",\"Value\":[\"https://gw/studies/1.2.3\"]}," +
            "\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"Müller\"}]},\"0020000D\":{\"vr\":\"UI\",\"Value\":[\"1.2.3\"]}}]",
            json);
    }

    [Fact]
    public async Task WriteAsync_IncludeAll_KeepsEverythingButTheLevel()
    {
        var match = new DicomDataset()
            .SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, "STUDY")
            .SetString(DicomTags.PatientAddress, DicomVR.LO, "kept");

        (string json, _) = await WriteAsync(Once(match), Query("includefield=all"));

        Assert.Equal("[{\"00101040\":{\"vr\":\"LO\",\"Value\":[\"kept\"]}}]", json);
    }

    [Fact]
    public async Task WriteAsync_LimitLoweredByTheGateway_SaysMoreEvenWhenAllFit()
    {
        QidoQuery query = Query(string.Empty, new QidoQueryOptions { MaxLimit = 10 });

        (_, QidoResponseSummary summary) = await WriteAsync(new CountingMatches(3), query);

        Assert.Equal(new QidoResponseSummary(3, MoreAvailable: true), summary);
    }

    private static QidoQuery Query(string queryString, QidoQueryOptions? options = null)
    {
        Assert.True(QidoQueryParser.TryParse(QidoResource.Studies(), QidoQueryParser.ParseQueryString(queryString), out QidoQuery? query, out _, options));
        return query;
    }

    private static async Task<(string Json, QidoResponseSummary Summary)> WriteAsync(IAsyncEnumerable<DicomDataset> matches, QidoQuery query, Func<DicomDataset, string?>? url = null)
    {
        using var output = new MemoryStream();
        QidoResponseSummary summary;
        await using (var writer = new Utf8JsonWriter(output, DicomWebJsonWriter.JsonOptions))
        {
            summary = await QidoResponseWriter.WriteAsync(writer, matches, query, url);
        }

        return (Encoding.UTF8.GetString(output.ToArray()), summary);
    }

    private static List<string?> Studies(string json) =>
        [.. JsonDocument.Parse(json).RootElement.EnumerateArray().Select(e => e.GetProperty("0020000D").GetProperty("Value")[0].GetString())];

    private static async IAsyncEnumerable<DicomDataset> Once(DicomDataset match)
    {
        await Task.Yield();
        yield return match;
    }

    /// <summary>Matches 1.2.0, 1.2.1 ...; counts how many were pulled and whether the enumeration was ended (C-CANCEL).</summary>
    private sealed class CountingMatches(int count) : IAsyncEnumerable<DicomDataset>
    {
        public int Yielded { get; private set; }

        public bool Disposed { get; private set; }

        public async IAsyncEnumerator<DicomDataset> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            try
            {
                for (int i = 0; i < count; i++)
                {
                    await Task.Yield();
                    Yielded++;
                    yield return new DicomDataset()
                        .SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, "STUDY")
                        .SetString(DicomTags.StudyInstanceUID, DicomVR.UI, $"1.2.{i}");
                }
            }
            finally
            {
                Disposed = true;
            }
        }
    }
}
