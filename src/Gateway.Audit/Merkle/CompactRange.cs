namespace Gateway.Audit.Merkle;

/// <summary>
/// The right frontier of an append-only Merkle tree: the roots of the perfect subtrees that make up [0, size), one per
/// set bit of the size, largest first. Appending is O(log n) amortised O(1) hashes; the root is O(log n).
/// </summary>
/// <remarks>
/// Invariant: <c>_nodes.Count == BitOperations.PopCount(Size)</c> and node i covers 2^(bit i) leaves. The range also
/// keeps the left siblings merged by the last append (the path of the last leaf inside the smallest subtree), which with
/// the other frontier nodes is the inclusion proof of the last leaf: a saved frontier binds its chain head to the root.
/// </remarks>
public sealed class CompactRange
{
    private readonly List<byte[]> _nodes = [];
    private readonly List<byte[]> _lastPath = [];
    private bool _lastPathKnown = true;

    /// <summary>The number of leaves appended.</summary>
    public long Size { get; private set; }

    /// <summary>The frontier nodes, largest subtree first.</summary>
    public IReadOnlyList<byte[]> Nodes => _nodes;

    /// <summary>A frontier restored from saved nodes (as from <see cref="Nodes"/>) and the last leaf's inclusion proof.</summary>
    /// <param name="size">The number of leaves.</param>
    /// <param name="nodes">The frontier nodes, largest first.</param>
    /// <param name="lastLeafProof">The last leaf's inclusion proof (<see cref="LastLeafInclusionProof"/>); empty when size is 0.</param>
    /// <exception cref="ArgumentException">The node count or proof length does not match the size.</exception>
    public static CompactRange Restore(long size, IEnumerable<byte[]> nodes, IEnumerable<byte[]> lastLeafProof)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(lastLeafProof);
        var range = new CompactRange { Size = size };
        range._nodes.AddRange(Copy(nodes, nameof(nodes)));
        if (range._nodes.Count != System.Numerics.BitOperations.PopCount((ulong)size))
        {
            throw new ArgumentException("the frontier does not match the tree size", nameof(nodes));
        }

        List<byte[]> proof = Copy(lastLeafProof, nameof(lastLeafProof));
        // The path inside the smallest subtree has one sibling per level of it; the rest are the other frontier nodes.
        int pathLength = size == 0 ? 0 : System.Numerics.BitOperations.TrailingZeroCount((ulong)size);
        if (proof.Count != pathLength + Math.Max(0, range._nodes.Count - 1))
        {
            throw new ArgumentException("the last leaf's inclusion proof does not match the tree size", nameof(lastLeafProof));
        }

        for (int i = 0; i < range._nodes.Count - 1; i++)
        {
            if (!proof[pathLength + i].AsSpan().SequenceEqual(range._nodes[range._nodes.Count - 2 - i]))
            {
                throw new ArgumentException("the last leaf's inclusion proof does not end with the frontier nodes", nameof(lastLeafProof));
            }
        }

        range._lastPath.AddRange(proof.Take(pathLength));
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
        _lastPath.Clear();
        _lastPathKnown = true;
        // Each trailing set bit of the old size is a perfect subtree of the same height as `current`: merge them. The
        // merged left subtrees are the new leaf's siblings, bottom up.
        for (long s = Size; (s & 1) == 1; s >>= 1)
        {
            byte[] left = _nodes[^1];
            _nodes.RemoveAt(_nodes.Count - 1);
            _lastPath.Add(left);
            current = MerkleHasher.HashChildren(left, current);
        }

        _nodes.Add(current);
        Size++;
    }

    /// <summary>
    /// Appends a whole perfect subtree of 2^<paramref name="height"/> leaves by its root (as computed elsewhere, e.g. in
    /// parallel); the size must be a multiple of 2^height. The last leaf's path is then unknown until the next
    /// <see cref="Append"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The size is not aligned to the subtree, or the hash is not 32 bytes.</exception>
    public void AppendSubtree(int height, ReadOnlySpan<byte> root)
    {
        if (root.Length != MerkleHasher.HashSize || height is < 0 or > 62 || (Size & ((1L << height) - 1)) != 0)
        {
            throw new ArgumentException("a subtree is appended by its 32-byte root at a size aligned to it", nameof(root));
        }

        byte[] current = root.ToArray();
        for (long s = Size >> height; (s & 1) == 1; s >>= 1)
        {
            byte[] left = _nodes[^1];
            _nodes.RemoveAt(_nodes.Count - 1);
            current = MerkleHasher.HashChildren(left, current);
        }

        _nodes.Add(current);
        Size += 1L << height;
        _lastPath.Clear();
        _lastPathKnown = height == 0 && (Size & 1) == 1;
    }

    /// <summary>MTH of the leaves appended so far (RFC 9162 2.1.1); SHA-256("") when empty.</summary>
    public byte[] Root() => RootOf(_nodes);

    /// <summary>The root of a tree given by its frontier nodes, largest subtree first (as <see cref="Nodes"/>).</summary>
    public static byte[] RootOf(IReadOnlyList<byte[]> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (nodes.Count == 0)
        {
            return MerkleHasher.EmptyRoot();
        }

        byte[] root = (byte[])nodes[^1].Clone();
        for (int i = nodes.Count - 2; i >= 0; i--)
        {
            MerkleHasher.HashChildren(nodes[i], root, root);
        }

        return root;
    }

    /// <summary>
    /// The RFC 9162 inclusion proof PATH(size - 1, D[size]) of the last leaf: its siblings inside the smallest frontier
    /// subtree, bottom up, then the other frontier nodes from the smallest to the largest. Empty when size is 0 or 1.
    /// </summary>
    public IReadOnlyList<byte[]> LastLeafInclusionProof()
    {
        var proof = new List<byte[]>(_lastPath.Count + _nodes.Count);
        proof.AddRange(_lastPath);
        for (int i = _nodes.Count - 2; i >= 0; i--)
        {
            proof.Add(_nodes[i]);
        }

        return proof;
    }

    private static List<byte[]> Copy(IEnumerable<byte[]> hashes, string name)
    {
        var copies = new List<byte[]>();
        foreach (byte[] hash in hashes)
        {
            if (hash is null || hash.Length != MerkleHasher.HashSize)
            {
                throw new ArgumentException("a hash is not 32 bytes", name);
            }

            copies.Add((byte[])hash.Clone());
        }

        return copies;
    }
}
