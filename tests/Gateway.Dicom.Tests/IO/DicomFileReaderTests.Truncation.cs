using Gateway.Dicom.IO;
using Gateway.Dicom.Tests.Support;

namespace Gateway.Dicom.Tests.IO;

public sealed partial class DicomFileReaderTests
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(20);

    public static TheoryData<string> SeedFiles() =>
        [.. Directory.GetFiles(TestData.CorpusDirectory("seeds"), "*.dcm").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Seeds_Corpus_HoldsFilesOfEveryUncompressedSyntaxAnEncapsulatedOneAndABareDataset()
    {
        var syntaxes = new HashSet<string>(StringComparer.Ordinal);
        bool bare = false;
        foreach (string seed in SeedFiles())
        {
            FileContent content = await TestData.ReadFileAsync(await File.ReadAllBytesAsync(Path.Combine(TestData.CorpusDirectory("seeds"), seed)));
            syntaxes.Add(content.Syntax.Uid.Value);
            bare |= content.Meta.Count == 0;
        }

        Assert.Superset(new HashSet<string>(TestData.Uncompressed.Select(ts => ts.Uid.Value), StringComparer.Ordinal), syntaxes);
        Assert.Contains(DicomTransferSyntax.JpegBaseline.Uid.Value, syntaxes);
        Assert.True(bare);
    }

    [Theory]
    [MemberData(nameof(SeedFiles))]
    public async Task ReadDatasetAsync_SeedTruncatedAtEveryOffset_ThrowsDicomFormatExceptionOrReadsTopLevelPrefix(string seed)
    {
        byte[] file = await File.ReadAllBytesAsync(Path.Combine(TestData.CorpusDirectory("seeds"), seed));
        FileContent full = await TestData.ReadFileAsync(file);
        HashSet<long> boundaries = await TopLevelBoundariesAsync(file);
        var failures = new List<string>();

        for (int cut = 0; cut < file.Length; cut++)
        {
            foreach (bool seekable in (bool[])[true, false])
            {
                FileContent content;
                try
                {
                    content = await ReadBoundedAsync(file[..cut], seekable);
                }
                catch (DicomFormatException ex)
                {
                    // Offsets count input bytes (inflated bytes past the meta of a deflated file).
                    long maxOffset = full.Syntax.IsDeflated ? long.MaxValue : cut;
                    if (ex.Offset < 0 || ex.Offset > maxOffset)
                    {
                        failures.Add($"cut {cut}: offset {ex.Offset} outside the input");
                    }

                    continue;
                }
                catch (Exception ex)
                {
                    failures.Add($"cut {cut} (seekable {seekable}): {ex.GetType().Name}: {ex.Message}");
                    continue;
                }

                // Deflated offsets count inflated bytes: only the prefix property can be checked there.
                if (!full.Syntax.IsDeflated && !boundaries.Contains(cut))
                {
                    failures.Add($"cut {cut} (seekable {seekable}): read {content.Dataset.Count} elements without error, but the cut is not between top-level elements");
                }

                if (!TestData.IsPrefix(full.Dataset, content.Dataset))
                {
                    failures.Add($"cut {cut} (seekable {seekable}): read {content.Dataset.Count} elements that are not a prefix of the file's");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(30)));
    }

    private static async Task<FileContent> ReadBoundedAsync(byte[] bytes, bool seekable, DicomReaderOptions? options = null) =>
        await Task.Run(() => TestData.ReadFileAsync(bytes, options, seekable)).WaitAsync(ReadTimeout);

    // The offsets between top-level data set elements, from the data set's start to its end.
    private static async Task<HashSet<long>> TopLevelBoundariesAsync(byte[] file)
    {
        await using DicomFileReader reader = await DicomFileReader.OpenAsync(new MemoryStream(file));
        var boundaries = new HashSet<long> { reader.DatasetOffset };
        while (await reader.Reader.ReadAsync())
        {
            if (reader.Reader.Depth == 0 && reader.Reader.TokenType is DicomTokenType.Element or DicomTokenType.SequenceStart or DicomTokenType.FragmentsStart)
            {
                boundaries.Add(reader.Reader.TokenOffset);
            }
        }

        boundaries.Add(reader.Reader.Position);
        return boundaries;
    }
}
