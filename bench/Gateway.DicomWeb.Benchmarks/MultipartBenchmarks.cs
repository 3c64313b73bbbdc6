using BenchmarkDotNet.Attributes;
using Gateway.Dicom.Benchmarks;
using Gateway.DicomWeb.Multipart;

namespace Gateway.DicomWeb.Benchmarks;

/// <summary>
/// A STOW-RS body of 20 copies of the 0.5 MB CT (10.5 MB) through <see cref="MultipartReader"/> to <see cref="Stream.Null"/>,
/// and the same body written by <see cref="MultipartWriter"/>.
/// </summary>
[Config(typeof(BenchConfig))]
public class MultipartBenchmarks
{
    private const int Parts = 20;
    private byte[] _body = [];
    private string _contentType = string.Empty;

    /// <summary>Bytes of the body (for MB/s: divide by the mean).</summary>
    public static long BodyBytes { get; private set; }

    /// <summary>Builds the body.</summary>
    [GlobalSetup]
    public void Setup()
    {
        using var body = new MemoryStream();
        var writer = new MultipartWriter(body, "application/dicom");
        for (int i = 0; i < Parts; i++)
        {
            writer.WritePartAsync("application/dicom", CtImage.File).AsTask().GetAwaiter().GetResult();
        }

        writer.CompleteAsync().AsTask().GetAwaiter().GetResult();
        _body = body.ToArray();
        _contentType = writer.ContentType.ToString();
        BodyBytes = _body.Length;
    }

    /// <summary>Reads every part and copies its body to <see cref="Stream.Null"/>, as a STOW-RS handler streams each instance to the archive.</summary>
    [Benchmark]
    public async Task<int> ReadStowBody()
    {
        MultipartReader reader = MultipartReader.Create(new MemoryStream(_body, writable: false), _contentType);
        int parts = 0;
        while (await reader.ReadNextPartAsync() is { } part)
        {
            await part.Body.CopyToAsync(Stream.Null);
            parts++;
        }

        return parts;
    }

    /// <summary>Writes the 20 parts to <see cref="Stream.Null"/>, as a WADO-RS study response.</summary>
    [Benchmark]
    public async Task<int> WriteWadoBody()
    {
        var writer = new MultipartWriter(Stream.Null, "application/dicom");
        for (int i = 0; i < Parts; i++)
        {
            await writer.WritePartAsync("application/dicom; transfer-syntax=1.2.840.10008.1.2.1", CtImage.File);
        }

        await writer.CompleteAsync();
        return writer.PartCount;
    }
}
