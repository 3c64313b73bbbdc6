namespace Gateway.Policy.Loading;

/// <summary>
/// Limits checked before anything is allocated for a policy: a hostile or broken file is refused with an error
/// instead of exhausting memory or time.
/// </summary>
public sealed record PolicyLoadLimits
{
    /// <summary>The defaults: generous for a real site, small enough that a hostile file cannot hurt.</summary>
    public static PolicyLoadLimits Default { get; } = new();

    /// <summary>The largest policy file in bytes (default 4 MiB).</summary>
    public long MaxFileBytes { get; init; } = 4L << 20;

    /// <summary>The most policy files in one directory (default 256).</summary>
    public int MaxFiles { get; init; } = 256;

    /// <summary>The largest total of all files in bytes (default 32 MiB).</summary>
    public long MaxTotalBytes { get; init; } = 32L << 20;

    /// <summary>The deepest nesting of mappings and sequences (default 16; the language needs 6).</summary>
    public int MaxDepth { get; init; } = 16;

    /// <summary>The longest scalar in characters (default 4096).</summary>
    public int MaxScalarLength { get; init; } = 4096;

    /// <summary>The most YAML nodes in one file (default 1,000,000).</summary>
    public int MaxNodesPerFile { get; init; } = 1_000_000;

    /// <summary>The most errors reported; further ones are counted in one last error (default 500).</summary>
    public int MaxErrors { get; init; } = 500;
}
