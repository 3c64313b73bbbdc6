using System.Collections.Frozen;

namespace Gateway.Dicom;

/// <summary>A transfer syntax: the encoding of a data set and of its pixel data (PS3.5 10).</summary>
public sealed class DicomTransferSyntax : IEquatable<DicomTransferSyntax>
{
    private DicomTransferSyntax(string uid, string name, DicomEncoding encoding, bool isDeflated, bool isEncapsulated, bool isRetired)
    {
        Uid = new DicomUid(uid);
        Name = name;
        Encoding = encoding;
        IsDeflated = isDeflated;
        IsEncapsulated = isEncapsulated;
        IsRetired = isRetired;
    }

    /// <summary>The transfer syntax UID.</summary>
    public DicomUid Uid { get; }

    /// <summary>A readable name, for example "Explicit VR Little Endian".</summary>
    public string Name { get; }

    /// <summary>How the data set's elements are encoded.</summary>
    public DicomEncoding Encoding { get; }

    /// <summary>True when the data set after the File Meta Information is deflated (RFC 1951, PS3.5 A.5).</summary>
    public bool IsDeflated { get; }

    /// <summary>True when pixel data is encapsulated (compressed) in fragments (PS3.5 A.4).</summary>
    public bool IsEncapsulated { get; }

    /// <summary>True when the standard retired it.</summary>
    public bool IsRetired { get; }

    /// <summary>True when this is one of the recognised transfer syntaxes (not one made up for an unknown UID).</summary>
    public bool IsKnown => Known.ContainsKey(Uid.Value);

    /// <summary>Implicit VR Little Endian, the default transfer syntax (1.2.840.10008.1.2).</summary>
    public static readonly DicomTransferSyntax ImplicitVRLittleEndian = new("1.2.840.10008.1.2", "Implicit VR Little Endian", DicomEncoding.ImplicitLittleEndian, false, false, false);

    /// <summary>Explicit VR Little Endian (1.2.840.10008.1.2.1).</summary>
    public static readonly DicomTransferSyntax ExplicitVRLittleEndian = new("1.2.840.10008.1.2.1", "Explicit VR Little Endian", DicomEncoding.ExplicitLittleEndian, false, false, false);

    /// <summary>Explicit VR Big Endian, retired but still read and written (1.2.840.10008.1.2.2).</summary>
    public static readonly DicomTransferSyntax ExplicitVRBigEndian = new("1.2.840.10008.1.2.2", "Explicit VR Big Endian", DicomEncoding.ExplicitBigEndian, false, false, true);

    /// <summary>Deflated Explicit VR Little Endian (1.2.840.10008.1.2.1.99).</summary>
    public static readonly DicomTransferSyntax DeflatedExplicitVRLittleEndian = new("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", DicomEncoding.ExplicitLittleEndian, true, false, false);

    /// <summary>Encapsulated Uncompressed Explicit VR Little Endian (1.2.840.10008.1.2.1.98).</summary>
    public static readonly DicomTransferSyntax EncapsulatedUncompressedExplicitVRLittleEndian = new("1.2.840.10008.1.2.1.98", "Encapsulated Uncompressed Explicit VR Little Endian", DicomEncoding.ExplicitLittleEndian, false, true, false);

    /// <summary>JPEG Baseline (Process 1) (1.2.840.10008.1.2.4.50).</summary>
    public static readonly DicomTransferSyntax JpegBaseline = Encapsulated("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)");

    /// <summary>JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, SV1) (1.2.840.10008.1.2.4.70).</summary>
    public static readonly DicomTransferSyntax JpegLosslessSV1 = Encapsulated("1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction");

    /// <summary>JPEG-LS Lossless (1.2.840.10008.1.2.4.80).</summary>
    public static readonly DicomTransferSyntax JpegLSLossless = Encapsulated("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression");

    /// <summary>JPEG 2000 Lossless Only (1.2.840.10008.1.2.4.90).</summary>
    public static readonly DicomTransferSyntax Jpeg2000Lossless = Encapsulated("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)");

    /// <summary>RLE Lossless (1.2.840.10008.1.2.5).</summary>
    public static readonly DicomTransferSyntax RleLossless = Encapsulated("1.2.840.10008.1.2.5", "RLE Lossless");

    private static readonly FrozenDictionary<string, DicomTransferSyntax> Known = BuildKnown();

