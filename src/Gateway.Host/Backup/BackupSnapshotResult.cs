namespace Gateway.Host.Backup;

/// <summary>A snapshot just taken.</summary>
public sealed record BackupSnapshotResult
{
    /// <summary>The snapshot, read back from the repository and verified.</summary>
    public required BackupSnapshotInfo Snapshot { get; init; }

    /// <summary>Files whose bytes were read (new or changed since the previous snapshot).</summary>
    public required int FilesRead { get; init; }

    /// <summary>Blobs the repository did not hold.</summary>
    public required int NewBlobs { get; init; }

    /// <summary>Bytes of those blobs.</summary>
    public required long NewBytes { get; init; }

    /// <summary>How long it took.</summary>
    public required TimeSpan Elapsed { get; init; }
}
