namespace Gateway.Dicom;

/// <summary>A value representation (PS3.5 6.2), stored as its two ASCII characters.</summary>
/// <remarks>
/// Any two upper-case letters form a <see cref="DicomVR"/>; <see cref="IsKnown"/> tells whether
/// it is one of the VRs of PS3.5 Table 6.2-1. An unknown VR read from a stream is handled as
/// <see cref="UN"/> with a 32-bit length, as PS3.5 7.1.2 prescribes for VRs added later.
/// </remarks>
public readonly record struct DicomVR
{
    private readonly ushort _code;

    private DicomVR(char first, char second)
    {
        _code = (ushort)((first << 8) | second);
    }

    /// <summary>The first character of the VR.</summary>
    public char First => (char)(_code >> 8);

    /// <summary>The second character of the VR.</summary>
    public char Second => (char)(_code & 0xFF);

    /// <summary>The two-character code, for example "PN".</summary>
    public string Code => _code == 0 ? "--" : Info.Code ?? new string([First, Second]);

    /// <summary>True when no VR is known (the default value).</summary>
    public bool IsNone => _code == 0;

#pragma warning disable CS1591 // The VR codes are their own documentation (PS3.5 Table 6.2-1).
    public static readonly DicomVR AE = new('A', 'E');
    public static readonly DicomVR AS = new('A', 'S');
    public static readonly DicomVR AT = new('A', 'T');
    public static readonly DicomVR CS = new('C', 'S');
    public static readonly DicomVR DA = new('D', 'A');
    public static readonly DicomVR DS = new('D', 'S');
    public static readonly DicomVR DT = new('D', 'T');
    public static readonly DicomVR FD = new('F', 'D');
    public static readonly DicomVR FL = new('F', 'L');
    public static readonly DicomVR IS = new('I', 'S');
    public static readonly DicomVR LO = new('L', 'O');
    public static readonly DicomVR LT = new('L', 'T');
    public static readonly DicomVR OB = new('O', 'B');
    public static readonly DicomVR OD = new('O', 'D');
    public static readonly DicomVR OF = new('O', 'F');
    public static readonly DicomVR OL = new('O', 'L');
    public static readonly DicomVR OV = new('O', 'V');
    public static readonly DicomVR OW = new('O', 'W');
    public static readonly DicomVR PN = new('P', 'N');
    public static readonly DicomVR SH = new('S', 'H');
    public static readonly DicomVR SL = new('S', 'L');
    public static readonly DicomVR SQ = new('S', 'Q');
    public static readonly DicomVR SS = new('S', 'S');
    public static readonly DicomVR ST = new('S', 'T');
    public static readonly DicomVR SV = new('S', 'V');
    public static readonly DicomVR TM = new('T', 'M');
    public static readonly DicomVR UC = new('U', 'C');
    public static readonly DicomVR UI = new('U', 'I');
    public static readonly DicomVR UL = new('U', 'L');
    public static readonly DicomVR UN = new('U', 'N');
    public static readonly DicomVR UR = new('U', 'R');
    public static readonly DicomVR US = new('U', 'S');
    public static readonly DicomVR UT = new('U', 'T');
    public static readonly DicomVR UV = new('U', 'V');
#pragma warning restore CS1591

    /// <summary>The 34 VRs of PS3.5 Table 6.2-1.</summary>
    public static IReadOnlyList<DicomVR> All { get; } =
    [
        AE, AS, AT, CS, DA, DS, DT, FD, FL, IS, LO, LT, OB, OD, OF, OL, OV, OW, PN, SH, SL, SQ, SS, ST, SV, TM, UC, UI, UL, UN, UR, US, UT, UV,
    ];

    /// <summary>Creates a VR from two bytes as they appear in an explicit VR header.</summary>
    /// <returns>False when either byte is not an upper-case ASCII letter.</returns>
    public static bool TryCreate(byte first, byte second, out DicomVR vr)
    {
        if (first is < (byte)'A' or > (byte)'Z' || second is < (byte)'A' or > (byte)'Z')
        {
            vr = default;
            return false;
        }

        vr = new DicomVR((char)first, (char)second);
        return true;
    }

    /// <summary>Parses a two-letter VR code.</summary>
    public static bool TryParse(ReadOnlySpan<char> code, out DicomVR vr)
    {
        if (code.Length != 2 || code[0] > 0x7F || code[1] > 0x7F)
        {
            vr = default;
            return false;
        }

        return TryCreate((byte)code[0], (byte)code[1], out vr);
    }

    /// <summary>Parses a two-letter VR code, throwing on anything else.</summary>
    public static DicomVR Parse(string code) =>
        TryParse(code, out DicomVR vr) ? vr : throw new FormatException($"'{code}' is not a value representation.");

    /// <summary>True for the VRs of PS3.5 Table 6.2-1.</summary>
    public bool IsKnown => Kind != DicomVRKind.Unknown;

    /// <summary>How values of this VR are encoded.</summary>
    public DicomVRKind Kind => Info.Kind;

    /// <summary>
    /// True when an explicit VR header of this VR has two reserved bytes and a 32-bit length
    /// (PS3.5 7.1.2): OB, OD, OF, OL, OV, OW, SQ, SV, UC, UN, UR, UT, UV, and any unknown VR.
    /// </summary>
    public bool HasLongLength => Info.Kind == DicomVRKind.Unknown || Info.HasLongLength;

    /// <summary>True for the character-string VRs whose values are decoded with the Specific Character Set (PS3.5 6.1.2.3).</summary>
    public bool UsesSpecificCharacterSet => Info.UsesSpecificCharacterSet;

    /// <summary>The padding byte that makes a value's length even: NUL for UI and binary VRs, space for text (PS3.5 6.2).</summary>
    public byte PaddingByte => Info.Kind == DicomVRKind.Text && _code != UI._code ? (byte)' ' : (byte)0;

    /// <summary>
    /// The size in bytes of the unit that is byte-swapped between little and big endian: 2 for US, SS, OW and AT
    /// (each tag is two 16-bit numbers), 4 for UL, SL, FL, OF, OL, 8 for FD, OD, SV, UV, OV; 1 (no swap) otherwise.
    /// </summary>
    public int SwapUnit => Math.Max(1, Info.SwapUnit);

    /// <summary>The size of one value of a fixed-size binary VR (AT 4, US 2, FD 8 ...), or 0 for variable sizes.</summary>
    public int ValueSize => Info.ValueSize;

    /// <summary>The largest value length in bytes the standard allows for one value of a text VR, or 0 when unbounded.</summary>
    public int MaxValueLength => Info.MaxValueLength;

    /// <summary>True for text VRs whose value may be multi-valued with backslash separators (not LT, ST, UT, UR).</summary>
    public bool AllowsMultipleTextValues => Info.Kind == DicomVRKind.Text && !Info.SingleTextValue;

    // Properties are read several times per element on hot paths: they come from a table indexed by the two letters,
    // built once, rather than from string comparisons (which allocated a string per read).
    private VRInfo Info
    {
        get
        {
            int index = TableIndex(_code);
            return index >= 0 ? Table[index] : default;
        }
    }

    private static readonly VRInfo[] Table = BuildTable();

    private static int TableIndex(ushort code)
    {
        int first = (code >> 8) - 'A';
        int second = (code & 0xFF) - 'A';
        return (uint)first < 26 && (uint)second < 26 ? (first * 26) + second : -1;
    }

    private static VRInfo[] BuildTable()
    {
        var table = new VRInfo[26 * 26];
        void Add(string code, DicomVRKind kind, bool longLength = false, bool charset = false, int swap = 1, int size = 0, int max = 0, bool single = false) =>
            table[TableIndex((ushort)((code[0] << 8) | code[1]))] = new VRInfo(code, kind, longLength, charset, swap, size, max, single);

        Add("AE", DicomVRKind.Text, max: 16);
        Add("AS", DicomVRKind.Text, max: 4);
        Add("AT", DicomVRKind.Binary, swap: 2, size: 4);
        Add("CS", DicomVRKind.Text, max: 16);
        Add("DA", DicomVRKind.Text, max: 8);
        Add("DS", DicomVRKind.Text, max: 16);
        Add("DT", DicomVRKind.Text, max: 26);
        Add("FD", DicomVRKind.Binary, swap: 8, size: 8);
        Add("FL", DicomVRKind.Binary, swap: 4, size: 4);
        Add("IS", DicomVRKind.Text, max: 12);
        Add("LO", DicomVRKind.Text, charset: true, max: 64);
        Add("LT", DicomVRKind.Text, charset: true, max: 10240, single: true);
        Add("OB", DicomVRKind.Bulk, longLength: true);
        Add("OD", DicomVRKind.Bulk, longLength: true, swap: 8);
        Add("OF", DicomVRKind.Bulk, longLength: true, swap: 4);
        Add("OL", DicomVRKind.Bulk, longLength: true, swap: 4);
        Add("OV", DicomVRKind.Bulk, longLength: true, swap: 8);
        Add("OW", DicomVRKind.Bulk, longLength: true, swap: 2);
        Add("PN", DicomVRKind.Text, charset: true, max: (64 * 3) + 2);
        Add("SH", DicomVRKind.Text, charset: true, max: 16);
        Add("SL", DicomVRKind.Binary, swap: 4, size: 4);
        Add("SQ", DicomVRKind.Sequence, longLength: true);
        Add("SS", DicomVRKind.Binary, swap: 2, size: 2);
        Add("ST", DicomVRKind.Text, charset: true, max: 1024, single: true);
        Add("SV", DicomVRKind.Binary, longLength: true, swap: 8, size: 8);
        Add("TM", DicomVRKind.Text, max: 14);
        Add("UC", DicomVRKind.Text, longLength: true, charset: true);
        Add("UI", DicomVRKind.Text, max: 64);
        Add("UL", DicomVRKind.Binary, swap: 4, size: 4);
        Add("UN", DicomVRKind.Bulk, longLength: true);
        Add("UR", DicomVRKind.Text, longLength: true, single: true);
        Add("US", DicomVRKind.Binary, swap: 2, size: 2);
        Add("UT", DicomVRKind.Text, longLength: true, charset: true, single: true);
        Add("UV", DicomVRKind.Binary, longLength: true, swap: 8, size: 8);
        return table;
    }

    private readonly record struct VRInfo(
        string? Code,
        DicomVRKind Kind,
        bool HasLongLength,
        bool UsesSpecificCharacterSet,
        int SwapUnit,
        int ValueSize,
        int MaxValueLength,
        bool SingleTextValue);

    /// <inheritdoc />
    public override string ToString() => Code;
}
