using Gateway.Audit.Merkle;

namespace Gateway.Audit.Tests.Merkle;

/// <summary>The blocked tree an export streams through gives the same root and inclusion proofs as the whole tree.</summary>
public sealed class BlockedMerkleTreeTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(511)]
    [InlineData(512)]
    [InlineData(513)]
    [InlineData(1000)]
    [InlineData(1024)]
    [InlineData(1281)]
    public void EveryLeaf_ProofAndRootMatchTheWholeTree(int size)
    {
        byte[][] leaves = [.. Enumerable.Range(0, size).Select(i => MerkleHasher.HashLeaf(BitConverter.GetBytes(i)))];
        var whole = new MerkleTree([.. leaves.SelectMany(l => l)]);

        BlockedMerkleTree blocked = BlockedMerkleTree.Build(leaves);

        Assert.Equal(size, blocked.Size);
        Assert.Equal(whole.Root(size), blocked.Root);
        for (long start = 0; start < size; start += BlockedMerkleTree.BlockSize)
        {
            int count = (int)Math.Min(BlockedMerkleTree.BlockSize, size - start);
            blocked.LoadBlock(start, [.. leaves.Skip((int)start).Take(count).SelectMany(l => l)]);
            for (long index = start; index < start + count; index++)
            {
                Assert.Equal(whole.InclusionProof(index, size), blocked.InclusionProof(index));
            }
        }
    }

    [Fact]
    public void InclusionProof_OfALeafOutsideTheLoadedBlock_Throws()
    {
        byte[][] leaves = [.. Enumerable.Range(0, 600).Select(i => MerkleHasher.HashLeaf(BitConverter.GetBytes(i)))];
        BlockedMerkleTree blocked = BlockedMerkleTree.Build(leaves);
        blocked.LoadBlock(256, [.. leaves.Skip(256).Take(256).SelectMany(l => l)]);

        Assert.Throws<ArgumentOutOfRangeException>(() => blocked.InclusionProof(10));
        Assert.Throws<ArgumentException>(() => blocked.LoadBlock(100, new byte[32]));
    }
}
