namespace Gateway.Audit.Merkle;

/// <summary>
/// The recursions of RFC 9162 sections 2.1.3.1 (PATH) and 2.1.4.1 (SUBPROOF) over any store of perfect subtree roots:
/// <c>node(level, index)</c> is the root of leaves [index·2^level, (index+1)·2^level).
/// </summary>
internal static class MerklePaths
{
    /// <summary>PATH(index, D[0:size]), the subtree hashes bottom-up.</summary>
    public static List<byte[]> Inclusion(Func<int, long, byte[]> node, long index, long size)
    {
        var proof = new List<byte[]>();
        Path(node, index, 0, size, proof);
        return proof;
    }

    /// <summary>PROOF(size1, D[0:size2]) for 0 &lt; size1 &lt; size2.</summary>
    public static List<byte[]> Consistency(Func<int, long, byte[]> node, long size1, long size2)
    {
        var proof = new List<byte[]>();
        SubProof(node, size1, 0, size2, true, proof);
        return proof;
    }

    /// <summary>MTH(D[start:start+n]) for n ≥ 1, from the stored perfect subtrees.</summary>
    public static byte[] Subtree(Func<int, long, byte[]> node, long start, long n)
    {
        if ((n & (n - 1)) == 0 && start % n == 0)
        {
            return node(System.Numerics.BitOperations.Log2((ulong)n), start / n);
        }

        long k = LargestPowerOfTwoBelow(n);
        return MerkleHasher.HashChildren(Subtree(node, start, k), Subtree(node, start + k, n - k));
    }

    // PATH(m, D[start:start+n]), with the subtree hashes appended bottom-up.
    private static void Path(Func<int, long, byte[]> node, long m, long start, long n, List<byte[]> proof)
    {
        if (n == 1)
        {
            return;
        }

        long k = LargestPowerOfTwoBelow(n);
        if (m < k)
        {
            Path(node, m, start, k, proof);
            proof.Add(Subtree(node, start + k, n - k));
        }
        else
        {
            Path(node, m - k, start + k, n - k, proof);
            proof.Add(Subtree(node, start, k));
        }
    }

    // SUBPROOF(m, D[start:start+n], b).
    private static void SubProof(Func<int, long, byte[]> node, long m, long start, long n, bool complete, List<byte[]> proof)
    {
        if (m == n)
        {
            if (!complete)
            {
                proof.Add(Subtree(node, start, n));
            }

            return;
        }

        long k = LargestPowerOfTwoBelow(n);
        if (m <= k)
        {
            SubProof(node, m, start, k, complete, proof);
            proof.Add(Subtree(node, start + k, n - k));
        }
        else
        {
            SubProof(node, m - k, start + k, n - k, false, proof);
            proof.Add(Subtree(node, start, k));
        }
    }

    // The largest power of two strictly smaller than n (n >= 2).
    private static long LargestPowerOfTwoBelow(long n) => 1L << System.Numerics.BitOperations.Log2((ulong)(n - 1));
}
