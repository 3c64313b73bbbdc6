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
            if (at + 4 + length + 32 > bytes.Length)
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

    public static string OnlySegment(string directory) => new AuditLogPaths(directory).ListSegments().Single().Path;
}
