using Gateway.Audit.Checkpoints;

namespace Gateway.Backup;

/// <summary>What to restore, where, and the keys that let the restored objects be checked.</summary>
public sealed record RestoreRequest
{
    /// <summary>The snapshot id.</summary>
    public required string SnapshotId { get; init; }

    /// <summary>The key the snapshot's signature must verify with (the escrowed <c>signing.pub</c>).</summary>
    public required NoteVerifier Verifier { get; init; }

    /// <summary>The directory to restore into: missing or empty.</summary>
    public required string Target { get; init; }

    /// <summary>
    /// The escrowed archive key files (<c>kek-N.key</c>, <c>index.key</c>); copied into <c>TARGET/keys</c> (0600). Without
    /// it, the keys come from <see cref="KekSecret"/> and <see cref="IndexKeySecret"/>.
    /// </summary>
    public string? KeyDirectory { get; init; }

    /// <summary>The key-encryption keys as a secret (<c>GATEWAY_ARCHIVE_KEK</c>), when not in files.</summary>
    public string? KekSecret { get; init; }

    /// <summary>The index key as a secret (<c>GATEWAY_ARCHIVE_INDEX_KEY</c>), when not in files.</summary>
    public string? IndexKeySecret { get; init; }
}
