namespace Gateway.Audit.Merkle;

/// <summary>
/// An RFC 9162 tree of any size held in memory proportional to size / 2^<see cref="BlockHeight"/>: the roots of its
/// complete blocks of <see cref="BlockSize"/> leaves and every level above them, plus the frontier of the last, partial
/// block. Inclusion proofs are made for the leaves of one block at a time, once that block's leaf hashes are given
/// (<see cref="LoadBlock"/>): an export streams the log a second time, block by block.
/// </summary>
/// <remarks>
/// A proof for a leaf of block B needs subtrees below block height only inside B; every other sibling is either a whole
/// aligned subtree of complete blocks or, on the right edge, a frontier node of the partial block.
/// </remarks>
internal sealed class BlockedMerkleTree
{
    public const int BlockHeight = 8;
    public const int BlockSize = 1 << BlockHeight;

    private readonly MerkleTree? _blocks;
    private readonly Dictionary<(int Level, long Index), byte[]> _tail;
    private long _blockStart = -1;
    private int _blockCount;
    private MerkleTree? _block;

    private BlockedMerkleTree(long size, byte[] root, MerkleTree? blocks, Dictionary<(int Level, long Index), byte[]> tail)
    {
        Size = size;
        Root = root;
        _blocks = blocks;
        _tail = tail;
    }

    /// <summary>The number of leaves.</summary>
    public long Size { get; }

    /// <summary>MTH of all the leaves.</summary>
    public byte[] Root { get; }

    /// <summary>Builds the tree over the leaf hashes given in order (read once, never held).</summary>
    public static BlockedMerkleTree Build(IEnumerable<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        using var blockRoots = new MemoryStream();
        var whole = new CompactRange();
        var block = new CompactRange();
        foreach (byte[] hash in leafHashes)
        {
            block.Append(hash);
            if (block.Size == BlockSize)
            {
                byte[] root = block.Root();
                blockRoots.Write(root);
                whole.AppendSubtree(BlockHeight, root);
                block = new CompactRange();
            }
        }

        // The partial block starts at a multiple of the block size, so its frontier nodes are nodes of the whole tree.
        long start = whole.Size;
        var tail = new Dictionary<(int, long), byte[]>();
        long offset = start;
        long remaining = block.Size;
        foreach (byte[] node in block.Nodes)
        {
            int height = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)remaining);
            tail[(height, offset >> height)] = node;
            offset += 1L << height;
            remaining -= 1L << height;
        }

        byte[] treeRoot = CompactRange.RootOf([.. whole.Nodes, .. block.Nodes]);
        MerkleTree? blocks = blockRoots.Length > 0 ? new MerkleTree(blockRoots.ToArray()) : null;
        return new BlockedMerkleTree(start + block.Size, treeRoot, blocks, tail);
    }

    /// <summary>Gives the leaf hashes of the block that starts at <paramref name="blockStart"/> (32 bytes each, the whole block).</summary>
    /// <exception cref="ArgumentException">The start is not a block start in the tree, or the hashes are not the whole block.</exception>
    public void LoadBlock(long blockStart, byte[] leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        long expected = Math.Min(BlockSize, Size - blockStart) * MerkleHasher.HashSize;
        if (blockStart < 0 || blockStart >= Size || blockStart % BlockSize != 0 || leafHashes.Length != expected)
        {
            throw new ArgumentException("not the leaf hashes of a whole block of this tree", nameof(leafHashes));
        }

        _blockStart = blockStart;
        _blockCount = leafHashes.Length / MerkleHasher.HashSize;
        _block = new MerkleTree(leafHashes);
    }

    /// <summary>PATH(index, D[0:Size]) for a leaf of the loaded block.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The leaf is not in the loaded block.</exception>
    public IReadOnlyList<byte[]> InclusionProof(long index)
    {
        if (index < _blockStart || index >= _blockStart + _blockCount)
        {
            throw new ArgumentOutOfRangeException(nameof(index), "the leaf's block is not loaded");
        }

        return MerklePaths.Inclusion(Node, index, Size);
    }

    private byte[] Node(int level, long index)
    {
        long first = index << level;
        long end = first + (1L << level);
        if (level >= BlockHeight && _blocks is not null && end <= _blocks.Size * BlockSize)
        {
            return _blocks.Node(level - BlockHeight, index);
        }

        if (_block is not null && first >= _blockStart && end <= _blockStart + _blockCount)
        {
            return _block.Node(level, index - (_blockStart >> level));
        }

        return _tail.TryGetValue((level, index), out byte[]? node)
            ? node
            : throw new InvalidOperationException($"subtree ({level}, {index}) is neither stored nor in the loaded block");
    }
}
