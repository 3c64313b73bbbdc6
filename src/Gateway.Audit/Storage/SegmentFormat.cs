using System.Buffers.Binary;

namespace Gateway.Audit.Storage;

/// <summary>
/// Segment files: a 32-byte header, then frames.
/// <code>
/// header:  8 magic "GWAUDSEG" | 2 version (1) | 2 header size (32) | 4 reserved (0) | 8 first index | 8 reserved (0)
/// frame:   4 leaf length L | L leaf bytes (see AuditLeaf) | 32 leaf hash SHA-256(0x00 || leaf)
/// </code>
/// All integers big-endian. The stored leaf hash lets a reader tell a torn final frame from a complete one.
/// <para>
/// The last segment may end in zeros: space the writer filled ahead of its writes, so that a sync after an append
/// flushes data only, not the file's new size (see <see cref="AuditLogOptions.SegmentPreallocationBytes"/>). A length
/// field of 0 (no leaf is empty) marks where its records end; everything after it must be zero. A rolled segment, and
/// the last one after an orderly close, end exactly after their last frame.
/// </para>
/// </summary>
internal static class SegmentFormat
{
    public const int HeaderSize = 32;
    public const ushort Version = 1;
    public const int FrameOverhead = 4 + AuditLeaf.HashSize;
    public static ReadOnlySpan<byte> Magic => "GWAUDSEG"u8;

    /// <summary>Whether every byte of <paramref name="file"/> from <paramref name="offset"/> to <paramref name="end"/> is zero.</summary>
    public static bool IsZeroFilled(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long end)
    {
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (offset < end)
            {
                int read = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, end - offset)), offset);
                if (read <= 0)
                {
                    return true;
                }

                if (buffer.AsSpan(0, read).ContainsAnyExcept((byte)0))
                {
                    return false;
                }

                offset += read;
            }

            return true;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static byte[] Header(long firstIndex)
    {
        byte[] header = new byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(8), Version);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), HeaderSize);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(16), firstIndex);
        return header;
    }

    /// <summary>The first index of a valid header, or null with the reason.</summary>
    public static long? ParseHeader(ReadOnlySpan<byte> header, out string? error)
    {
        error = null;
        if (header.Length < HeaderSize || !header[..8].SequenceEqual(Magic))
        {
            error = "not an audit segment (bad magic)";
            return null;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(header[8..]) != Version || BinaryPrimitives.ReadUInt16BigEndian(header[10..]) != HeaderSize)
        {
            error = "unsupported segment version";
            return null;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(header[12..]) != 0 || BinaryPrimitives.ReadInt64BigEndian(header[24..]) != 0)
        {
            error = "segment header reserved bytes are not zero";
            return null;
        }

        long first = BinaryPrimitives.ReadInt64BigEndian(header[16..]);
        if (first < 0)
        {
            error = "negative first index in segment header";
            return null;
        }

        return first;
    }
}
