namespace Gateway.Backup.Manifest;

/// <summary>What a snapshot holds: every file with its hash and size, the Merkle root over them, and its retention date.</summary>
/// <remarks>Serialised by <see cref="ManifestSerializer"/>; signed by a note over its hash, root and retention (<see cref="SnapshotSignature"/>).</remarks>
public sealed record SnapshotManifest
{
    /// <summary>The format identifier written in every manifest.</summary>
    public const string FormatName = "gateway-backup-manifest/1";

    /// <summary>The snapshot id: UTC creation time and a random suffix (<c>20261128T150102Z-1a2b3c4d</c>), ordered by time.</summary>
    public required string Id { get; init; }

    /// <summary>When the snapshot was taken (its point in time: the index copy is from this moment).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>No command deletes the snapshot before this date; it is signed and can never be shortened.</summary>
    public required DateTimeOffset RetainUntil { get; init; }

    /// <summary>The host that took the snapshot.</summary>
    public required string Host { get; init; }

    /// <summary>The files, in ordinal order of <see cref="ManifestEntry.Path"/>, each path once.</summary>
    public required IReadOnlyList<ManifestEntry> Files { get; init; }

    /// <summary>RFC 9162 Merkle tree hash over the files (<see cref="ManifestMerkle"/>), lowercase hex.</summary>
    public required string MerkleRoot { get; init; }

    /// <summary>
    /// Archive objects whose bytes differ from the previous snapshot's. Objects are written once and never rewritten, so
    /// any entry here means tampering (for example ransomware) and was raised as a Security Alert.
    /// </summary>
    public IReadOnlyList<string> ChangedObjects { get; init; } = [];

    /// <summary>The sum of the files' sizes.</summary>
    public long TotalBytes => Files.Sum(f => f.Size);
}
