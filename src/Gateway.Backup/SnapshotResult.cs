using Gateway.Backup.Manifest;

namespace Gateway.Backup;

/// <summary>A snapshot taken.</summary>
public sealed record SnapshotResult
{
    /// <summary>Its manifest (id, files, root, retention, changed objects).</summary>
    public required SnapshotManifest Manifest { get; init; }

    /// <summary>Files whose bytes were read (new or changed since the previous snapshot).</summary>
    public required int FilesRead { get; init; }

    /// <summary>Blobs written (content the repository did not hold).</summary>
    public required int NewBlobs { get; init; }

    /// <summary>Bytes of those blobs.</summary>
    public required long NewBytes { get; init; }

    /// <summary>True when the manifest and its directory carry the immutable attribute (else they are read-only only).</summary>
    public required bool Immutable { get; init; }

    /// <summary>How long it took.</summary>
    public required TimeSpan Elapsed { get; init; }
}
