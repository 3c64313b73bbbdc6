using System.Buffers.Binary;
using System.Text;

namespace Gateway.Dicom.Tests.Support;

/// <summary>
/// Builds DICOM bytes by hand from the rules of PS3.5 7.1, independently of the codec under test, so golden tests
/// compare the codec with the standard rather than with itself.
/// </summary>
internal sealed class ByteBuilder(bool bigEndian = false)
{
    /// <summary>PS3.5 7.1.2, Table 7.1-1: the VRs whose explicit header has 2 reserved bytes and a 32-bit length.</summary>
    public static readonly IReadOnlySet<string> LongLengthVRs =
        new HashSet<string>(StringComparer.Ordinal) { "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV" };

    private readonly List<byte> _bytes = [];

    public int Length => _bytes.Count;

    public ByteBuilder U16(ushort value)
    {
        Span<byte> s = stackalloc byte[2];
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(s, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(s, value);
        }

        return Raw(s);
    }

    public ByteBuilder U32(uint value)
    {
        Span<byte> s = stackalloc byte[4];
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(s, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(s, value);
        }

        return Raw(s);
    }

    public ByteBuilder Tag(ushort group, ushort element) => U16(group).U16(element);

    public ByteBuilder Ascii(string text) => Raw(Encoding.ASCII.GetBytes(text));

    public ByteBuilder Raw(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            _bytes.Add(b);
        }

        return this;
    }

    public ByteBuilder Zeros(int count) => Raw(new byte[count]);

    /// <summary>An explicit VR header (PS3.5 7.1.2): tag, VR, then 00 00 + 32-bit length or a 16-bit length.</summary>
    public ByteBuilder ExplicitHeader(ushort group, ushort element, string vr, uint length)
    {
        Tag(group, element).Ascii(vr);
        if (LongLengthVRs.Contains(vr))
        {
            return U16(0).U32(length);
        }

        return U16(checked((ushort)length));
    }

    /// <summary>An explicit VR element; <paramref name="value"/> is taken as already in this builder's byte order.</summary>
    public ByteBuilder Explicit(ushort group, ushort element, string vr, ReadOnlySpan<byte> value) =>
        ExplicitHeader(group, element, vr, (uint)value.Length).Raw(value);

    public ByteBuilder Explicit(ushort group, ushort element, string vr, string text) =>
        Explicit(group, element, vr, Encoding.ASCII.GetBytes(text));

    /// <summary>An implicit VR header (PS3.5 7.1.3): tag and 32-bit length.</summary>
    public ByteBuilder ImplicitHeader(ushort group, ushort element, uint length) => Tag(group, element).U32(length);

    public ByteBuilder Implicit(ushort group, ushort element, ReadOnlySpan<byte> value) =>
        ImplicitHeader(group, element, (uint)value.Length).Raw(value);

    public ByteBuilder Implicit(ushort group, ushort element, string text) =>
        Implicit(group, element, Encoding.ASCII.GetBytes(text));

    /// <summary>Item (FFFE,E000) with <paramref name="length"/> (0xFFFFFFFF for undefined).</summary>
    public ByteBuilder Item(uint length = 0xFFFF_FFFF) => Tag(0xFFFE, 0xE000).U32(length);

    /// <summary>Item Delimitation Item (FFFE,E00D).</summary>
    public ByteBuilder ItemEnd() => Tag(0xFFFE, 0xE00D).U32(0);

    /// <summary>Sequence Delimitation Item (FFFE,E0DD).</summary>
    public ByteBuilder SequenceEnd() => Tag(0xFFFE, 0xE0DD).U32(0);

    public byte[] ToArray() => [.. _bytes];
}
