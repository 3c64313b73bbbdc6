using Gateway.Audit.Checkpoints;

namespace Gateway.Backup.Drill;

/// <summary>What a restore drill restores, where, what it samples, and the targets it is measured against.</summary>
public sealed record DrillOptions
{
    /// <summary>The gateway's data directory: its <c>backup/signing.key</c> signs the report.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The snapshot to restore; the latest when null.</summary>
    public string? SnapshotId { get; init; }

    /// <summary>The key the snapshot's signature must verify with.</summary>
    public required NoteVerifier Verifier { get; init; }

    /// <summary>Where the isolated scratch copy goes (a fresh subdirectory, removed afterwards).</summary>
    public required string ScratchDirectory { get; init; }

    /// <summary>The escrowed archive key files; else <see cref="KekSecret"/> and <see cref="IndexKeySecret"/>.</summary>
    public string? KeyDirectory { get; init; }

    /// <summary>The key-encryption keys as a secret.</summary>
    public string? KekSecret { get; init; }

    /// <summary>The index key as a secret.</summary>
    public string? IndexKeySecret { get; init; }

    /// <summary>How many studies to query and retrieve (chosen at random). Default 5.</summary>
    public int SampleSize { get; init; } = 5;

    /// <summary>The recovery time objective: restore start to serving. Default 1 hour.</summary>
    public TimeSpan RtoTarget { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The recovery point objective: the snapshot's age at the drill. Default 24 hours.</summary>
    public TimeSpan RpoTarget { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Who runs the drill (audit source).</summary>
    public required string SourceId { get; init; }

    /// <summary>The person who asked for the drill (the audit record's requestor); none for a scheduled or command-line drill.</summary>
    public string? RequestedBy { get; init; }
}
