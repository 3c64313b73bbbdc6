using System.Globalization;

namespace Gateway.Dicom;

/// <summary>The one exception the codec throws for input it cannot read: what went wrong, where, and in which element.</summary>
public sealed class DicomFormatException : Exception
{
    /// <summary>Creates an exception for <paramref name="reason"/> at byte <paramref name="offset"/>.</summary>
    public DicomFormatException(DicomFormatError reason, long offset, DicomTag? tag, string detail, Exception? inner = null)
        : base(Format(reason, offset, tag, detail), inner)
    {
        Reason = reason;
        Offset = offset;
        Tag = tag;
        Detail = detail;
    }

    /// <summary>What went wrong.</summary>
    public DicomFormatError Reason { get; }

    /// <summary>The byte offset in the input where reading failed (from the start of the file or stream).</summary>
    public long Offset { get; }

    /// <summary>The element being read, when known.</summary>
    public DicomTag? Tag { get; }

    /// <summary>A short description without the offset and tag.</summary>
    public string Detail { get; }

    private static string Format(DicomFormatError reason, long offset, DicomTag? tag, string detail) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{detail} ({reason}) at offset {offset} (0x{offset:X}){(tag is { } t ? $", tag {t}" : string.Empty)}");
}
