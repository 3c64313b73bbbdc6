namespace Gateway.Host.Backup;

/// <summary>One snapshot in the repository as read from its signed manifest (no PHI: ids, sizes, times, key ids).</summary>
/// <remarks>When <see cref="Problem"/> is set the manifest could not be read or verified, and only <see cref="Id"/>,
/// <see cref="CreatedUtc"/> and <see cref="Age"/> (both from the id) are meaningful.</remarks>
public sealed record BackupSnapshotInfo
{
    /// <summary>The snapshot id (<c>yyyyMMddTHHmmssZ-xxxxxxxx</c>).</summary>
    public required string Id { get; init; }

    /// <summary>When it was taken, UTC.</summary>
    public required DateTimeOffset CreatedUtc { get; init; }

    /// <summary>Its age now.</summary>
    public required TimeSpan Age { get; init; }

    /// <summary>Bytes of every file it holds.</summary>
    public long TotalBytes { get; init; }

    /// <summary>Files it holds.</summary>
    public int FileCount { get; init; }

    /// <summary>Kept at least until then (signed; it cannot be shortened); null when unverified.</summary>
    public DateTimeOffset? RetainUntilUtc { get; init; }

    /// <summary>True when its manifest, signature and directory carry the immutable attribute (else read-only only).</summary>
    public bool Immutable { get; init; }

    /// <summary>The name of the key whose signature verified; null when unverified.</summary>
    public string? SignedBy { get; init; }

    /// <summary>That key's id (8 hex digits); null when unverified.</summary>
    public string? SignedByKeyId { get; init; }

    /// <summary>True when the key was pinned (the data directory's or the configured escrowed one), not taken from the repository itself.</summary>
    public bool KeyPinned { get; init; }

    /// <summary>Archive objects that changed since the previous snapshot (objects are write-once: a ransomware tripwire).</summary>
    public int ChangedObjects { get; init; }

    /// <summary>Why the manifest could not be read or verified; null when it verified.</summary>
    public string? Problem { get; init; }

    /// <summary>True when the manifest's signature and Merkle root verified.</summary>
    public bool Verified => Problem is null;
}
