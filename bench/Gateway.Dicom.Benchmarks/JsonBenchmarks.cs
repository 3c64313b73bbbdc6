using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Gateway.Dicom.IO;
using Gateway.Dicom.Json;
using Gateway.Dicom.Model;

namespace Gateway.Dicom.Benchmarks;

/// <summary>DICOM JSON (PS3.18 Annex F) of the CT header: the data set without its pixel data (50 attributes).</summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class JsonBenchmarks
{
    private DicomDataset _header = new();
    private ArrayBufferWriter<byte> _buffer = new();

    /// <summary>Loads the CT and removes the pixel data.</summary>
    [GlobalSetup]
    public void Setup()
    {
        using var file = DicomFileReader.OpenAsync(new MemoryStream(CtImage.File, writable: false)).AsTask().GetAwaiter().GetResult();
        _header = file.ReadDatasetAsync().AsTask().GetAwaiter().GetResult();
        _header.Remove(DicomTags.PixelData);
        _buffer = new ArrayBufferWriter<byte>(64 * 1024);
    }

    /// <summary><see cref="DicomJsonWriter.Serialize"/> to an indented string, as <c>gatewayctl dicom json</c> does.</summary>
    [Benchmark]
    public string SerializeIndented() => DicomJsonWriter.Serialize(_header);

    /// <summary><see cref="DicomJsonWriter.Write"/> compact into a reused UTF-8 buffer (the writer's own cost).</summary>
    [Benchmark]
    public int WriteUtf8Compact()
    {
        _buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_buffer))
        {
            DicomJsonWriter.Write(writer, _header);
        }

        return _buffer.WrittenCount;
    }
}
