namespace Gateway.Archive;

/// <summary>What opening the archive found and repaired (crash recovery).</summary>
public sealed record ArchiveOpenReport
{
    /// <summary>True when the archive (index and keys) was created by this open.</summary>
    public bool Created { get; init; }

    /// <summary>Partly written objects removed from <c>archive/tmp</c>.</summary>
    public int TempFilesRemoved { get; init; }

    /// <summary>Complete object files that no index row referenced (a crash between the file and the commit), removed.</summary>
    public int OrphanObjectsRemoved { get; init; }

    /// <summary>Index rows whose object file is missing (the files were lost or removed by hand): these instances cannot be read.</summary>
    public IReadOnlyList<string> MissingObjects { get; init; } = [];

    /// <summary>Outbox leases of a previous run released back to pending.</summary>
    public int LeasesReleased { get; init; }

    /// <summary>Key-encryption key files of versions no row uses any more (a rotation interrupted before its last step), removed.</summary>
    public IReadOnlyList<int> RetiredKeyVersions { get; init; } = [];

    /// <summary>Key versions that rows still use but that are not available: those objects cannot be read.</summary>
    public IReadOnlyList<int> MissingKeyVersions { get; init; } = [];

    /// <summary>Files in the archive's directories that it did not write, left alone.</summary>
    public int UnknownFiles { get; init; }

    /// <summary>True when recovery changed anything.</summary>
    public bool RepairedAnything => TempFilesRemoved > 0 || OrphanObjectsRemoved > 0 || LeasesReleased > 0 || RetiredKeyVersions.Count > 0;
}
