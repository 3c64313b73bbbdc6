using System.Buffers.Binary;
using Gateway.Audit.Merkle;
using Gateway.Audit.Storage;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Audit.Verification;

/// <summary>
/// Reads the frames of every segment, in order, into <see cref="FrameChunk"/>s: large reads straight into the chunk's
/// buffer, frames used where they lie. Every length is checked against the frame bounds before it is used. Reading stops
/// at the first thing that is not a frame (recorded on the last chunk as its problem).
/// </summary>
internal sealed class ChunkReader(IReadOnlyList<(long FirstIndex, string Path)> segments) : IDisposable
{
    private const int ReadBytes = 1 << 20;
    private const int MaxFrame = SegmentFormat.FrameOverhead + AuditLeaf.MaxLength;
    private readonly byte[] _carry = new byte[ReadBytes + MaxFrame];
    private readonly byte[] _previousHash = new byte[MerkleHasher.HashSize];
    private int _carryLength;
    private int _segment = -1;
    private SafeFileHandle? _file;
    private long _fileLength;
    private long _filePosition;
    // The segment offset of buffer position p is p + _delta (for the segment being read).
    private long _delta;
    private long _next;
    private bool _done;

    /// <summary>Fills <paramref name="chunk"/> with the next frames; false when there is nothing more to read.</summary>
    /// <exception cref="IOException">A segment could not be read.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool Fill(FrameChunk chunk)
    {
        if (_done)
        {
            return false;
        }

        chunk.Reset();
        chunk.FirstIndex = _next;
        _previousHash.CopyTo(chunk.PreviousHash, 0);
        _carry.AsSpan(0, _carryLength).CopyTo(chunk.Buffer);
        chunk.Used = _carryLength;
        _carryLength = 0;
        byte[] buffer = chunk.Buffer;
        long target = ((_next / FrameChunk.Records) + 1) * FrameChunk.Records;
        int p = 0;
        while (_next < target)
        {
            int available = chunk.Used - p;
            if (available >= 4)
            {
                int length = BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(p));
                if (length == 0 && _segment == segments.Count - 1)
                {
                    // The zero-filled space the writer keeps ahead of its appends: the records end here, if only zeros follow.
                    if (!EndsInZeros(p + _delta))
                    {
                        Stop(chunk, p + _delta, "zeros followed by other bytes after the last record (a torn write; opening the log cuts them)");
                    }

                    _done = true;
                    break;
                }

                if (length is < AuditLeaf.MinLength or > AuditLeaf.MaxLength)
                {
                    Stop(chunk, p + _delta, "record length out of range");
                    break;
                }

                int frame = SegmentFormat.FrameOverhead + length;
                if (available >= frame)
                {
                    int i = chunk.Count++;
                    chunk.LeafStarts[i] = p + 4;
                    chunk.LeafLengths[i] = length;
                    chunk.Offsets[i] = p + _delta;
                    chunk.Segments[i] = _segment;
                    p += frame;
                    _next++;
                    continue;
                }

                if (frame > FrameChunk.BufferBytes - p)
                {
                    // The frame does not fit in what is left of this chunk: it starts the next one.
                    break;
                }
            }

            if (_file is null || _filePosition == _fileLength)
            {
                if (available > 0)
                {
                    Stop(chunk, p + _delta, "incomplete record (truncated or torn write)");
                    break;
                }

                if (!OpenNextSegment(chunk))
                {
                    _done = true;
                    break;
                }

                continue;
            }

            int room = FrameChunk.BufferBytes - chunk.Used;
            if (room == 0)
            {
                break;
            }

            int want = (int)Math.Min(Math.Min(ReadBytes, room), _fileLength - _filePosition);
            int read = RandomAccess.Read(_file, buffer.AsSpan(chunk.Used, want), _filePosition);
            if (read <= 0)
            {
                // The file is shorter than it was: read it as ending here.
                _fileLength = _filePosition;
                continue;
            }

            chunk.Used += read;
            _filePosition += read;
        }

        if (!_done)
        {
            // What was read beyond the chunk's last frame starts the next chunk.
            _carryLength = chunk.Used - p;
            buffer.AsSpan(p, _carryLength).CopyTo(_carry);
            _delta += p;
        }

        if (chunk.Count > 0)
        {
            MerkleHasher.HashLeaf(chunk.Leaf(chunk.Count - 1), _previousHash);
        }

        return chunk.Count > 0 || chunk.Problem is not null;
    }

    public void Dispose() => _file?.Dispose();

    // Whether the last segment holds only zeros from offset on. A gateway appending while this reads may have written a
    // record there since: then the length field is no longer zero, and reading ends where it was.
    private bool EndsInZeros(long offset)
    {
        if (SegmentFormat.IsZeroFilled(_file!, offset, RandomAccess.GetLength(_file!)))
        {
            return true;
        }

        Span<byte> length = stackalloc byte[4];
        return RandomAccess.Read(_file!, length, offset) == 4 && BinaryPrimitives.ReadInt32BigEndian(length) != 0;
    }

    private bool OpenNextSegment(FrameChunk chunk)
    {
        _file?.Dispose();
        _file = null;
        _segment++;
        if (_segment >= segments.Count)
        {
            return false;
        }

        (long first, string path) = segments[_segment];
        if (first != _next)
        {
            Stop(chunk, null, $"segment starts at record {first}, expected {_next} (a segment was deleted, added or renamed)");
            return false;
        }

        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        _fileLength = RandomAccess.GetLength(_file);
        byte[] header = new byte[SegmentFormat.HeaderSize];
        int read = _fileLength < header.Length ? 0 : RandomAccess.Read(_file, header, 0);
        string? error = "segment shorter than its header";
        long? headerFirst = read == header.Length ? SegmentFormat.ParseHeader(header, out error) : null;
        if (headerFirst != first)
        {
            Stop(chunk, 0, error ?? $"header says the segment starts at {headerFirst}");
            return false;
        }

        _filePosition = SegmentFormat.HeaderSize;
        _delta = SegmentFormat.HeaderSize - chunk.Used;
        return true;
    }

    private void Stop(FrameChunk chunk, long? offset, string problem)
    {
        chunk.Problem = problem;
        chunk.ProblemSegment = Math.Min(_segment, segments.Count - 1);
        chunk.ProblemOffset = offset;
        _done = true;
    }
}
