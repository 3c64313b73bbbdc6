namespace Gateway.DicomWeb.Multipart;

/// <summary>One part of a multipart/related body: its headers, and its body as a stream that ends at the next boundary.</summary>
/// <remarks>
/// The body is read from the request as the caller reads it, never buffered whole. It is valid until the next
/// <see cref="MultipartReader.ReadNextPartAsync"/>, which skips whatever the caller left unread.
/// </remarks>
public sealed class MultipartPart
{
    internal MultipartPart(int index, long offset, IReadOnlyList<KeyValuePair<string, string>> headers, MediaType? contentType, Stream body)
    {
        Index = index;
        Offset = offset;
        Headers = headers;
        ContentType = contentType;
        Body = body;
    }

    /// <summary>The position of the part in the body, from 0.</summary>
    public int Index { get; }

    /// <summary>The byte offset of the part's body in the request body.</summary>
    public long Offset { get; }

    /// <summary>The part's headers in order, names as written, values trimmed.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The part's Content-Type, or null when it has none.</summary>
    public MediaType? ContentType { get; }

    /// <summary>The part's Content-Location, or null.</summary>
    public string? ContentLocation => Header("Content-Location");

    /// <summary>The part's Content-ID, or null.</summary>
    public string? ContentId => Header("Content-ID");

    /// <summary>The part's body: a read-only, forward-only stream that ends at the part's end.</summary>
    public Stream Body { get; }

    /// <summary>The value of header <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? Header(string name)
    {
        foreach (KeyValuePair<string, string> header in Headers)
        {
            if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value;
            }
        }

        return null;
    }
}
