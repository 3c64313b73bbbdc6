using System.Buffers.Binary;
using System.Text;

namespace Gateway.Dicom.Tests.Support;

/// <summary>
/// One value of one VR, with its bytes on the wire worked out by hand: padded to even length (PS3.5 6.2: UI with NUL,
/// text with space, binary with NUL) and, for big endian, each unit reversed (PS3.5 7.3: US/SS/OW/AT by 2 bytes,
/// UL/SL/FL/OF/OL by 4, FD/OD/SV/UV/OV by 8; text, OB and UN never).
/// </summary>
/// <param name="VR">The VR code.</param>
/// <param name="Tag">A tag whose dictionary VR is exactly <paramref name="VR"/>, so implicit VR reads resolve it back.</param>
/// <param name="Value">The value as the model holds it: little endian, unpadded.</param>
/// <param name="WireLittle">The value field in a little-endian stream.</param>
/// <param name="WireBig">The value field in a big-endian stream.</param>
internal sealed record VRSample(string VR, DicomTag Tag, byte[] Value, byte[] WireLittle, byte[] WireBig)
{
    /// <summary>One sample for each of the 33 VRs of PS3.5 Table 6.2-1 that are not SQ.</summary>
    public static IReadOnlyList<VRSample> All { get; } = Create();

    public static VRSample Get(string vr) => All.Single(s => s.VR == vr);

    public override string ToString() => VR;

    private static VRSample[] Create() =>
    [
        Text("AE", 0x0008, 0x0054, "STORE_SCP", (byte)' '),
        Text("AS", 0x0010, 0x1010, "045Y", (byte)' '),
        Bin("AT", 0x0028, 0x0009, [0x10, 0x00, 0x20, 0x00], [0x00, 0x10, 0x00, 0x20]),
        Text("CS", 0x0008, 0x0060, "SEG", (byte)' '),
        Text("DA", 0x0008, 0x0020, "20240131", (byte)' '),
        Text("DS", 0x0018, 0x0050, "2.5", (byte)' '),
        Text("DT", 0x0008, 0x002A, "20240131123456.5", (byte)' '),
        Bin("FD", 0x0018, 0x6028, Le(1.5d), Be(1.5d)),
        Bin("FL", 0x0018, 0x0013, Le(1.5f), Be(1.5f)),
        Text("IS", 0x0020, 0x0013, "-7\\12", (byte)' '),
        Text("LO", 0x0010, 0x0020, "PAT-001", (byte)' '),
        Text("LT", 0x0010, 0x21B0, "History", (byte)' '),
        Bulk("OB", 0x0042, 0x0011, [0x01, 0x02, 0x03], [0x01, 0x02, 0x03, 0x00], [0x01, 0x02, 0x03, 0x00]),
        Bulk("OD", 0x0066, 0x0022, [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8], [8, 7, 6, 5, 4, 3, 2, 1]),
        Bulk("OF", 0x0064, 0x0009, [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8], [4, 3, 2, 1, 8, 7, 6, 5]),
        Bulk("OL", 0x0066, 0x0040, [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8], [4, 3, 2, 1, 8, 7, 6, 5]),
        Bulk("OV", 0x7FE0, 0x0001, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [8, 7, 6, 5, 4, 3, 2, 1, 16, 15, 14, 13, 12, 11, 10, 9]),
        Bulk("OW", 0x0028, 0x1201, [1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5]),
        Text("PN", 0x0010, 0x0010, "Doe^John", (byte)' '),
        Text("SH", 0x0008, 0x0050, "ACC1", (byte)' '),
        Bin("SL", 0x0018, 0x6020, [0xFE, 0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0xFE]),
        Bin("SS", 0x0018, 0x9219, [0xFE, 0xFF, 0x34, 0x12], [0xFF, 0xFE, 0x12, 0x34]),
        Text("ST", 0x0008, 0x0081, "Main St.", (byte)' '),
        Bin("SV", 0x0072, 0x0082, [0xFD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFD]),
        Text("TM", 0x0008, 0x0030, "101112.5", (byte)' '),
        Text("UC", 0x0008, 0x0119, "LONGCODE1", (byte)' '),
        Text("UI", 0x0008, 0x0018, "1.2.3.4.5", 0x00),
        Bin("UL", 0x0018, 0x6016, [0x04, 0x03, 0x02, 0x01], [0x01, 0x02, 0x03, 0x04]),
        Bulk("UN", 0x0072, 0x006D, [1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 0], [1, 2, 3, 4, 5, 0]),
        Text("UR", 0x0008, 0x1190, "http://h/x", (byte)' '),
        Bin("US", 0x0028, 0x0010, [0x02, 0x01, 0x04, 0x03], [0x01, 0x02, 0x03, 0x04]),
        Text("UT", 0x0040, 0xA160, "Free text", (byte)' '),
        Bin("UV", 0x0072, 0x0083, [8, 7, 6, 5, 4, 3, 2, 1], [1, 2, 3, 4, 5, 6, 7, 8]),
    ];

    private static VRSample Text(string vr, ushort group, ushort element, string text, byte pad)
    {
        byte[] value = Encoding.ASCII.GetBytes(text);
        byte[] wire = value.Length % 2 == 0 ? value : [.. value, pad];
        return new VRSample(vr, new DicomTag(group, element), value, wire, wire);
    }

    private static VRSample Bin(string vr, ushort group, ushort element, byte[] little, byte[] big) =>
        new(vr, new DicomTag(group, element), little, little, big);

    private static VRSample Bulk(string vr, ushort group, ushort element, byte[] value, byte[] little, byte[] big) =>
        new(vr, new DicomTag(group, element), value, little, big);

    private static byte[] Le(double d)
    {
        byte[] b = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(b, d);
        return b;
    }

    private static byte[] Be(double d)
    {
        byte[] b = new byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(b, d);
        return b;
    }

    private static byte[] Le(float f)
    {
        byte[] b = new byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, f);
        return b;
    }

    private static byte[] Be(float f)
    {
        byte[] b = new byte[4];
        BinaryPrimitives.WriteSingleBigEndian(b, f);
        return b;
    }
}
