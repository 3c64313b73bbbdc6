namespace Gateway.Dicom;

/// <summary>Limits and leniency for reading DICOM streams. The defaults are safe for hostile input.</summary>
/// <remarks>
/// Every limit is checked before memory is committed: a declared length never sizes a buffer on its own.
/// Streaming copies (<see cref="IO.DicomStreamReader.CopyValueToAsync(Stream, CancellationToken)"/>) are not bound by
/// <see cref="MaxValueLength"/>; values held in memory are.
/// </remarks>
public sealed record DicomReaderOptions
{
    /// <summary>The default limits.</summary>
    public static DicomReaderOptions Default { get; } = new();

    /// <summary>Deepest nesting of sequences (a sequence in an item in a sequence is depth 2). Default 64.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Longest single value held in memory. Default 512 MiB.</summary>
    public long MaxValueLength { get; init; } = 512L * 1024 * 1024;

    /// <summary>Most items in one sequence. Default 1,000,000.</summary>
    public int MaxItemsPerSequence { get; init; } = 1_000_000;

    /// <summary>Most fragments of encapsulated pixel data (one frame may be one fragment). Default 10,000,000.</summary>
    public int MaxFragments { get; init; } = 10_000_000;

    /// <summary>Most data elements and sequence items in one stream, counting nested ones. Default 10,000,000.</summary>
    public long MaxElements { get; init; } = 10_000_000;

    /// <summary>Most value bytes a data set may hold in memory in total. Default 1 GiB.</summary>
    public long MaxTotalValueBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>
    /// Accept odd value lengths (PS3.5 7.1.1 requires even ones). Default true, as DCMTK and Orthanc read them: old
    /// devices write them, and refusing their instances would lose images for a fault that harms nothing (every limit
    /// still applies; a writer pads the value to an even length). False reports an odd value length as
    /// <see cref="DicomFormatError.OddLength"/>. An odd item length is refused either way: it breaks the structure.
    /// </summary>
    public bool AllowOddLengths { get; init; } = true;
}
