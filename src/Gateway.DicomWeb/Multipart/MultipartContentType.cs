namespace Gateway.DicomWeb.Multipart;

/// <summary>The Content-Type of a multipart/related body (RFC 2387): its boundary, root type and start.</summary>
/// <param name="Boundary">The boundary (RFC 2046 5.1.1): 1 to 70 bchars, not ending in a space.</param>
/// <param name="Type">The "type" parameter, the media type of the root part (for STOW-RS "application/dicom"), in lower case; null when absent.</param>
/// <param name="Start">The "start" parameter (the Content-ID of the root part), or null.</param>
public sealed record MultipartContentType(string Boundary, string? Type, string? Start)
{
    /// <summary>Parses a request's Content-Type header.</summary>
    /// <exception cref="MultipartException">
    /// <see cref="MultipartError.UnsupportedMediaType"/> when it is not multipart/related; <see cref="MultipartError.InvalidContentType"/>
    /// when it is malformed; <see cref="MultipartError.InvalidBoundary"/> when the boundary is missing or not allowed.
    /// </exception>
    public static MultipartContentType Parse(string? contentType)
    {
        if (!MediaType.TryParse(contentType, out MediaType? mediaType, out string? error))
        {
            throw new MultipartException(MultipartError.InvalidContentType, -1, -1, $"the Content-Type is malformed: {error}");
        }

        if (!mediaType.Is("multipart/related"))
        {
            throw new MultipartException(MultipartError.UnsupportedMediaType, -1, -1, $"the Content-Type is {mediaType.Value}, not multipart/related");
        }

        string? boundary = mediaType["boundary"];
        if (boundary is null)
        {
            throw new MultipartException(MultipartError.InvalidBoundary, -1, -1, "the Content-Type has no boundary parameter");
        }

        if (!IsValidBoundary(boundary, lenient: true))
        {
            throw new MultipartException(MultipartError.InvalidBoundary, -1, -1, "the boundary is not 1 to 70 characters of the RFC 2046 set, or ends in a space");
        }

        string? type = mediaType["type"];
        if (type is not null)
        {
            if (!MediaType.TryParse(type, out MediaType? root, out _))
            {
                throw new MultipartException(MultipartError.InvalidContentType, -1, -1, "the type parameter is not a media type");
            }

            // The root type is compared without its own parameters (application/dicom+xml; ... is rare but legal).
            type = root.Value;
        }

        return new MultipartContentType(boundary, type, mediaType["start"]);
    }

    /// <summary>
    /// The longest boundary accepted. RFC 2046 5.1.1 allows 70 characters, but Orthanc's DICOMweb client sends 73 (two
    /// UUIDs joined by a hyphen), so the limit is looser; it only bounds the delimiter search.
    /// </summary>
    public const int MaxBoundaryLength = 256;

    /// <summary>
    /// RFC 2046 5.1.1: boundary := 0*69&lt;bchars&gt; bcharsnospace; with <paramref name="lenient"/>, up to
    /// <see cref="MaxBoundaryLength"/> characters (what a reader accepts; a writer keeps to 70).
    /// </summary>
    public static bool IsValidBoundary(string boundary, bool lenient = false)
    {
        ArgumentNullException.ThrowIfNull(boundary);
        if (boundary.Length == 0 || boundary.Length > (lenient ? MaxBoundaryLength : 70) || boundary[^1] == ' ')
        {
            return false;
        }

        foreach (char c in boundary)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "'()+_,-./:=? ".Contains(c)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The header value: "multipart/related; type=...; boundary=...".</summary>
    public override string ToString() =>
        "multipart/related" + (Type is null ? string.Empty : $"; type={MediaType.Quote(Type)}") + $"; boundary={MediaType.Quote(Boundary)}" +
        (Start is null ? string.Empty : $"; start={MediaType.Quote(Start)}");
}
