namespace Gateway.Host.DicomWeb;

/// <summary>
/// The plaintext stream of one HTTP/1.1 connection to the DICOMweb origin, which lets the connection be reused when the
/// origin announces <c>Keep-Alive: timeout=1</c> (Orthanc 1.10, Debian 12's, with no setting to change it).
/// </summary>
/// <remarks>
/// <para>
/// .NET's HTTP client reuses a connection only while more than a second of the origin's keep-alive is left, so with a
/// one-second timeout it closes every connection after one response, and each forwarded request pays for a new one
/// (0.85 ms per QIDO-RS against Orthanc, <c>bench/README.md</c>). In the head of a response to a GET or HEAD, this
/// stream reads that <c>timeout=1</c> as <c>timeout=2</c>: the client then reuses the connection while it has been idle
/// for less than one second, which is what the origin promised. Should the origin close it at that very moment, the
/// request fails before any response byte and the client sends it again on a new connection, as it does for any reused
/// connection.
/// </para>
/// <para>
/// Nothing else is changed, and body bytes are never looked at. A request is a GET or HEAD when its write starts with
/// that method; those requests carry no body, so the first bytes read after one are the head of its response (the
/// client sends one request at a time on a connection and reads each response to its end before the next). The scan
/// stops at the blank line that ends the head. Any other write (another method, a body, a head the client wrote in two
/// parts) turns the scan off for the rest of the connection, which then behaves as it would without this stream.
/// </para>
/// </remarks>
internal sealed class ShortKeepAliveStream(Stream inner) : Stream
{
    // A response head longer than this is not scanned to its end: the connection is left alone from there on.
    internal const int MaxHeadBytes = 64 * 1024;

    private static ReadOnlySpan<byte> HeaderName => "keep-alive:"u8;

    private static ReadOnlySpan<byte> TimeoutParameter => "timeout="u8;

    private Mode _mode = Mode.Idle;
    private int _headBytes;
    private int _lineLength;    // bytes of the current line, CR not counted: a line of none ends the head
    private int _name;          // progress through "keep-alive:" at the start of the line; -1: not this line
    private int _parameter;     // progress through "timeout=" in a Keep-Alive value; -1: not in a Keep-Alive value

    private enum Mode
    {
        Idle,       // between responses: bytes pass untouched
        Head,       // reading the head of a response to a GET or HEAD
        Off,        // the connection carried something else: never scanned again
    }

    /// <summary>Wraps HTTP/1.x connections; HTTP/2 keeps its own connection management.</summary>
    internal static ValueTask<Stream> FilterAsync(SocketsHttpPlaintextStreamFilterContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(context.NegotiatedHttpVersion.Major == 1 ? new ShortKeepAliveStream(context.PlaintextStream) : context.PlaintextStream);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read = inner.Read(buffer);
        Scan(buffer[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Scan(buffer.Span[..read]);
        return read;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        OnWrite(buffer);
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        OnWrite(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override ValueTask DisposeAsync() => inner.DisposeAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void OnWrite(ReadOnlySpan<byte> buffer)
    {
        if (buffer.IsEmpty || _mode == Mode.Off)
        {
            return;
        }

        if (_mode == Mode.Idle && (buffer.StartsWith("GET "u8) || buffer.StartsWith("HEAD "u8)))
        {
            _mode = Mode.Head;
            _headBytes = 0;
            _lineLength = 1;
            _name = -1;
            _parameter = -1;
        }
        else
        {
            _mode = Mode.Off;
        }
    }

    private void Scan(Span<byte> bytes)
    {
        if (_mode != Mode.Head)
        {
            return;
        }

        for (int i = 0; i < bytes.Length; i++)
        {
            byte b = bytes[i];
            if (++_headBytes > MaxHeadBytes)
            {
                _mode = Mode.Off;
                return;
            }

            if (b == '\n')
            {
                if (_lineLength == 0)
                {
                    // An empty line (CRLF, or a bare LF) ends the head: what follows is the body, never touched.
                    _mode = Mode.Idle;
                    return;
                }

                _lineLength = 0;
                _name = 0;
                _parameter = -1;
                continue;
            }

            if (b == '\r')
            {
                continue;
            }

            _lineLength++;

            if (_name >= 0)
            {
                _name = ToLower(b) == HeaderName[_name] ? _name + 1 : -1;
                if (_name == HeaderName.Length)
                {
                    _name = -1;
                    _parameter = 0;
                }

                continue;
            }

            if (_parameter < 0)
            {
                continue;
            }

            if (_parameter == TimeoutParameter.Length)
            {
                // Exactly "1": the next byte must be seen to be no digit (a value split across reads stays as it is).
                if (b == '1' && i + 1 < bytes.Length && !char.IsAsciiDigit((char)bytes[i + 1]))
                {
                    bytes[i] = (byte)'2';
                }

                _parameter = -1;
                continue;
            }

            _parameter = ToLower(b) == TimeoutParameter[_parameter] ? _parameter + 1 : (ToLower(b) == TimeoutParameter[0] ? 1 : 0);
        }
    }

    private static byte ToLower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;
}
