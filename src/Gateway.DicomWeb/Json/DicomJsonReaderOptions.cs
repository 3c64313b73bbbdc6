namespace Gateway.DicomWeb.Json;

/// <summary>Limits for reading DICOM JSON. The defaults are safe for hostile input; each is checked before memory is committed.</summary>
public sealed record DicomJsonReaderOptions
{
    /// <summary>The default limits.</summary>
    public static DicomJsonReaderOptions Default { get; } = new();

    /// <summary>Deepest nesting of sequences (a sequence in an item of a sequence is depth 2). Default 64, as the DICOM reader.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Largest document in bytes, counted as they arrive. Default 64 MiB.</summary>
    public long MaxDocumentBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Largest single JSON token (a string, a number, an InlineBinary value), which is held whole in memory. Default 16 MiB.</summary>
    public int MaxTokenBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Most attributes, values and sequence items in one document, counting nested ones. Default 1,000,000.</summary>
    public long MaxElements { get; init; } = 1_000_000;

    /// <summary>Most data sets in a top-level array (a QIDO-RS or metadata response). Default 100,000.</summary>
    public int MaxDatasets { get; init; } = 100_000;
}
