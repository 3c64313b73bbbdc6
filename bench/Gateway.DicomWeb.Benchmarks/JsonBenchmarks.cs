using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Gateway.Dicom.Benchmarks;
using Gateway.Dicom.IO;
using Gateway.DicomWeb.Json;
using Gateway.DicomWeb.Qido;

namespace Gateway.DicomWeb.Benchmarks;

/// <summary>WADO-RS metadata of the CT (streamed from the file, pixel data as BulkDataURI), reading it back, and a QIDO-RS query parse.</summary>
[Config(typeof(BenchConfig))]
public class JsonBenchmarks
{
    private static readonly DicomWebJsonWriterOptions Options = new() { BulkDataUri = b => "https://gw/dicom-web/studies/1/series/2/instances/3/bulk/" + b.Path };
    private static readonly IReadOnlyList<KeyValuePair<string, string?>> Query =
        QidoQueryParser.ParseQueryString("PatientName=Doe*&StudyDate=20240101-20241231&ModalitiesInStudy=CT&includefield=StudyDescription&limit=100&offset=0");

    private byte[] _metadata = [];

    /// <summary>Writes the metadata once, for the read benchmark.</summary>
    [GlobalSetup]
    public void Setup() => _metadata = MetadataAsync().GetAwaiter().GetResult();

    /// <summary>Metadata JSON from the Part 10 bytes, token by token; the 512 KiB of pixel data are skipped, not read.</summary>
    [Benchmark]
    public async Task<int> WriteMetadataFromStream() => (await MetadataAsync()).Length;

    /// <summary>The metadata JSON read back into a data set.</summary>
    [Benchmark]
    public int ReadMetadata() => DicomJsonReader.Parse(_metadata).Count;

    /// <summary>A QIDO-RS study query into a C-FIND identifier.</summary>
    [Benchmark]
    public int ParseQidoQuery() => QidoQueryParser.TryParse(QidoResource.Studies(), Query, out QidoQuery? query, out _) ? query.Identifier.Count : -1;

    private static async Task<byte[]> MetadataAsync()
    {
        await using DicomFileReader reader = await DicomFileReader.OpenAsync(new MemoryStream(CtImage.File, writable: false));
        using var output = new MemoryStream(8192);
        await using (var writer = new Utf8JsonWriter(output, DicomWebJsonWriter.JsonOptions))
        {
            await DicomWebJsonWriter.WriteAsync(writer, reader.Reader, Options);
        }

        return output.ToArray();
    }
}
