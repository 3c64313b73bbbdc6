namespace Gateway.Audit.Merkle;

/// <summary>Verification of inclusion and consistency proofs, as specified in RFC 9162 sections 2.1.3.2 and 2.1.4.2.</summary>
public static class MerkleProofs
{
    /// <summary>Whether <paramref name="proof"/> shows that <paramref name="leafHash"/> is leaf <paramref name="index"/> of the tree of <paramref name="size"/> leaves with root <paramref name="root"/>.</summary>
    public static bool VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        ArgumentNullException.ThrowIfNull(proof);
        byte[]? computed = RootFromInclusionProof(index, size, leafHash, proof);
        return computed is not null && root.Length == MerkleHasher.HashSize && computed.AsSpan().SequenceEqual(root);
    }

    /// <summary>The root that <paramref name="proof"/> implies, or null when the proof is malformed for that index and size.</summary>
    public static byte[]? RootFromInclusionProof(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (index < 0 || index >= size || leafHash.Length != MerkleHasher.HashSize)
        {
            return null;
        }

        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash.ToArray();
        foreach (byte[] p in proof)
        {
            if (p is null || p.Length != MerkleHasher.HashSize || sn == 0)
            {
                return null;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHasher.HashChildren(p, r, r);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                MerkleHasher.HashChildren(r, p, r);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 ? r : null;
    }

    /// <summary>Whether <paramref name="proof"/> shows that the tree of <paramref name="size1"/> leaves with root <paramref name="root1"/> is a prefix of the tree of <paramref name="size2"/> leaves with root <paramref name="root2"/>.</summary>
    public static bool VerifyConsistency(long size1, long size2, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (size1 < 0 || size2 < size1)
        {
            return false;
        }

        if (size1 == size2)
        {
            return proof.Count == 0 && root1.Length == MerkleHasher.HashSize && root1.SequenceEqual(root2);
        }

        if (size1 == 0)
        {
            // Every tree is consistent with the empty tree; the proof is empty.
            return proof.Count == 0;
        }

        if (proof.Count == 0 || root1.Length != MerkleHasher.HashSize || root2.Length != MerkleHasher.HashSize)
        {
            return false;
        }

        foreach (byte[] p in proof)
        {
            if (p is null || p.Length != MerkleHasher.HashSize)
            {
                return false;
            }
        }

        // RFC 9162 2.1.4.2 step 2: if size1 is a power of two, the first tree is a node of the path; prepend its root.
        var path = new List<byte[]>(proof.Count + 1);
        if ((size1 & (size1 - 1)) == 0)
        {
            path.Add(root1.ToArray());
        }

        path.AddRange(proof);
        long fn = size1 - 1;
        long sn = size2 - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        byte[] fr = (byte[])path[0].Clone();
        byte[] sr = (byte[])path[0].Clone();
        for (int i = 1; i < path.Count; i++)
        {
            byte[] c = path[i];
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHasher.HashChildren(c, fr, fr);
                MerkleHasher.HashChildren(c, sr, sr);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                MerkleHasher.HashChildren(sr, c, sr);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && fr.AsSpan().SequenceEqual(root1) && sr.AsSpan().SequenceEqual(root2);
    }
}
