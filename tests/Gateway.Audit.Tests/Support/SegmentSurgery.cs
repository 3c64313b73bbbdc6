using System.Buffers.Binary;
using Gateway.Audit.Storage;

namespace Gateway.Audit.Tests.Support;

/// <summary>Rewrites segment files frame by frame, as an attacker with write access to the disk would.</summary>
internal static class SegmentSurgery
{
    public sealed record Frame(long Offset, byte[] Leaf, byte[] Hash);

    public static List<Frame> ReadFrames(string segmentPath)
    {
        byte[] bytes = File.ReadAllBytes(segmentPath);
        var frames = new List<Frame>();
        int at = SegmentFormat.HeaderSize;
        while (at + 4 <= bytes.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
            if (length == 0 || at + 4 + length + 32 > bytes.Length)
            {
                break;
            }

            frames.Add(new Frame(at, bytes.AsSpan(at + 4, length).ToArray(), bytes.AsSpan(at + 4 + length, 32).ToArray()));
            at += 4 + length + 32;
        }

        return frames;
    }

    public static void WriteFrames(string segmentPath, IEnumerable<Frame> frames)
    {
        byte[] header = File.ReadAllBytes(segmentPath)[..SegmentFormat.HeaderSize];
        using var stream = new MemoryStream();
        stream.Write(header);
        foreach (Frame frame in frames)
        {
            byte[] length = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, frame.Leaf.Length);
            stream.Write(length);
            stream.Write(frame.Leaf);
            stream.Write(frame.Hash);
        }

        File.WriteAllBytes(segmentPath, stream.ToArray());
    }

    /// <summary>Where the segment's records end: after its last complete frame (the zeros written ahead start there).</summary>
    public static long RecordsEnd(string segmentPath)
    {
        List<Frame> frames = ReadFrames(segmentPath);
        return frames.Count == 0 ? SegmentFormat.HeaderSize : frames[^1].Offset + 4 + frames[^1].Leaf.Length + 32;
    }

    /// <summary>Writes <paramref name="bytes"/> where the records end, as the write of the next batch would.</summary>
    public static void WriteAtRecordsEnd(string segmentPath, ReadOnlySpan<byte> bytes, long skip = 0)
    {
        long at = RecordsEnd(segmentPath) + skip;
        using var stream = new FileStream(segmentPath, FileMode.Open, FileAccess.Write);
        stream.Position = at;
        stream.Write(bytes);
    }

    public static string OnlySegment(string directory) => new AuditLogPaths(directory).ListSegments().Single().Path;
}
