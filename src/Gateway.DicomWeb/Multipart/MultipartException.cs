using System.Globalization;

namespace Gateway.DicomWeb.Multipart;

/// <summary>The one exception of the multipart reader: why the body was refused, where, and the HTTP status to answer with.</summary>
public sealed class MultipartException : Exception
{
    /// <summary>Creates an exception for <paramref name="reason"/>.</summary>
    /// <param name="reason">What went wrong.</param>
    /// <param name="offset">The byte offset in the body, or -1 for the Content-Type header.</param>
    /// <param name="partIndex">The part (from 0) being read, or -1 outside any part.</param>
    /// <param name="detail">A short description; it never quotes body content.</param>
    public MultipartException(MultipartError reason, long offset, int partIndex, string detail)
        : base(Format(reason, offset, partIndex, detail))
    {
        Reason = reason;
        Offset = offset;
        PartIndex = partIndex;
        Detail = detail;
    }

    /// <summary>What went wrong.</summary>
    public MultipartError Reason { get; }

    /// <summary>The byte offset in the body where reading failed, or -1 for the Content-Type header.</summary>
    public long Offset { get; }

    /// <summary>The part (from 0) being read, or -1.</summary>
    public int PartIndex { get; }

    /// <summary>A short description without offset and part.</summary>
    public string Detail { get; }

    /// <summary>
    /// The HTTP status for the answer (PS3.18 8.6 and 10.5.3): 415 for media types the origin does not accept, 413 for
    /// bodies over a limit, 400 for everything malformed.
    /// </summary>
    public int StatusCode => Reason switch
    {
        MultipartError.UnsupportedMediaType => 415,
        MultipartError.TooManyParts or MultipartError.PartTooLarge or MultipartError.BodyTooLarge => 413,
        _ => 400,
    };

    private static string Format(MultipartError reason, long offset, int partIndex, string detail) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{detail} ({reason}){(partIndex >= 0 ? $" in part {partIndex}" : string.Empty)}{(offset >= 0 ? $" at byte {offset}" : string.Empty)}");
}
