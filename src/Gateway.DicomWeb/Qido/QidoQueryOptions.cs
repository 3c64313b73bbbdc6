namespace Gateway.DicomWeb.Qido;

/// <summary>Limits and defaults of QIDO-RS query parsing.</summary>
public sealed record QidoQueryOptions
{
    /// <summary>The defaults.</summary>
    public static QidoQueryOptions Default { get; } = new();

    /// <summary>Most results one request returns: a larger or absent limit is lowered to this (PS3.18 8.3.4.4). Default 1,000.</summary>
    public int MaxLimit { get; init; } = 1000;

    /// <summary>Largest offset accepted. Default 100,000.</summary>
    public int MaxOffset { get; init; } = 100_000;

    /// <summary>Most query parameters. Default 64.</summary>
    public int MaxParameters { get; init; } = 64;

    /// <summary>Longest parameter value in characters. Default 1,024.</summary>
    public int MaxValueLength { get; init; } = 1024;

    /// <summary>Deepest sequence path ("A.B.C" is 2 sequences). Default 2.</summary>
    public int MaxSequenceDepth { get; init; } = 2;
}
