using Gateway.Audit.Merkle;
using Gateway.Audit.Storage;

namespace Gateway.Audit.Verification;

/// <summary>
/// Up to <see cref="Records"/> consecutive frames as read from the segments (in place, in one buffer), and what a
/// worker found checking them: their leaf hashes, the first bad record, and the Merkle subtrees they make.
/// </summary>
/// <remarks>
/// A chunk normally ends at a record index that is a multiple of <see cref="Records"/>, so that its subtree is a whole
/// node of the log's tree and the in-order step appends it with one hash instead of one per record.
/// </remarks>
internal sealed class FrameChunk
{
    public const int Records = 4096;

    // Room for a typical chunk; one of large records ends early (and its records are then folded in one by one).
    public const int BufferBytes = 8 << 20;

    /// <summary>The bytes read; frame i's leaf is at <c>LeafStarts[i]</c>, its stored hash right after it.</summary>
    public byte[] Buffer { get; } = new byte[BufferBytes];

    /// <summary>How much of <see cref="Buffer"/> holds data read.</summary>
    public int Used { get; set; }

    public int[] LeafStarts { get; } = new int[Records];

    public int[] LeafLengths { get; } = new int[Records];

    /// <summary>Each frame's offset in its segment.</summary>
    public long[] Offsets { get; } = new long[Records];

    /// <summary>Each frame's segment, as a position in the segment list.</summary>
    public int[] Segments { get; } = new int[Records];

    /// <summary>The leaf hashes the worker computed.</summary>
    public byte[] Computed { get; } = new byte[Records * MerkleHasher.HashSize];

    /// <summary>The computed leaf hash of the record before the first one (zeros before record 0): the chain's link.</summary>
    public byte[] PreviousHash { get; } = new byte[MerkleHasher.HashSize];

    public long FirstIndex { get; set; }

    public int Count { get; set; }

    /// <summary>Set on the last chunk read when reading stopped at something other than the end of the log.</summary>
    public string? Problem { get; set; }

    public int ProblemSegment { get; set; }

    public long? ProblemOffset { get; set; }

    /// <summary>The worker's result: the first bad record (position in the chunk) and why, or -1.</summary>
    public int FirstBad { get; set; } = -1;

    public string? BadMessage { get; set; }

    /// <summary>The chunk's own frontier at each tree size asked for (checkpoint sizes) that falls inside it.</summary>
    public List<(long Size, IReadOnlyList<byte[]> Nodes)> Snapshots { get; } = [];

    /// <summary>The chunk's own frontier over its good records.</summary>
    public IReadOnlyList<byte[]> Nodes { get; set; } = [];

    /// <summary>What the worker could not handle (not a finding about the log: an error to rethrow).</summary>
    public Exception? Failure { get; set; }

    /// <summary>Set by the worker when it is done with the chunk.</summary>
    public ManualResetEventSlim Checked { get; } = new(false);

    public ReadOnlySpan<byte> Leaf(int i) => Buffer.AsSpan(LeafStarts[i], LeafLengths[i]);

    public ReadOnlySpan<byte> Stored(int i) => Buffer.AsSpan(LeafStarts[i] + LeafLengths[i], AuditLeaf.HashSize);

    public ReadOnlySpan<byte> Hash(int i) => Computed.AsSpan(i * MerkleHasher.HashSize, MerkleHasher.HashSize);

    /// <summary>Whether its subtree can be appended as whole nodes: it starts at a multiple of <see cref="Records"/>.</summary>
    public bool Aligned => FirstIndex % Records == 0;

    public void Reset()
    {
        Used = 0;
        Count = 0;
        FirstIndex = 0;
        Problem = null;
        ProblemOffset = null;
        ProblemSegment = 0;
        FirstBad = -1;
        BadMessage = null;
        Snapshots.Clear();
        Nodes = [];
        Failure = null;
        Checked.Reset();
    }
}
