using Gateway.Audit.Checkpoints;

namespace Gateway.Backup;

/// <summary>One study to bring back from a snapshot into a running archive.</summary>
public sealed record StudyRestoreRequest
{
    /// <summary>The snapshot id.</summary>
    public required string SnapshotId { get; init; }

    /// <summary>The key the snapshot's signature must verify with.</summary>
    public required NoteVerifier Verifier { get; init; }

    /// <summary>The Study Instance UID.</summary>
    public required string StudyInstanceUid { get; init; }

    /// <summary>Where the snapshot's index and the study's objects are staged (a fresh subdirectory, removed afterwards).</summary>
    public required string ScratchDirectory { get; init; }

    /// <summary>The archive key files (the live archive's <c>keys/</c>: a study restores only under the same keys).</summary>
    public string? KeyDirectory { get; init; }

    /// <summary>The key-encryption keys as a secret, when not in files.</summary>
    public string? KekSecret { get; init; }

    /// <summary>The index key as a secret, when not in files.</summary>
    public string? IndexKeySecret { get; init; }

    /// <summary>Who restores (audit source).</summary>
    public required string SourceId { get; init; }

    /// <summary>The person who asked for the restore (the audit record's requestor); none from the command line.</summary>
    public string? RequestedBy { get; init; }
}
