using Gateway.Audit.Checkpoints;
using Gateway.Audit.Storage;

namespace Gateway.Audit;

/// <summary>
/// Records sequenced for one write and fsync: their frames back to back, exactly as they go into the segment, and the
/// appends waiting for them; plus checkpoint requests to sign once they are durable.
/// </summary>
/// <remarks>
/// Filled by appending threads under the log's lock, then handed whole to a committer, which writes it, syncs it, and
/// completes it (in sequence order) before it is recycled. Frame <c>i</c> spans <c>[FrameStart(i), FrameEnd(i))</c>; its last 32 bytes are its leaf hash.
/// </remarks>
internal sealed class CommitBatch
{
    /// <summary>A batch is sealed (handed over whole) past this many bytes, so one write stays bounded.</summary>
    public const int MaxBytes = 4 << 20;

    private byte[] _bytes = new byte[64 * 1024];
    private int[] _frameEnds = new int[64];
    private TaskCompletionSource<long>[] _appends = new TaskCompletionSource<long>[64];

    /// <summary>The index of the first record.</summary>
    public long FirstIndex { get; set; }

    /// <summary>The order in which the committers wrote it (1, 2, ...): a sync covers every batch written before it.</summary>
    public long Sequence { get; set; }

    /// <summary>Where the last frame was written: the first index of its segment, its offset there, and its length.</summary>
    public (long Segment, long Offset, int Length) LastFrame { get; set; }

    /// <summary>The segment (by first index) that holds the end of the batch: the one its sync must flush.</summary>
    public long SyncSegment { get; set; }

    /// <summary>Whether its own fdatasync succeeded (it completes once every batch before it has too).</summary>
    public bool Synced { get; set; }

    // Two parties hold a taken batch: the committer that writes and syncs it, and completion (or failure). The last to let
    // go recycles it, so a batch is never refilled while either still looks at it.
    private int _holds;

    /// <summary>Marks the batch as taken by a committer (two holds).</summary>
    public void Take() => Volatile.Write(ref _holds, 2);

    /// <summary>Lets go of one hold; true for the last one, whose owner recycles the batch.</summary>
    public bool Release() => Interlocked.Decrement(ref _holds) == 0;

    /// <summary>The number of records.</summary>
    public int Count { get; private set; }

    /// <summary>The bytes of all frames.</summary>
    public int Length { get; private set; }

    /// <summary>Checkpoints to sign once the records are durable.</summary>
    public List<TaskCompletionSource<Checkpoint>> CheckpointRequests { get; } = [];

    /// <summary>Whether there is nothing to commit or sign.</summary>
    public bool IsEmpty => Count == 0 && CheckpointRequests.Count == 0;

    /// <summary>Whether the buffer grew so large that keeping it for reuse would hold memory for nothing.</summary>
    public bool IsOversized => _bytes.Length > 2 * MaxBytes;

    /// <summary>Space for the next frame; it counts only once <see cref="Add"/> is called.</summary>
    public Span<byte> Reserve(int frameLength)
    {
        if (_bytes.Length - Length < frameLength)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + frameLength));
        }

        return _bytes.AsSpan(Length, frameLength);
    }

    /// <summary>Takes the reserved frame of <paramref name="frameLength"/> bytes, and the append waiting for it.</summary>
    public void Add(int frameLength, TaskCompletionSource<long> completion)
    {
        if (Count == _frameEnds.Length)
        {
            Array.Resize(ref _frameEnds, Count * 2);
            Array.Resize(ref _appends, Count * 2);
        }

        Length += frameLength;
        _frameEnds[Count] = Length;
        _appends[Count] = completion;
        Count++;
    }

    public int FrameStart(int i) => i == 0 ? 0 : _frameEnds[i - 1];

    public int FrameEnd(int i) => _frameEnds[i];

    public ReadOnlySpan<byte> Frames(int start, int end) => _bytes.AsSpan(start, end - start);

    public ReadOnlySpan<byte> LeafHash(int i) => _bytes.AsSpan(_frameEnds[i] - AuditLeaf.HashSize, AuditLeaf.HashSize);

    public TaskCompletionSource<long> Append(int i) => _appends[i];

    /// <summary>Empties the batch for reuse (the frames hold ciphertext and clear headers only, nothing to wipe).</summary>
    public void Reset()
    {
        Array.Clear(_appends, 0, Count);
        Count = 0;
        Length = 0;
        FirstIndex = 0;
        Sequence = 0;
        LastFrame = default;
        SyncSegment = 0;
        Synced = false;
        CheckpointRequests.Clear();
    }
}
