using System.Buffers.Binary;
using System.Text;

namespace Gateway.Dicom.Network.Tests.Support;

/// <summary>
/// Builds Upper Layer bytes by hand from PS3.8 9.3 and PS3.7 D.3.3 (big-endian lengths, space-padded AE titles,
/// zero reserved fields), independently of <c>PduWriter</c>, so golden tests compare the writer with the standard.
/// </summary>
internal sealed class PduBytes
{
    private readonly List<byte> _bytes = [];

    public int Length => _bytes.Count;

    /// <summary>A whole PDU: type, reserved 00, 32-bit big-endian length of the body, body.</summary>
    public static byte[] Pdu(byte type, Action<PduBytes> body)
    {
        var content = new PduBytes();
        body(content);
        return new PduBytes().U8(type).U8(0).U32((uint)content.Length).Raw(content.ToArray()).ToArray();
    }

    public PduBytes U8(byte value)
    {
        _bytes.Add(value);
        return this;
    }

    public PduBytes U16(ushort value)
    {
        Span<byte> s = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(s, value);
        return Raw(s);
    }

    public PduBytes U32(uint value)
    {
        Span<byte> s = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(s, value);
        return Raw(s);
    }

    public PduBytes Ascii(string text) => Raw(Encoding.ASCII.GetBytes(text));

    public PduBytes Raw(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            _bytes.Add(b);
        }

        return this;
    }

    public PduBytes Zeros(int count) => Raw(new byte[count]);

    /// <summary>An AE title field: 16 bytes, space-padded (PS3.8 9.3.2).</summary>
    public PduBytes AETitle(string title) => Ascii(title.PadRight(16, ' '));

    /// <summary>An item or sub-item: type, reserved (or sub-item version) byte, 16-bit length, content.</summary>
    public PduBytes Item(byte type, Action<PduBytes> content, byte reserved = 0)
    {
        var inner = new PduBytes();
        content(inner);
        return U8(type).U8(reserved).U16((ushort)inner.Length).Raw(inner.ToArray());
    }

    /// <summary>An item whose content is an ASCII string (a UID or name).</summary>
    public PduBytes Item(byte type, string ascii) => Item(type, b => b.Ascii(ascii));

    /// <summary>A 16-bit length then the ASCII text (the UID fields of role selection and extended negotiation).</summary>
    public PduBytes LengthPrefixed(string ascii) => U16((ushort)ascii.Length).Ascii(ascii);

    /// <summary>A presentation data value item (PS3.8 9.3.5.1): 32-bit length, context id, control header, data.</summary>
    public PduBytes Pdv(byte contextId, byte messageControlHeader, ReadOnlySpan<byte> data) =>
        U32((uint)(data.Length + 2)).U8(contextId).U8(messageControlHeader).Raw(data);

    public byte[] ToArray() => [.. _bytes];
}
