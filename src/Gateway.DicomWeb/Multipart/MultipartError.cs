namespace Gateway.DicomWeb.Multipart;

/// <summary>Why a multipart/related body (RFC 2046 5.1, RFC 2387) was refused.</summary>
public enum MultipartError
{
    /// <summary>The request's Content-Type is malformed (a media type that is merely not multipart/related is <see cref="UnsupportedMediaType"/>).</summary>
    InvalidContentType,

    /// <summary>The Content-Type has no boundary parameter, or one RFC 2046 does not allow (1 to 70 characters of bchars).</summary>
    InvalidBoundary,

    /// <summary>The body does not start with the boundary within the preamble limit.</summary>
    MissingBoundary,

    /// <summary>A boundary line is followed by something other than "--", transport padding and CRLF.</summary>
    MalformedBoundary,

    /// <summary>The body ended before the close delimiter ("--boundary--").</summary>
    Truncated,

    /// <summary>A part header is malformed: not "name: value", a bare CR or LF, a folded line, a control character.</summary>
    InvalidHeader,

    /// <summary>A part's header block is over the limit in bytes or in lines.</summary>
    HeaderTooLarge,

    /// <summary>The body is not multipart/related, or a part's media type is not the one the request declared or the caller accepts (415).</summary>
    UnsupportedMediaType,

    /// <summary>More parts than the limit (413).</summary>
    TooManyParts,

    /// <summary>A part is over the size limit (413).</summary>
    PartTooLarge,

    /// <summary>The body is over the total size limit (413).</summary>
    BodyTooLarge,
}
