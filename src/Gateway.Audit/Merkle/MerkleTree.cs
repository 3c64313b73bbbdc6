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
        return size == 0 ? MerkleHasher.EmptyRoot() : Subtree(0, size);
    }

    /// <summary>The inclusion proof PATH(index, D[0:size]) of RFC 9162 2.1.3.1.</summary>
    public IReadOnlyList<byte[]> InclusionProof(long index, long size)
    {
        CheckSize(size);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        var proof = new List<byte[]>();
        Path(index, 0, size, proof);
        return proof;
    }

    /// <summary>The consistency proof PROOF(size1, D[0:size2]) of RFC 9162 2.1.4.1 (empty when size1 is 0 or equals size2).</summary>
    public IReadOnlyList<byte[]> ConsistencyProof(long size1, long size2)
    {
        CheckSize(size2);
        ArgumentOutOfRangeException.ThrowIfNegative(size1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size1, size2);
        var proof = new List<byte[]>();
        if (size1 > 0 && size1 < size2)
        {
            SubProof(size1, 0, size2, true, proof);
        }

        return proof;
    }

    // PATH(m, D[start:start+n]), RFC 9162 2.1.3.1, with the subtree hashes appended bottom-up.
    private void Path(long m, long start, long n, List<byte[]> proof)
    {
        if (n == 1)
        {
            return;
        }

        long k = LargestPowerOfTwoBelow(n);
        if (m < k)
        {
            Path(m, start, k, proof);
            proof.Add(Subtree(start + k, n - k));
        }
        else
        {
            Path(m - k, start + k, n - k, proof);
            proof.Add(Subtree(start, k));
        }
    }

    // SUBPROOF(m, D[start:start+n], b), RFC 9162 2.1.4.1.
    private void SubProof(long m, long start, long n, bool complete, List<byte[]> proof)
    {
        if (m == n)
        {
            if (!complete)
            {
                proof.Add(Subtree(start, n));
            }

            return;
        }

        long k = LargestPowerOfTwoBelow(n);
        if (m <= k)
        {
            SubProof(m, start, k, complete, proof);
            proof.Add(Subtree(start + k, n - k));
        }
        else
        {
            SubProof(m - k, start + k, n - k, false, proof);
            proof.Add(Subtree(start, k));
        }
    }

    // MTH(D[start:start+n]) for n >= 1, from the stored perfect subtrees.
    private byte[] Subtree(long start, long n)
    {
        if ((n & (n - 1)) == 0 && start % n == 0)
        {
            return Node(System.Numerics.BitOperations.Log2((ulong)n), start / n);
        }

        long k = LargestPowerOfTwoBelow(n);
        return MerkleHasher.HashChildren(Subtree(start, k), Subtree(start + k, n - k));
    }

    private byte[] Node(int level, long index) =>
        _levels[level].AsSpan((int)(index * MerkleHasher.HashSize), MerkleHasher.HashSize).ToArray();

    // The largest power of two strictly smaller than n (n >= 2).
    private static long LargestPowerOfTwoBelow(long n) => 1L << System.Numerics.BitOperations.Log2((ulong)(n - 1));

    private void CheckSize(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, Size);
    }
}
