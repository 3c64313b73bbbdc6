using System.Buffers.Binary;
using System.Globalization;

namespace Gateway.Dicom.Interop.Tests.Support;

/// <summary>Encapsulated pixel data (PS3.5 A.4) as DCMTK sees it.</summary>
internal static class EncapsulatedPixelData
{
    /// <summary>
    /// The value field of the top-level encapsulated (7FE0,0010) of <paramref name="path"/> rebuilt from dcmdump's listing of its
    /// items (printed in full with +L): per item the tag (FFFE,E000), the 32-bit length and the bytes, then the sequence delimiter.
    /// </summary>
    public static async Task<byte[]> FromDcmdumpAsync(string path)
    {
        var bytes = new MemoryStream();
        foreach (byte[] item in await FragmentsFromDcmdumpAsync(path))
        {
            WriteItemHeader(bytes, 0xE000, (uint)item.Length);
            bytes.Write(item);
        }

        WriteItemHeader(bytes, 0xE0DD, 0);
        return bytes.ToArray();
    }

    /// <summary>The items (fragments, the Basic Offset Table first) of the top-level encapsulated pixel data, as dcmdump +L lists them.</summary>
    public static async Task<IReadOnlyList<byte[]>> FragmentsFromDcmdumpAsync(string path)
    {
        ToolResult dump = (await ExternalTool.RunAsync("dcmdump", "+L", path)).EnsureSuccess();
        IReadOnlyList<DumpLine> lines = DumpLine.Parse(dump.StandardOutput);
        int start = lines.ToList().FindIndex(l => l.Depth == 0 && l.Tag == "7fe0,0010");
        Assert.True(start >= 0 && lines[start].Value.StartsWith("(PixelSequence", StringComparison.Ordinal), $"dcmdump shows no encapsulated pixel data in {path}");
        var items = new List<byte[]>();
        foreach (DumpLine item in lines.Skip(start + 1).TakeWhile(l => l.IsFragment))
        {
            byte[] value = item.HexBytes();
            Assert.Equal(item.Length, value.Length.ToString(CultureInfo.InvariantCulture));
            items.Add(value);
        }

        Assert.NotEmpty(items);
        return items;
    }

    private static void WriteItemHeader(Stream stream, ushort element, uint length)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(header, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], element);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], length);
        stream.Write(header);
    }
}
