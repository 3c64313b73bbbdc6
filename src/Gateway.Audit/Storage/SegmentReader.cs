using System.Buffers.Binary;

namespace Gateway.Audit.Storage;

/// <summary>
/// Reads the frames of one segment in order, checking lengths before allocating; never throws on malformed content
/// (it reports it), only on I/O failure.
/// </summary>
internal sealed class SegmentReader : IDisposable
{
    private readonly FileStream _stream;
    private readonly byte[] _lengthBuffer = new byte[4];

    private SegmentReader(FileStream stream, long firstIndex)
    {
        _stream = stream;
        FirstIndex = firstIndex;
        Position = SegmentFormat.HeaderSize;
        // Taken once: the writer may append while this reads, and asking per frame would cost a system call each.
        Length = stream.Length;
    }

    /// <summary>The first index from the header.</summary>
    public long FirstIndex { get; }

    /// <summary>The offset of the next frame.</summary>
    public long Position { get; private set; }

    /// <summary>The segment's length when it was opened.</summary>
    public long Length { get; }

    /// <summary>Whether every byte from <paramref name="offset"/> to the length this reader saw is zero (the end of the last segment).</summary>
    public bool IsZeroFrom(long offset) => SegmentFormat.IsZeroFilled(_stream.SafeFileHandle, offset, Length);

    /// <summary>Opens a segment and checks its header; null with the reason when the header is bad.</summary>
    public static SegmentReader? Open(string path, out string? error)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 20, FileOptions.SequentialScan);
        try
        {
            byte[] header = new byte[SegmentFormat.HeaderSize];
            int read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            long? first = null;
            error = "segment shorter than its header";
            if (read == header.Length)
            {
                first = SegmentFormat.ParseHeader(header, out error);
            }

            if (first is null)
            {
                stream.Dispose();
                return null;
            }

            return new SegmentReader(stream, first.Value);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Continues reading at <paramref name="position"/>, which must be where a frame starts.</summary>
    public void Seek(long position)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(position, SegmentFormat.HeaderSize);
        _stream.Position = position;
        Position = position;
    }

    /// <summary>Reads the next frame.</summary>
    public SegmentFrameStatus Next(out SegmentFrame frame)
    {
        frame = default;
        long start = Position;
        long remaining = Length - start;
        if (remaining == 0)
        {
            return SegmentFrameStatus.End;
        }

        if (remaining < 4)
        {
            return SegmentFrameStatus.Incomplete;
        }

        _stream.ReadExactly(_lengthBuffer);
        int length = BinaryPrimitives.ReadInt32BigEndian(_lengthBuffer);
        if (length == 0)
        {
            _stream.Position = start;
            return SegmentFrameStatus.Padding;
        }

        if (length is < AuditLeaf.MinLength or > AuditLeaf.MaxLength)
        {
            return SegmentFrameStatus.BadLength;
        }

        if (remaining < 4L + length + AuditLeaf.HashSize)
        {
            return SegmentFrameStatus.Incomplete;
        }

        byte[] leaf = new byte[length];
        _stream.ReadExactly(leaf);
        byte[] hash = new byte[AuditLeaf.HashSize];
        _stream.ReadExactly(hash);
        Position = start + 4 + length + AuditLeaf.HashSize;
        frame = new SegmentFrame(start, leaf, hash, Position);
        return SegmentFrameStatus.Complete;
    }

    /// <summary>
    /// Reads the next frame's leaf into <paramref name="buffer"/> at <paramref name="at"/> (growing it when needed) and its
    /// stored hash into <paramref name="storedHash"/>: the bulk path of verification, without an allocation per frame.
    /// </summary>
    public SegmentFrameStatus NextInto(ref byte[] buffer, int at, out int leafLength, Span<byte> storedHash)
    {
        leafLength = 0;
        long start = Position;
        long remaining = Length - start;
        if (remaining == 0)
        {
            return SegmentFrameStatus.End;
        }

        if (remaining < 4)
        {
            return SegmentFrameStatus.Incomplete;
        }

        _stream.ReadExactly(_lengthBuffer);
        int length = BinaryPrimitives.ReadInt32BigEndian(_lengthBuffer);
        if (length == 0)
        {
            _stream.Position = start;
            return SegmentFrameStatus.Padding;
        }

        if (length is < AuditLeaf.MinLength or > AuditLeaf.MaxLength)
        {
            return SegmentFrameStatus.BadLength;
        }

        if (remaining < 4L + length + AuditLeaf.HashSize)
        {
            return SegmentFrameStatus.Incomplete;
        }

        if (buffer.Length < at + length)
        {
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, at + length));
        }

        _stream.ReadExactly(buffer, at, length);
        _stream.ReadExactly(storedHash);
        leafLength = length;
        Position = start + 4 + length + AuditLeaf.HashSize;
        return SegmentFrameStatus.Complete;
    }

    public void Dispose() => _stream.Dispose();
}
