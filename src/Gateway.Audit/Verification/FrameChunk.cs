namespace Gateway.Audit.Verification;

/// <summary>
/// Frames read and hashed ahead of verification's in-order checks; or, as the last item, why reading stopped.
/// </summary>
internal sealed class FrameChunk
{
    public const int Capacity = 4096;

    // A field, not a property: the segment reader grows it in place (by ref).
    public byte[] Leaves = new byte[1 << 20];

    public int[] Starts { get; } = new int[Capacity];

    public int[] Lengths { get; } = new int[Capacity];

    public long[] Offsets { get; } = new long[Capacity];

    public byte[] Stored { get; } = new byte[Capacity * Storage.AuditLeaf.HashSize];

    public byte[] Computed { get; } = new byte[Capacity * Storage.AuditLeaf.HashSize];

    public int Count { get; set; }

    public string File { get; set; } = string.Empty;

    /// <summary>Set on the item after the last good frame: what stopped the reading, and where.</summary>
    public string? Problem { get; set; }

    public long? ProblemOffset { get; set; }
}
