using System.Security.Cryptography;
using System.Text;

namespace Gateway.DicomWeb.Multipart;

/// <summary>
/// Writes a multipart/related body (RFC 2046 5.1, RFC 2387), for WADO-RS responses and STOW-RS requests, part by part
/// to a stream: each part's body is copied through, never held whole.
/// </summary>
/// <remarks>
/// The boundary is random (128 bits) unless the caller gives one, so content that happens to contain it is practically
/// impossible; the writer cannot check streamed content for it. Parts are written as "--boundary" CRLF, headers, CRLF,
/// body; the CRLF before the next boundary belongs to the delimiter; the body ends with the close delimiter and CRLF.
/// </remarks>
public sealed class MultipartWriter
{
    private readonly Stream _output;
    private bool _started;
    private bool _completed;

    /// <summary>Creates a writer to <paramref name="output"/>.</summary>
    /// <param name="output">Where the body goes; not disposed by the writer.</param>
    /// <param name="type">The media type of the parts (the "type" parameter), for example "application/dicom".</param>
    /// <param name="boundary">The boundary; a random one when null.</param>
    /// <exception cref="ArgumentException">The boundary is not allowed by RFC 2046, or the type is not a media type.</exception>
    public MultipartWriter(Stream output, string type, string? boundary = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(type);
        boundary ??= NewBoundary();
        if (!MultipartContentType.IsValidBoundary(boundary))
        {
            throw new ArgumentException("The boundary is not 1 to 70 characters of the RFC 2046 set.", nameof(boundary));
        }

        if (!MediaType.TryParse(type, out MediaType? parsed, out _) || parsed.Parameters.Count > 0)
        {
            throw new ArgumentException("The type is not a media type without parameters.", nameof(type));
        }

        _output = output;
        ContentType = new MultipartContentType(boundary, parsed.Value, null);
    }

    /// <summary>The body's Content-Type, with the boundary: the value of the response's Content-Type header.</summary>
    public MultipartContentType ContentType { get; }

    /// <summary>Parts written so far.</summary>
    public int PartCount { get; private set; }

    /// <summary>A random boundary: "gateway-" and 32 hex digits.</summary>
    public static string NewBoundary() => "gateway-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Writes one part whose body is copied from <paramref name="body"/> to its end.</summary>
    /// <param name="contentType">The part's Content-Type, for example "application/dicom; transfer-syntax=1.2.840.10008.1.2.1".</param>
    /// <param name="body">The part's body, read to its end and not disposed.</param>
    /// <param name="headers">More headers (Content-Location ...), or null.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async ValueTask WritePartAsync(string contentType, Stream body, IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        await WritePartHeaderAsync(contentType, headers, cancellationToken).ConfigureAwait(false);
        await body.CopyToAsync(_output, 81920, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes one part whose body is in memory.</summary>
    public async ValueTask WritePartAsync(string contentType, ReadOnlyMemory<byte> body, IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default)
    {
        await WritePartHeaderAsync(contentType, headers, cancellationToken).ConfigureAwait(false);
        await _output.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a part: writes its boundary and headers. The caller then writes the body to the output stream itself (for
    /// example straight from an archive's decrypting stream) before the next part or <see cref="CompleteAsync"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A header name is not a token, or a value holds CR, LF or another control character.</exception>
    public async ValueTask WritePartHeaderAsync(string contentType, IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contentType);
        if (_completed)
        {
            throw new InvalidOperationException("The body is complete.");
        }

        var text = new StringBuilder();
        text.Append(_started ? "\r\n--" : "--").Append(ContentType.Boundary).Append("\r\n");
        AppendHeader(text, "Content-Type", contentType);
        foreach (KeyValuePair<string, string> header in headers ?? [])
        {
            AppendHeader(text, header.Key, header.Value);
        }

        text.Append("\r\n");
        _started = true;
        PartCount++;
        await _output.WriteAsync(Encoding.Latin1.GetBytes(text.ToString()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the close delimiter. No part may follow.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        string close = (_started ? "\r\n--" : "--") + ContentType.Boundary + "--\r\n";
        await _output.WriteAsync(Encoding.ASCII.GetBytes(close), cancellationToken).ConfigureAwait(false);
    }

    private static void AppendHeader(StringBuilder text, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (!MediaType.IsToken(name))
        {
            throw new ArgumentException("A header name is not a token.", nameof(name));
        }

        foreach (char c in value)
        {
            if ((c < 0x20 && c != '\t') || c is '\x7F' or > '\xFF')
            {
                throw new ArgumentException($"The value of header {name} holds a control or non-Latin-1 character.", nameof(value));
            }
        }

        text.Append(name).Append(": ").Append(value.Trim(' ', '\t')).Append("\r\n");
    }
}
