namespace Gateway.Archive.Keys;

/// <summary>The archive's keys: where they come from, every version in use or at hand, and the index key.</summary>
public sealed record ArchiveKeyStatus
{
    /// <summary>"files" (key files in <see cref="KeyDirectory"/>) or "secret" (<see cref="ArchiveOptions.KekEnvironmentVariable"/>).</summary>
    public required string Source { get; init; }

    /// <summary>The key directory.</summary>
    public required string KeyDirectory { get; init; }

    /// <summary>The highest available version: the one new data keys are wrapped under.</summary>
    public required int CurrentVersion { get; init; }

    /// <summary>Every version that is available or in use, ascending.</summary>
    public required IReadOnlyList<KeyVersionStatus> Versions { get; init; }

    /// <summary>True when the index key is at hand.</summary>
    public required bool IndexKeyAvailable { get; init; }

    /// <summary>Permission bits of the key directory, when it exists (0700 expected).</summary>
    public UnixFileMode? DirectoryMode { get; init; }

    /// <summary>True when rows use a version that is not available (those objects cannot be read).</summary>
    public bool HasMissingKeys => Versions.Any(v => v.InUse && !v.Available);
}
