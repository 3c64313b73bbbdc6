namespace Gateway.Audit.Storage;

/// <summary>
/// The Merkle tree saved at a signed checkpoint's size, so that opening the log reads only the records after it: the
/// frontier nodes, the last record's leaf hash (the chain head) with its inclusion proof, where that checkpoint's note is
/// in the checkpoint file, and where the last record is.
/// </summary>
/// <param name="Size">The tree size: a signed checkpoint's size.</param>
/// <param name="CheckpointOffset">The offset of that checkpoint's frame in <c>checkpoints.log</c>.</param>
/// <param name="SegmentFirstIndex">The segment (by first index) that holds record <c>Size - 1</c>.</param>
/// <param name="RecordOffset">The offset of that record's frame in the segment.</param>
/// <param name="RecordLength">The length of that frame.</param>
/// <param name="LastLeafHash">That record's leaf hash.</param>
/// <param name="Nodes">The frontier nodes, largest subtree first.</param>
/// <param name="LastLeafProof">The RFC 9162 inclusion proof of record <c>Size - 1</c> in the tree of <c>Size</c> records.</param>
internal sealed record Frontier(
    long Size,
    long CheckpointOffset,
    long SegmentFirstIndex,
    long RecordOffset,
    int RecordLength,
    byte[] LastLeafHash,
    IReadOnlyList<byte[]> Nodes,
    IReadOnlyList<byte[]> LastLeafProof);
