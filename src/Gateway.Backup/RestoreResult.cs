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

    /// <summary>Of <see cref="Elapsed"/>: copying the files out of the repository, each hashed against the manifest.</summary>
    public TimeSpan CopyElapsed { get; init; }

    /// <summary>Making the restored files durable (syncfs of the target's file system), alongside <see cref="ObjectVerifyElapsed"/>.</summary>
    public TimeSpan SyncElapsed { get; init; }

    /// <summary>Reading every archive object back and checking its GCM tags, alongside <see cref="SyncElapsed"/>.</summary>
    public TimeSpan ObjectVerifyElapsed { get; init; }

    /// <summary>Of <see cref="Elapsed"/>: verifying the audit log (chain, roots, checkpoint signatures).</summary>
    public TimeSpan AuditVerifyElapsed { get; init; }
}
