using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Policy.Model;

/// <summary>
/// An address range written as an address or CIDR (<c>10.20.0.11</c>, <c>10.20.0.0/24</c>, <c>fd00::/64</c>).
/// </summary>
/// <remarks>
/// Kept in one 128-bit space: an IPv4 network a.b.c.d/n is the IPv4-mapped range ::ffff:a.b.c.d/(96+n), so IPv4
/// clients reaching a dual-stack socket as IPv4-mapped IPv6 addresses match IPv4 networks.
/// </remarks>
public readonly record struct IpNetwork
{
    private static readonly UInt128 V4MappedPrefix = (UInt128)0xFFFF << 32;

    private IpNetwork(UInt128 first, int prefixLength, bool isV4)
    {
        First = first;
        PrefixLength = prefixLength;
        IsV4 = isV4;
    }

    /// <summary>The first address of the range in the 128-bit space.</summary>
    public UInt128 First { get; }

    /// <summary>The prefix length in the 128-bit space (96 + n for IPv4 /n).</summary>
    public int PrefixLength { get; }

    /// <summary>True when written as IPv4.</summary>
    public bool IsV4 { get; }

    /// <summary>The prefix length as written (0-32 for IPv4, 0-128 for IPv6).</summary>
    public int WrittenPrefixLength => IsV4 ? PrefixLength - 96 : PrefixLength;

    /// <summary>The last address of the range in the 128-bit space.</summary>
    public UInt128 Last => First | ~Mask(PrefixLength);

    /// <summary>True for a range of every address of its family (0.0.0.0/0, ::/0).</summary>
    public bool IsAny => WrittenPrefixLength == 0;

    /// <summary>True for one address (/32, /128).</summary>
    public bool IsSingleAddress => PrefixLength == 128;

    /// <summary>Parses an address or CIDR; the host bits of a CIDR must be zero.</summary>
    /// <param name="text">The text.</param>
    /// <param name="network">The network.</param>
    /// <param name="error">Why it does not parse, or null.</param>
    public static bool TryParse(string text, out IpNetwork network, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        network = default;
        string t = text.Trim();
        int slash = t.IndexOf('/', StringComparison.Ordinal);
        string addressPart = slash < 0 ? t : t[..slash];
        if (!IPAddress.TryParse(addressPart, out IPAddress? address) || address.ToString().Contains('%', StringComparison.Ordinal) ||
            (address.AddressFamily == AddressFamily.InterNetwork && !IsDottedQuad(addressPart)))
        {
            error = $"'{text}' is not an IPv4 or IPv6 address or CIDR";
            return false;
        }

        bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
        int max = v4 ? 32 : 128;
        int prefix = max;
        if (slash >= 0 && (!int.TryParse(t.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > max))
        {
            error = $"'{text}': the prefix length must be 0 to {max}";
            return false;
        }

        UInt128 value = ToUInt128(address);
        int prefix128 = v4 ? prefix + 96 : prefix;
        UInt128 first = value & Mask(prefix128);
        if (first != value)
        {
            error = $"'{text}' has host bits set; the network is {Format(first, prefix128, v4)}";
            return false;
        }

        network = new IpNetwork(first, prefix128, v4);
        error = null;
        return true;
    }

    /// <summary>Parses an address or CIDR, throwing <see cref="FormatException"/> when it does not parse.</summary>
    public static IpNetwork Parse(string text) =>
        TryParse(text, out IpNetwork network, out string? error) ? network : throw new FormatException(error);

    /// <summary>
    /// Parses one address strictly: IPv4 only as four decimal parts (not "10.1" or octal "010.0.0.1", which
    /// <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> accepts), IPv6 without a zone index.
    /// </summary>
    public static bool TryParseAddress(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IPAddress.TryParse(text, out address) && !text.Contains('%', StringComparison.Ordinal) &&
            (address.AddressFamily != AddressFamily.InterNetwork || IsDottedQuad(text)))
        {
            return true;
        }

        address = null;
        return false;
    }

    /// <summary>Converts an address to the 128-bit space without allocating; false when it has no bytes to write.</summary>
    public static bool TryToUInt128(IPAddress address, out UInt128 value)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int written))
        {
            value = default;
            return false;
        }

        value = written == 4 ? V4MappedPrefix | BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return written is 4 or 16;
    }

    /// <summary>True when the address lies in the range.</summary>
    public bool Contains(UInt128 address) => (address & Mask(PrefixLength)) == First;

    /// <summary>True when the address lies in the range.</summary>
    public bool Contains(IPAddress address) => TryToUInt128(address, out UInt128 value) && Contains(value);

    /// <summary>True when the ranges share at least one address.</summary>
    public bool Overlaps(IpNetwork other) => First <= other.Last && other.First <= Last;

    /// <summary>True when every address of <paramref name="other"/> lies in this range.</summary>
    public bool Covers(IpNetwork other) => PrefixLength <= other.PrefixLength && Contains(other.First);

    /// <summary>The network for one address (/32 or /128).</summary>
    public static IpNetwork ForAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        bool v4 = address.AddressFamily == AddressFamily.InterNetwork || address.IsIPv4MappedToIPv6;
        return TryToUInt128(address, out UInt128 value) ? new IpNetwork(value, 128, v4) : throw new ArgumentException("The address has no bytes.", nameof(address));
    }

    /// <inheritdoc />
    public override string ToString() => Format(First, PrefixLength, IsV4);

    // Only a.b.c.d with decimal parts: IPAddress also accepts "10.1" and octal "010.0.0.1", which read differently to a person.
    private static bool IsDottedQuad(string text)
    {
        string[] parts = text.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is >= 1 and <= 3 && p.All(char.IsAsciiDigit) && (p.Length == 1 || p[0] != '0'));
    }

    private static UInt128 ToUInt128(IPAddress address) =>
        TryToUInt128(address, out UInt128 value) ? value : throw new ArgumentException("The address has no bytes.", nameof(address));

    private static UInt128 Mask(int prefixLength) => prefixLength == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - prefixLength);

    private static string Format(UInt128 first, int prefix128, bool v4)
    {
        if (v4)
        {
            uint v = (uint)(first & uint.MaxValue);
            string address = $"{v >> 24}.{(v >> 16) & 0xFF}.{(v >> 8) & 0xFF}.{v & 0xFF}";
            return prefix128 == 128 ? address : address + "/" + (prefix128 - 96).ToString(CultureInfo.InvariantCulture);
        }

        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, first);
        string text = new IPAddress(bytes).ToString();
        return prefix128 == 128 ? text : text + "/" + prefix128.ToString(CultureInfo.InvariantCulture);
    }
}
