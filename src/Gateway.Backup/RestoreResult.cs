using Gateway.Backup.Manifest;

namespace Gateway.Backup;

/// <summary>A restore that checked out: every file against the manifest, every object's GCM tags, the audit chain.</summary>
public sealed record RestoreResult
{
    /// <summary>The snapshot restored.</summary>
    public required SnapshotManifest Manifest { get; init; }

    /// <summary>Where it was restored.</summary>
    public required string Target { get; init; }

    /// <summary>Archive objects read to their end and verified (AES-GCM tag of every chunk).</summary>
    public required long ObjectsVerified { get; init; }

    /// <summary>Audit records whose hash chain, Merkle roots and checkpoint signatures verified.</summary>
    public required long AuditRecords { get; init; }

    /// <summary>How long it took.</summary>
    public required TimeSpan Elapsed { get; init; }
}
