namespace Gateway.Audit.Merkle;

/// <summary>
/// The right frontier of an append-only Merkle tree: the roots of the perfect subtrees that make up [0, size), one per
/// set bit of the size, largest first. Appending is O(log n) amortised O(1) hashes; the root is O(log n).
/// </summary>
/// <remarks>Invariant: <c>_nodes.Count == BitOperations.PopCount(Size)</c> and node i covers 2^(bit i) leaves.</remarks>
public sealed class CompactRange
{
    private readonly List<byte[]> _nodes = [];

    /// <summary>The number of leaves appended.</summary>
    public long Size { get; private set; }

    /// <summary>The frontier nodes, largest subtree first.</summary>
    public IReadOnlyList<byte[]> Nodes => _nodes;

    /// <summary>A frontier restored from saved nodes (as from <see cref="Nodes"/>).</summary>
    /// <exception cref="ArgumentException">The node count does not match the size.</exception>
    public static CompactRange Restore(long size, IEnumerable<byte[]> nodes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentNullException.ThrowIfNull(nodes);
        var range = new CompactRange { Size = size };
        foreach (byte[] node in nodes)
        {
            if (node.Length != MerkleHasher.HashSize)
            {
                throw new ArgumentException("a frontier node is not 32 bytes", nameof(nodes));
            }

            range._nodes.Add((byte[])node.Clone());
        }

        if (range._nodes.Count != System.Numerics.BitOperations.PopCount((ulong)size))
        {
            throw new ArgumentException("the frontier does not match the tree size", nameof(nodes));
        }

        return range;
    }

    /// <summary>Appends the hash of the next leaf.</summary>
    public void Append(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != MerkleHasher.HashSize)
        {
            throw new ArgumentException("a leaf hash is 32 bytes", nameof(leafHash));
        }

        byte[] current = leafHash.ToArray();
        // Each trailing set bit of the old size is a perfect subtree of the same height as `current`: merge them.
        for (long s = Size; (s & 1) == 1; s >>= 1)
        {
            byte[] left = _nodes[^1];
            _nodes.RemoveAt(_nodes.Count - 1);
            MerkleHasher.HashChildren(left, current, current);
        }

        _nodes.Add(current);
        Size++;
    }

    /// <summary>MTH of the leaves appended so far (RFC 9162 2.1.1); SHA-256("") when empty.</summary>
    public byte[] Root()
    {
        if (_nodes.Count == 0)
        {
            return MerkleHasher.EmptyRoot();
        }

        byte[] root = (byte[])_nodes[^1].Clone();
        for (int i = _nodes.Count - 2; i >= 0; i--)
        {
            MerkleHasher.HashChildren(_nodes[i], root, root);
        }

        return root;
    }
}
