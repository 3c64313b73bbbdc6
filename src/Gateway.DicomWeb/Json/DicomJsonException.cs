using System.Globalization;

namespace Gateway.DicomWeb.Json;

/// <summary>The one exception of the DICOM JSON reader and writer: what went wrong, where in the input, and in which attribute.</summary>
public sealed class DicomJsonException : Exception
{
    /// <summary>Creates an exception for <paramref name="reason"/>.</summary>
    /// <param name="reason">What went wrong.</param>
    /// <param name="offset">The byte offset in the JSON input, or -1 when writing.</param>
    /// <param name="path">The attribute path ("00081199/0/00081155"), or null at the top.</param>
    /// <param name="detail">A short description without offset and path; it never quotes values (they may be patient data).</param>
    /// <param name="inner">The exception that caused this one.</param>
    public DicomJsonException(DicomJsonError reason, long offset, string? path, string detail, Exception? inner = null)
        : base(Format(reason, offset, path, detail), inner)
    {
        Reason = reason;
        Offset = offset;
        Path = path;
        Detail = detail;
    }

    /// <summary>What went wrong.</summary>
    public DicomJsonError Reason { get; }

    /// <summary>The byte offset in the JSON input where reading failed, or -1 when writing.</summary>
    public long Offset { get; }

    /// <summary>The path of the attribute being read or written ("GGGGEEEE", nested "SSSSSSSS/i/GGGGEEEE"), or null.</summary>
    public string? Path { get; }

    /// <summary>A short description without the offset and path.</summary>
    public string Detail { get; }

    private static string Format(DicomJsonError reason, long offset, string? path, string detail) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{detail} ({reason}){(offset >= 0 ? $" at byte {offset}" : string.Empty)}{(path is null ? string.Empty : $", attribute {path}")}");
}
