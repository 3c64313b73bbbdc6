namespace Gateway.Audit.Merkle;

/// <summary>
/// An in-memory Merkle tree over a fixed list of leaf hashes, keeping every perfect aligned subtree so that roots and
/// proofs for any size up to <see cref="Size"/> cost O(log² n) hashes. Built in O(n); memory about 64 bytes a leaf.
/// </summary>
public sealed class MerkleTree
{
    // _levels[h] holds the hashes of the perfect subtrees of 2^h leaves aligned at multiples of 2^h, 32 bytes each.
    private readonly List<byte[]> _levels = [];

    /// <summary>Builds the tree over <paramref name="leafHashes"/> (32 bytes each, concatenated).</summary>
    public MerkleTree(byte[] leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        if (leafHashes.Length % MerkleHasher.HashSize != 0)
        {
            throw new ArgumentException("leaf hashes are 32 bytes each", nameof(leafHashes));
        }

        Size = leafHashes.Length / MerkleHasher.HashSize;
        _levels.Add(leafHashes);
        byte[] below = leafHashes;
        for (long count = Size / 2; count > 0; count /= 2)
        {
            byte[] level = new byte[count * MerkleHasher.HashSize];
            for (long i = 0; i < count; i++)
            {
                MerkleHasher.HashChildren(
                    below.AsSpan((int)(2 * i * MerkleHasher.HashSize), MerkleHasher.HashSize),
                    below.AsSpan((int)((2 * i + 1) * MerkleHasher.HashSize), MerkleHasher.HashSize),
                    level.AsSpan((int)(i * MerkleHasher.HashSize), MerkleHasher.HashSize));
            }

            _levels.Add(level);
            below = level;
        }
    }

    /// <summary>The number of leaves.</summary>
    public long Size { get; }

    /// <summary>The hash of leaf <paramref name="index"/>.</summary>
    public byte[] LeafHash(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Size);
        return Node(0, index);
    }

    /// <summary>MTH(D[0:size]).</summary>
    public byte[] Root(long size)
    {
        CheckSize(size);
        return size == 0 ? MerkleHasher.EmptyRoot() : MerklePaths.Subtree(Node, 0, size);
    }

    /// <summary>The inclusion proof PATH(index, D[0:size]) of RFC 9162 2.1.3.1.</summary>
    public IReadOnlyList<byte[]> InclusionProof(long index, long size)
    {
        CheckSize(size);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        return MerklePaths.Inclusion(Node, index, size);
    }

    /// <summary>The consistency proof PROOF(size1, D[0:size2]) of RFC 9162 2.1.4.1 (empty when size1 is 0 or equals size2).</summary>
    public IReadOnlyList<byte[]> ConsistencyProof(long size1, long size2)
    {
        CheckSize(size2);
        ArgumentOutOfRangeException.ThrowIfNegative(size1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size1, size2);
        return size1 > 0 && size1 < size2 ? MerklePaths.Consistency(Node, size1, size2) : [];
    }

    /// <summary>The root of the perfect subtree of leaves [index·2^level, (index+1)·2^level), which must lie within the tree.</summary>
    internal byte[] Node(int level, long index)
    {
        if (level < 0 || level >= _levels.Count || index < 0 || (index + 1) * MerkleHasher.HashSize > _levels[level].Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), "no such perfect subtree in this tree");
        }

        return _levels[level].AsSpan((int)(index * MerkleHasher.HashSize), MerkleHasher.HashSize).ToArray();
    }

    private void CheckSize(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, Size);
    }
}