    /// <summary>Every transfer syntax the codec recognises.</summary>
    public static IEnumerable<DicomTransferSyntax> All => Known.Values;

    /// <summary>
    /// Looks up a transfer syntax by UID. An unknown but syntactically valid UID under the DICOM root is taken as an
    /// encapsulated explicit VR little endian syntax (every transfer syntax the standard added after the uncompressed
    /// ones is), so its pixel data is carried through untouched.
    /// </summary>
    /// <returns>False when <paramref name="uid"/> is not a valid UID.</returns>
    public static bool TryLookup(string uid, out DicomTransferSyntax syntax)
    {
        uid = uid.TrimEnd('\0', ' ');
        if (Known.TryGetValue(uid, out DicomTransferSyntax? known))
        {
            syntax = known;
            return true;
        }

        if (!new DicomUid(uid).IsValid)
        {
            syntax = ExplicitVRLittleEndian;
            return false;
        }

        syntax = new DicomTransferSyntax(uid, "Unknown transfer syntax " + uid, DicomEncoding.ExplicitLittleEndian, false, true, false);
        return true;
    }

    /// <summary>Looks up a transfer syntax by UID; see <see cref="TryLookup"/>.</summary>
    /// <exception cref="ArgumentException">The UID is not valid.</exception>
    public static DicomTransferSyntax Parse(string uid) =>
        TryLookup(uid, out DicomTransferSyntax syntax) ? syntax : throw new ArgumentException($"'{uid}' is not a transfer syntax UID.", nameof(uid));

    /// <inheritdoc />
    public bool Equals(DicomTransferSyntax? other) => other is not null && other.Uid == Uid;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as DicomTransferSyntax);

    /// <inheritdoc />
    public override int GetHashCode() => Uid.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Uid})";

    private static DicomTransferSyntax Encapsulated(string uid, string name, bool retired = false) =>
        new(uid, name, DicomEncoding.ExplicitLittleEndian, false, true, retired);

    private static FrozenDictionary<string, DicomTransferSyntax> BuildKnown()
    {
        DicomTransferSyntax[] list =
        [
            ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian, DeflatedExplicitVRLittleEndian,
            EncapsulatedUncompressedExplicitVRLittleEndian, JpegBaseline, JpegLosslessSV1, JpegLSLossless, Jpeg2000Lossless, RleLossless,
            Encapsulated("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)"),
            Encapsulated("1.2.840.10008.1.2.4.52", "JPEG Extended (Process 3 & 5)", true),
            Encapsulated("1.2.840.10008.1.2.4.53", "JPEG Spectral Selection, Non-Hierarchical (Process 6 & 8)", true),
            Encapsulated("1.2.840.10008.1.2.4.55", "JPEG Full Progression, Non-Hierarchical (Process 10 & 12)", true),
            Encapsulated("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)"),
            Encapsulated("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression"),
            Encapsulated("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression"),
            Encapsulated("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)"),
            Encapsulated("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component Image Compression"),
            Encapsulated("1.2.840.10008.1.2.4.94", "JPIP Referenced"),
            Encapsulated("1.2.840.10008.1.2.4.95", "JPIP Referenced Deflate"),
            Encapsulated("1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level"),
            Encapsulated("1.2.840.10008.1.2.4.101", "MPEG2 Main Profile / High Level"),
            Encapsulated("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1"),
            Encapsulated("1.2.840.10008.1.2.4.103", "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1"),
            Encapsulated("1.2.840.10008.1.2.4.104", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video"),
            Encapsulated("1.2.840.10008.1.2.4.105", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video"),
            Encapsulated("1.2.840.10008.1.2.4.106", "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2"),
            Encapsulated("1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1"),
            Encapsulated("1.2.840.10008.1.2.4.108", "HEVC/H.265 Main 10 Profile / Level 5.1"),
            Encapsulated("1.2.840.10008.1.2.4.110", "JPEG XL Lossless"),
            Encapsulated("1.2.840.10008.1.2.4.111", "JPEG XL JPEG Recompression"),
            Encapsulated("1.2.840.10008.1.2.4.112", "JPEG XL"),
            Encapsulated("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)"),
            Encapsulated("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)"),
            Encapsulated("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression"),
        ];
        return list.ToFrozenDictionary(ts => ts.Uid.Value, StringComparer.Ordinal);
    }
}
