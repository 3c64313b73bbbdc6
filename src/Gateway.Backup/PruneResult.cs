namespace Gateway.Backup;

/// <summary>What a prune deleted: snapshots past their retention, and the blobs no remaining snapshot names.</summary>
/// <param name="DeletedSnapshots">The ids of the deleted snapshots.</param>
/// <param name="DeletedBlobs">Blobs deleted.</param>
/// <param name="FreedBytes">Bytes those blobs held.</param>
public sealed record PruneResult(IReadOnlyList<string> DeletedSnapshots, long DeletedBlobs, long FreedBytes);
