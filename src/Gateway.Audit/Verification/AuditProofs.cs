using Gateway.Audit.Merkle;
using Gateway.Audit.Storage;

namespace Gateway.Audit.Verification;

/// <summary>Inclusion and consistency proofs (RFC 9162) over a log directory, each checked before it is returned.</summary>
public static class AuditProofs
{
    /// <summary>The inclusion proof of record <paramref name="index"/> in the tree of <paramref name="treeSize"/> records (default: the record count).</summary>
    /// <exception cref="AuditLogException">The log cannot be read, or the index or size is out of range.</exception>
    public static InclusionProof Inclusion(string directory, long index, long? treeSize = null)
    {
        var reader = new AuditLogReader(new AuditLogPaths(directory));
        long size = treeSize ?? CountRecords(reader);
        if (index < 0 || index >= size)
        {
            throw new AuditLogException($"record {index} is not in a tree of {size} records");
        }

        var tree = new MerkleTree(reader.LeafHashes(size));
        byte[] leafHash = tree.LeafHash(index);
        byte[] root = tree.Root(size);
        IReadOnlyList<byte[]> proof = tree.InclusionProof(index, size);
        bool verified = MerkleProofs.VerifyInclusion(index, size, leafHash, proof, root);
        return new InclusionProof(index, size, leafHash, root, proof, verified);
    }

    /// <summary>The consistency proof from the tree of <paramref name="fromSize"/> records to the tree of <paramref name="toSize"/>.</summary>
    /// <exception cref="AuditLogException">The log cannot be read, or the sizes are out of range.</exception>
    public static ConsistencyProof Consistency(string directory, long fromSize, long toSize)
    {
        var reader = new AuditLogReader(new AuditLogPaths(directory));
        if (fromSize < 0 || toSize < fromSize)
        {
            throw new AuditLogException($"no consistency proof from size {fromSize} to size {toSize}: sizes must satisfy 0 <= from <= to");
        }

        var tree = new MerkleTree(reader.LeafHashes(toSize));
        byte[] fromRoot = tree.Root(fromSize);
        byte[] toRoot = tree.Root(toSize);
        IReadOnlyList<byte[]> proof = tree.ConsistencyProof(fromSize, toSize);
        bool verified = MerkleProofs.VerifyConsistency(fromSize, toSize, proof, fromRoot, toRoot);
        return new ConsistencyProof(fromSize, toSize, fromRoot, toRoot, proof, verified);
    }

    /// <summary>The latest checkpoint of the log in <paramref name="directory"/>, if it verifies with <paramref name="verifier"/>; null when there is none.</summary>
    /// <exception cref="AuditLogException">The latest checkpoint does not verify.</exception>
    public static Checkpoints.Checkpoint? LatestCheckpoint(string directory, Checkpoints.NoteVerifier verifier)
    {
        var reader = new AuditLogReader(new AuditLogPaths(directory));
        return reader.ReadCheckpointNotes().Count == 0 ? null : reader.LatestCheckpoint(verifier);
    }

    private static long CountRecords(AuditLogReader reader)
    {
        long count = 0;
        foreach (var _ in reader.ReadLeaves())
        {
            count++;
        }

        return count;
    }
}
