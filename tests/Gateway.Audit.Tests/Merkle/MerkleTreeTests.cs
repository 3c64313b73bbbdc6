using CsCheck;
using Gateway.Audit.Merkle;

namespace Gateway.Audit.Tests.Merkle;

/// <summary>
/// RFC 6962 / RFC 9162 Merkle trees against the published test vectors of certificate-transparency / transparency-dev/merkle
/// (proof/verify_test.go: eight leaves, the root of every prefix, and known inclusion and consistency proofs).
/// </summary>
public sealed class MerkleTreeTests
{
    // The leaf inputs of the vectors (hex): "", 00, 10, 2021, 3031, 40414243, 5051525354555657, 606162636465666768696a6b6c6d6e6f.
    private static readonly byte[][] Leaves =
    [
        [],
        Convert.FromHexString("00"),
        Convert.FromHexString("10"),
        Convert.FromHexString("2021"),
        Convert.FromHexString("3031"),
        Convert.FromHexString("40414243"),
        Convert.FromHexString("5051525354555657"),
        Convert.FromHexString("606162636465666768696a6b6c6d6e6f"),
    ];

    // MTH of the first 1..8 leaves.
    private static readonly string[] Roots =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    public static TheoryData<long, long, string[]> InclusionVectors => new()
    {
        // (leaf index 0-based, tree size, proof)
        { 0, 1, [] },
        {
            0, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        },
        {
            5, 8,
            [
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        },
        { 2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
        {
            1, 5,
            [
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        },
    };

    public static TheoryData<long, long, string[]> ConsistencyVectors => new()
    {
        { 1, 1, [] },
        {
            1, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        },
        {
            6, 8,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        },
        {
            2, 5,
            [
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        },
        {
            6, 7,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        },
    };

    [Fact]
    public void EmptyRoot_IsSha256OfTheEmptyString()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(MerkleHasher.EmptyRoot()));
        Assert.Equal(MerkleHasher.EmptyRoot(), new CompactRange().Root());
    }

    [Fact]
    public void Root_EveryPrefixOfTheVectorLeaves_MatchesPublishedRoots()
    {
        MerkleTree tree = Tree(Leaves);
        var range = new CompactRange();
        for (int size = 1; size <= Leaves.Length; size++)
        {
            range.Append(MerkleHasher.HashLeaf(Leaves[size - 1]));
            Assert.Equal(Roots[size - 1], Convert.ToHexStringLower(tree.Root(size)));
            Assert.Equal(Roots[size - 1], Convert.ToHexStringLower(range.Root()));
        }
    }

    [Theory]
    [MemberData(nameof(InclusionVectors))]
    public void InclusionProof_PublishedVector_IsGeneratedAndVerifies(long index, long size, string[] expected)
    {
        MerkleTree tree = Tree(Leaves);
        IReadOnlyList<byte[]> proof = tree.InclusionProof(index, size);

        Assert.Equal(expected, proof.Select(Convert.ToHexStringLower));
        byte[] leafHash = MerkleHasher.HashLeaf(Leaves[index]);
        byte[] root = Convert.FromHexString(Roots[size - 1]);
        Assert.True(MerkleProofs.VerifyInclusion(index, size, leafHash, proof, root));
        foreach ((long badIndex, long badSize, byte[] badLeaf, IReadOnlyList<byte[]> badProof, byte[] badRoot) in CorruptInclusion(index, size, leafHash, proof, root))
        {
            Assert.False(MerkleProofs.VerifyInclusion(badIndex, badSize, badLeaf, badProof, badRoot));
        }
    }

    [Theory]
    [MemberData(nameof(ConsistencyVectors))]
    public void ConsistencyProof_PublishedVector_IsGeneratedAndVerifies(long size1, long size2, string[] expected)
    {
        MerkleTree tree = Tree(Leaves);
        IReadOnlyList<byte[]> proof = tree.ConsistencyProof(size1, size2);

        Assert.Equal(expected, proof.Select(Convert.ToHexStringLower));
        byte[] root1 = Convert.FromHexString(Roots[size1 - 1]);
        byte[] root2 = Convert.FromHexString(Roots[size2 - 1]);
        Assert.True(MerkleProofs.VerifyConsistency(size1, size2, proof, root1, root2));
        if (proof.Count == 0)
        {
            return;
        }

        foreach ((long s1, long s2, byte[] r1, byte[] r2, IReadOnlyList<byte[]> p) in CorruptConsistency(size1, size2, root1, root2, proof))
        {
            Assert.False(MerkleProofs.VerifyConsistency(s1, s2, p, r1, r2));
        }
    }

    [Fact]
    public void VerifyConsistency_EdgeCases_FollowRfc9162()
    {
        byte[] a = MerkleHasher.HashLeaf([1]);
        byte[] b = MerkleHasher.HashLeaf([2]);
        Assert.True(MerkleProofs.VerifyConsistency(0, 0, [], a, a));
        Assert.True(MerkleProofs.VerifyConsistency(0, 1, [], a, b));
        Assert.True(MerkleProofs.VerifyConsistency(1, 1, [], b, b));
        Assert.False(MerkleProofs.VerifyConsistency(1, 1, [], a, b));
        Assert.False(MerkleProofs.VerifyConsistency(1, 0, [], a, b));
        Assert.False(MerkleProofs.VerifyConsistency(1, 2, [], a, b));
        Assert.False(MerkleProofs.VerifyConsistency(1, 1, [MerkleHasher.EmptyRoot()], a, a));
    }

    [Fact]
    public void VerifyInclusion_InvalidIndexOrSize_IsRejected()
    {
        byte[] leaf = MerkleHasher.HashLeaf([1]);
        Assert.False(MerkleProofs.VerifyInclusion(0, 0, leaf, [], leaf));
        Assert.False(MerkleProofs.VerifyInclusion(1, 1, leaf, [], leaf));
        Assert.False(MerkleProofs.VerifyInclusion(-1, 1, leaf, [], leaf));
        Assert.True(MerkleProofs.VerifyInclusion(0, 1, leaf, [], leaf));
    }

    [Fact]
    public void Proofs_AllIndexesAndSizesUpTo40_RoundTrip()
    {
        byte[][] leaves = Enumerable.Range(0, 40).Select(i => new[] { (byte)i, (byte)(i * 7) }).ToArray();
        MerkleTree tree = Tree(leaves);
        var range = new CompactRange();
        for (long size = 1; size <= leaves.Length; size++)
        {
            range.Append(MerkleHasher.HashLeaf(leaves[size - 1]));
            byte[] root = tree.Root(size);
            Assert.Equal(root, range.Root());
            for (long index = 0; index < size; index++)
            {
                Assert.True(MerkleProofs.VerifyInclusion(index, size, tree.LeafHash(index), tree.InclusionProof(index, size), root));
            }

            for (long older = 0; older <= size; older++)
            {
                Assert.True(MerkleProofs.VerifyConsistency(older, size, tree.ConsistencyProof(older, size), tree.Root(older), root));
            }
        }
    }

    [Fact]
    public void Proofs_RandomLargeTrees_RoundTrip()
    {
        Gen.Select(Gen.Int[1, 5000], Gen.Int[0, 4999], Gen.Int[0, 5000]).Sample((n, i, m) =>
        {
            byte[] hashes = new byte[n * 32];
            for (int k = 0; k < n; k++)
            {
                MerkleHasher.HashLeaf(BitConverter.GetBytes(k), hashes.AsSpan(k * 32, 32));
            }

            var tree = new MerkleTree(hashes);
            int index = i % n;
            int older = m % (n + 1);
            return MerkleProofs.VerifyInclusion(index, n, tree.LeafHash(index), tree.InclusionProof(index, n), tree.Root(n))
                && MerkleProofs.VerifyConsistency(older, n, tree.ConsistencyProof(older, n), tree.Root(older), tree.Root(n))
                && (older == n || older == 0 || !MerkleProofs.VerifyConsistency(older, n, tree.ConsistencyProof(older, n), tree.Root(n), tree.Root(n)));
        }, iter: 200);
    }

    [Fact]
    public void CompactRange_Restore_ContinuesTheSameTree()
    {
        var range = new CompactRange();
        for (int i = 0; i < 13; i++)
        {
            range.Append(MerkleHasher.HashLeaf([(byte)i]));
        }

        CompactRange restored = CompactRange.Restore(range.Size, range.Nodes, range.LastLeafInclusionProof());
        Assert.Equal(range.LastLeafInclusionProof(), restored.LastLeafInclusionProof());
        range.Append(MerkleHasher.HashLeaf([99]));
        restored.Append(MerkleHasher.HashLeaf([99]));
        Assert.Equal(range.Root(), restored.Root());
        Assert.Throws<ArgumentException>(() => CompactRange.Restore(12, range.Nodes, range.LastLeafInclusionProof()));
    }

    [Fact]
    public void CompactRange_Restore_ProofThatDoesNotMatchTheFrontier_IsRefused()
    {
        var range = new CompactRange();
        for (int i = 0; i < 13; i++)
        {
            range.Append(MerkleHasher.HashLeaf([(byte)i]));
        }

        List<byte[]> proof = [.. range.LastLeafInclusionProof()];
        Assert.Throws<ArgumentException>(() => CompactRange.Restore(range.Size, range.Nodes, proof.Take(proof.Count - 1)));
        proof[^1] = new byte[32];
        Assert.Throws<ArgumentException>(() => CompactRange.Restore(range.Size, range.Nodes, proof));
    }

    [Fact]
    public void CompactRange_LastLeafInclusionProof_EverySizeUpTo70_IsTheRfc9162ProofAndVerifies()
    {
        byte[][] leaves = Enumerable.Range(0, 70).Select(i => new[] { (byte)i, (byte)(i >> 8) }).ToArray();
        MerkleTree tree = Tree(leaves);
        var range = new CompactRange();
        for (int n = 1; n <= leaves.Length; n++)
        {
            byte[] leafHash = MerkleHasher.HashLeaf(leaves[n - 1]);
            range.Append(leafHash);
            IReadOnlyList<byte[]> proof = range.LastLeafInclusionProof();
            Assert.Equal(tree.InclusionProof(n - 1, n), proof);
            Assert.True(MerkleProofs.VerifyInclusion(n - 1, n, leafHash, proof, range.Root()));
        }
    }

    private static MerkleTree Tree(byte[][] leaves) => new(leaves.SelectMany(l => MerkleHasher.HashLeaf(l)).ToArray());

    private static IEnumerable<(long, long, byte[], IReadOnlyList<byte[]>, byte[])> CorruptInclusion(long index, long size, byte[] leaf, IReadOnlyList<byte[]> proof, byte[] root)
    {
        byte[] someHash = Convert.FromHexString("abacaba000000000000000000000000000000000000000000060061e00123456");
        yield return (index - 1, size, leaf, proof, root);
        yield return (index + 1, size, leaf, proof, root);
        yield return (index ^ 2, size, leaf, proof, root);
        yield return (index, size * 2, leaf, proof, root);
        yield return (index, size / 2, leaf, proof, root);
        yield return (index, size, "WrongLeaf"u8.ToArray(), proof, root);
        yield return (index, size, leaf, proof, MerkleHasher.EmptyRoot());
        yield return (index, size, leaf, proof, someHash);
        yield return (index, size, leaf, [.. proof, []], root);
        yield return (index, size, leaf, [.. proof, root], root);
        yield return (index, size, leaf, [[], .. proof], root);
        yield return (index, size, leaf, [root, .. proof], root);
        for (int i = 0; i < proof.Count; i++)
        {
            byte[][] wrong = proof.Select(p => (byte[])p.Clone()).ToArray();
            wrong[i][0] ^= 8;
            yield return (index, size, leaf, wrong, root);
        }

        if (proof.Count > 0)
        {
            yield return (index, size, leaf, proof.Take(proof.Count - 1).ToArray(), root);
        }

        if (proof.Count > 1)
        {
            yield return (index, size, leaf, [proof[0], someHash, .. proof.Skip(1)], root);
        }
    }

    private static IEnumerable<(long, long, byte[], byte[], IReadOnlyList<byte[]>)> CorruptConsistency(long size1, long size2, byte[] root1, byte[] root2, IReadOnlyList<byte[]> proof)
    {
        yield return (size1 - 1, size2, root1, root2, proof);
        yield return (size1 + 1, size2, root1, root2, proof);
        yield return (size1 ^ 2, size2, root1, root2, proof);
        yield return (size1, size2 * 2, root1, root2, proof);
        yield return (size1, size2 / 2, root1, root2, proof);
        yield return (size1, size2, "WrongRoot"u8.ToArray(), root2, proof);
        yield return (size1, size2, root1, "WrongRoot"u8.ToArray(), proof);
        yield return (size1, size2, root2, root1, proof);
        yield return (size1, size2, root1, root2, []);
        yield return (size1, size2, root1, root2, [.. proof, []]);
        yield return (size1, size2, root1, root2, [.. proof, root1]);
        yield return (size1, size2, root1, root2, [.. proof, root2]);
        yield return (size1, size2, root1, root2, [[], .. proof]);
        yield return (size1, size2, root1, root2, [root1, .. proof]);
        yield return (size1, size2, root1, root2, [root2, .. proof]);
        yield return (size1, size2, root1, root2, [proof[0], .. proof]);
        yield return (size1, size2, root1, root2, proof.Take(proof.Count - 1).ToArray());
        for (int i = 0; i < proof.Count; i++)
        {
            byte[][] wrong = proof.Select(p => (byte[])p.Clone()).ToArray();
            wrong[i][0] ^= 16;
            yield return (size1, size2, root1, root2, wrong);
        }
    }
}
