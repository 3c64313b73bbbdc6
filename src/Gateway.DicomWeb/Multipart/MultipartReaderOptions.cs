namespace Gateway.DicomWeb.Multipart;

/// <summary>Limits of <see cref="MultipartReader"/>. The defaults are safe for hostile input; each is checked before the bytes are accepted.</summary>
public sealed record MultipartReaderOptions
{
    /// <summary>The default limits.</summary>
    public static MultipartReaderOptions Default { get; } = new();

    /// <summary>Most parts in one body. Default 10,000.</summary>
    public int MaxParts { get; init; } = 10_000;

    /// <summary>Largest part body in bytes. Default 4 GiB.</summary>
    public long MaxPartBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Largest body in bytes, everything counted. Default 16 GiB.</summary>
    public long MaxBodyBytes { get; init; } = 16L * 1024 * 1024 * 1024;

    /// <summary>Largest header block of one part (its boundary line's padding included). Default 16 KiB.</summary>
    public int MaxHeaderBytes { get; init; } = 16 * 1024;

    /// <summary>Most header lines in one part. Default 32.</summary>
    public int MaxHeaderLines { get; init; } = 32;

    /// <summary>Largest preamble before the first boundary. Default 16 KiB.</summary>
    public int MaxPreambleBytes { get; init; } = 16 * 1024;

    /// <summary>
    /// The media types a part may have ("application/dicom"), compared without parameters. Null (the default): the
    /// body's "type" parameter when it has one, else any media type.
    /// </summary>
    public IReadOnlyCollection<string>? AcceptedPartTypes { get; init; }
}
