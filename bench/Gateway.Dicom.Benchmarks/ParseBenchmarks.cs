using BenchmarkDotNet.Attributes;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;

namespace Gateway.Dicom.Benchmarks;

/// <summary>Parsing one 0.5 MB CT (explicit VR LE, 512x512x16-bit) from memory.</summary>
[Config(typeof(ThroughputConfig))]
[MemoryDiagnoser]
public class ParseBenchmarks
{
    private byte[] _file = [];

    /// <summary>Builds the CT in memory.</summary>
    [GlobalSetup]
    public void Setup() => _file = CtImage.File;

    /// <summary>
    /// Header parse: open the Part 10 file (preamble + File Meta Information) and stream every token of the data set,
    /// reading no value and stopping on the Pixel Data header (its value is never touched). Seekable MemoryStream.
    /// </summary>
    [Benchmark]
    public async Task<int> HeaderTokens()
    {
        await using DicomFileReader file = await DicomFileReader.OpenAsync(new MemoryStream(_file, writable: false));
        DicomStreamReader reader = file.Reader;
        int tokens = 0;
        while (await reader.ReadAsync())
        {
            tokens++;
            if (reader.Tag == DicomTags.PixelData && reader.Depth == 0)
            {
                break;
            }
        }

        return tokens;
    }

    /// <summary>
    /// All tokens to the end of the stream, values unread: the pixel value is skipped by the reader. On a
    /// non-seekable stream (network-like) the 512 KiB pixel value has to be read through the reader's buffer.
    /// </summary>
    [Benchmark]
    [Arguments(true)]
    [Arguments(false)]
    public async Task<int> AllTokensSkipPixels(bool seekable)
    {
        Stream input = new MemoryStream(_file, writable: false);
        if (!seekable)
        {
            input = new NonSeekableStream(input);
        }

        await using DicomFileReader file = await DicomFileReader.OpenAsync(input);
        DicomStreamReader reader = file.Reader;
        int tokens = 0;
        while (await reader.ReadAsync())
        {
            tokens++;
        }

        return tokens;
    }

    /// <summary>Full in-memory load: every value, pixel data included, into a <see cref="DicomDataset"/>.</summary>
    [Benchmark]
    public async Task<DicomDataset> LoadDataset()
    {
        await using DicomFileReader file = await DicomFileReader.OpenAsync(new MemoryStream(_file, writable: false));
        return await file.ReadDatasetAsync();
    }
}
