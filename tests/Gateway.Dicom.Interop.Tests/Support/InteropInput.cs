namespace Gateway.Dicom.Interop.Tests.Support;

/// <summary>
/// One test input: a committed text dump (Inputs/<c>Dump</c>.dump) turned into a file by dump2dcm, then re-encoded by a
/// DCMTK tool as <see cref="Variant"/> says.
/// </summary>
internal sealed record InteropInput(string Dump, string Variant)
{
    // dump2dcm's own output: explicit VR little endian, sequences and items with explicit lengths.
    public const string ExplicitLE = "explicit-le";
    public const string ImplicitLE = "implicit-le";
    public const string ExplicitBE = "explicit-be";
    public const string Deflated = "deflated";

    // dcmconv -e: sequences and items with undefined length.
    public const string UndefinedLength = "undefined-length";

    // dcmconv +g: with group length elements.
    public const string GroupLength = "group-length";

    // dcmconv +ti -e: implicit VR with undefined lengths, so a private sequence is an undefined-length UN (CP-246).
    public const string ImplicitLEUndefinedLength = "implicit-le-undefined-length";

    // dcmconv -F: a bare data set, no preamble and no File Meta Information; the reader recognises the encoding.
    public const string DatasetImplicitLE = "dataset-implicit-le";
    public const string DatasetExplicitBE = "dataset-explicit-be";

    public const string JpegBaseline = "jpeg-baseline";
    public const string JpegLossless = "jpeg-lossless";
    public const string JpegLosslessSV1 = "jpeg-lossless-sv1";
    public const string JpegLS = "jpeg-ls";
    public const string Rle = "rle";

    private static readonly string[] Uncompressed = [ExplicitLE, ImplicitLE, ExplicitBE, Deflated];
    private static readonly string[] Charsets =
    [
        "charset-latin1", "charset-utf8", "charset-greek", "charset-korean-iso2022", "charset-gb18030", "charset-jisx0201",
    ];

    /// <summary>"dump/variant", for example "ct-16bit/implicit-le".</summary>
    public string Name => $"{Dump}/{Variant}";

    /// <summary>True when the pixel data is compressed (encapsulated).</summary>
    public bool IsEncapsulated => Variant is JpegBaseline or JpegLossless or JpegLosslessSV1 or JpegLS or Rle;

    /// <summary>True for the images.</summary>
    public bool HasPixelData => Dump.StartsWith("ct-", StringComparison.Ordinal);

    /// <summary>Every input. The ISO 2022 IR 87 one is separate: dcm2json cannot convert it (see its dump).</summary>
    public static IReadOnlyList<InteropInput> All { get; } =
    [
        .. new[]
        {
            ExplicitLE, ImplicitLE, ExplicitBE, Deflated, UndefinedLength, GroupLength, ImplicitLEUndefinedLength, DatasetImplicitLE, DatasetExplicitBE,
            JpegLosslessSV1, JpegLS, Rle,
        }.Select(v => new InteropInput("ct-16bit", v)),
        .. new[] { ExplicitLE, ImplicitLE, ExplicitBE, Deflated, JpegBaseline, JpegLossless, JpegLS, Rle }.Select(v => new InteropInput("ct-8bit-2frames", v)),
        .. Uncompressed.Select(v => new InteropInput("worklist-item", v)),
        .. Uncompressed.Append(DatasetExplicitBE).Select(v => new InteropInput("sr-comprehensive", v)),
        .. Charsets.SelectMany(c => new[] { new InteropInput(c, ExplicitLE), new InteropInput(c, ImplicitLE) }),
    ];

    /// <summary>The input in ISO 2022 IR 87 (JIS X 0208), PS3.5 H.3.1's example.</summary>
    public static InteropInput Japanese { get; } = new("charset-japanese-iso2022", ExplicitLE);

    /// <summary>Looks an input up by <see cref="Name"/>.</summary>
    public static InteropInput Named(string name) =>
        name == Japanese.Name ? Japanese : All.SingleOrDefault(i => i.Name == name) ?? throw new ArgumentException($"No input named '{name}'.", nameof(name));

    /// <summary>The DCMTK decoder for <see cref="IsEncapsulated"/> inputs, which writes explicit VR little endian.</summary>
    public string Decompressor => Variant switch
    {
        JpegBaseline or JpegLossless or JpegLosslessSV1 => "dcmdjpeg",
        JpegLS => "dcmdjpls",
        Rle => "dcmdrle",
        _ => throw new InvalidOperationException($"{Name} is not compressed."),
    };

    /// <summary>The DCMTK command that makes this variant from the explicit VR little endian file (null for that file itself).</summary>
    public (string Program, string[] Options)? Recipe => Variant switch
    {
        ExplicitLE => null,
        ImplicitLE => ("dcmconv", ["+ti"]),
        ExplicitBE => ("dcmconv", ["+tb"]),
        Deflated => ("dcmconv", ["+td"]),
        UndefinedLength => ("dcmconv", ["-e"]),
        GroupLength => ("dcmconv", ["+g"]),
        ImplicitLEUndefinedLength => ("dcmconv", ["+ti", "-e"]),
        DatasetImplicitLE => ("dcmconv", ["-F", "+ti"]),
        DatasetExplicitBE => ("dcmconv", ["-F", "+tb"]),
        JpegBaseline => ("dcmcjpeg", ["+eb"]),
        JpegLossless => ("dcmcjpeg", ["+el"]),
        JpegLosslessSV1 => ("dcmcjpeg", ["+e1"]),
        JpegLS => ("dcmcjpls", []),
        Rle => ("dcmcrle", []),
        _ => throw new InvalidOperationException($"Unknown variant '{Variant}'."),
    };

    /// <inheritdoc />
    public override string ToString() => Name;
}
