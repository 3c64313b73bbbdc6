using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Gateway.Dicom.Tests.Support;

/// <summary>Walks the File Meta Information of a Part 10 file by hand (PS3.10 7.1), without the codec.</summary>
internal static class Part10
{
    public const int PreambleAndPrefix = 132;

    /// <summary>The meta elements after the preamble: tag, VR, offset of the header and the value.</summary>
    public static List<(DicomTag Tag, string VR, int Offset, byte[] Value)> MetaElements(byte[] file)
    {
        var list = new List<(DicomTag, string, int, byte[])>();
        int at = PreambleAndPrefix;
        while (at + 8 <= file.Length && BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(at)) == 0x0002)
        {
            var tag = new DicomTag(0x0002, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(at + 2)));
            string vr = Encoding.ASCII.GetString(file, at + 4, 2);
            int headerLength = ByteBuilder.LongLengthVRs.Contains(vr) ? 12 : 8;
            int length = headerLength == 12
                ? (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 8))
                : BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(at + 6));
            list.Add((tag, vr, at, file.AsSpan(at + headerLength, length).ToArray()));
            at += headerLength + length;
        }

        return list;
    }

    /// <summary>The offset of the first byte after the File Meta Information, found by walking its elements.</summary>
    public static int DatasetOffset(byte[] file)
    {
        var last = MetaElements(file)[^1];
        int headerLength = ByteBuilder.LongLengthVRs.Contains(last.VR) ? 12 : 8;
        return last.Offset + headerLength + last.Value.Length;
    }

    /// <summary>Inflates raw deflate (RFC 1951) bytes.</summary>
    public static byte[] Inflate(ReadOnlySpan<byte> deflated)
    {
        using var input = new MemoryStream(deflated.ToArray());
        using var inflater = new DeflateStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        inflater.CopyTo(output);
        return output.ToArray();
    }
}
