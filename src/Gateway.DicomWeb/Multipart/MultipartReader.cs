using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Gateway.DicomWeb.Multipart;

/// <summary>
/// A streaming reader of multipart/related bodies (RFC 2046 5.1, RFC 2387) for STOW-RS requests and WADO-RS responses:
/// one part at a time, each part's body streamed to the caller as it arrives.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The first boundary may follow a preamble (at most <see cref="MultipartReaderOptions.MaxPreambleBytes"/>); a body
/// ends at the close delimiter "--boundary--", whose epilogue is not read. A body that ends before it is
/// <see cref="MultipartError.Truncated"/>: a caller must not keep the parts of a truncated body.</item>
/// <item>A part's body ends at CRLF "--" boundary (the CRLF belongs to the delimiter). After the boundary only "--",
/// or transport padding (spaces and tabs) and CRLF, may follow.</item>
/// <item>Header lines end in CRLF; bare CR or LF, folded lines, control characters and malformed names are refused.
/// Header block, part, body and part count limits are checked before the bytes are accepted.</item>
/// <item>A part's Content-Type must be one of <see cref="MultipartReaderOptions.AcceptedPartTypes"/> (by default the
/// body's "type"); a part without one is text/plain (RFC 2046 5.1) and so refused when a type is required.</item>
/// </list>
/// Read loop as STYLE.md has it: <see cref="PipeReader.ReadAsync"/>, parse what is whole, <see cref="PipeReader.AdvanceTo(SequencePosition, SequencePosition)"/>.
/// </remarks>
public sealed class MultipartReader
{
    private static readonly byte[] CrLf = "\r\n"u8.ToArray();

    private readonly PipeReader _pipe;
    private readonly MultipartReaderOptions _options;
    private readonly byte[] _delimiter;
    private readonly IReadOnlyCollection<string>? _acceptedTypes;
    private State _state = State.Preamble;

    // Invariant: _position is the number of body bytes consumed from the pipe (AdvanceTo'd).
    private long _position;
    private int _partIndex = -1;
    private long _partBytes;

    // Bytes at the front of the pipe's buffer known to hold no delimiter; _delimiterNext when the delimiter follows them.
    private long _clean;
    private bool _delimiterNext;
    private PartStream? _body;

    /// <summary>Creates a reader of the body in <paramref name="pipe"/>.</summary>
    /// <param name="pipe">The body. The reader consumes it up to the close delimiter and never completes it.</param>
    /// <param name="contentType">The body's Content-Type (<see cref="MultipartContentType.Parse"/>).</param>
    /// <param name="options">Limits; <see cref="MultipartReaderOptions.Default"/> when null.</param>
    public MultipartReader(PipeReader pipe, MultipartContentType contentType, MultipartReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        ArgumentNullException.ThrowIfNull(contentType);
        _pipe = pipe;
        _options = options ?? MultipartReaderOptions.Default;
        _delimiter = Encoding.ASCII.GetBytes("\r\n--" + contentType.Boundary);
        _acceptedTypes = _options.AcceptedPartTypes ?? (contentType.Type is { } type ? [type] : null);
    }

    private enum State
    {
        /// <summary>Before the first boundary.</summary>
        Preamble,

        /// <summary>Just after "--boundary": "--", or padding, CRLF and a part's headers, come next.</summary>
        AfterBoundary,

        /// <summary>Inside a part's body.</summary>
        Body,

        /// <summary>The close delimiter was read.</summary>
        Done,
    }

    /// <summary>Body bytes consumed so far.</summary>
    public long Position => _position;

    /// <summary>Creates a reader over a stream (for example an HTTP request body), parsing its Content-Type header.</summary>
    /// <exception cref="MultipartException">The Content-Type is not multipart/related with a valid boundary.</exception>
    public static MultipartReader Create(Stream body, string? contentType, MultipartReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        MultipartContentType parsed = MultipartContentType.Parse(contentType);
        return new MultipartReader(PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true)), parsed, options);
    }

    /// <summary>
    /// Reads up to the next part's body and returns the part, or null after the close delimiter. The previous part's
    /// unread body is skipped (and counted against the limits).
    /// </summary>
    /// <exception cref="MultipartException">The body is malformed or over a limit.</exception>
    public async ValueTask<MultipartPart?> ReadNextPartAsync(CancellationToken cancellationToken = default)
    {
        if (_state == State.Body)
        {
            while (await ReadBodyAsync(Memory<byte>.Empty, skip: true, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }

        if (_body is not null)
        {
            _body.Detach();
            _body = null;
        }

        if (_state == State.Preamble)
        {
            await ReadPreambleAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_state == State.Done)
        {
            return null;
        }

        while (true)
        {
            ReadResult result = await _pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            long consumed;
            Headers? headers;
            try
            {
                consumed = ParseBoundaryTail(buffer, result.IsCompleted, out headers);
            }
            catch
            {
                _pipe.AdvanceTo(buffer.Start);
                throw;
            }

            if (consumed < 0)
            {
                _pipe.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            CheckBodyLimit(consumed, buffer);
            _pipe.AdvanceTo(buffer.GetPosition(consumed));
            _position += consumed;
            if (headers is null)
            {
                _state = State.Done;
                return null;
            }

            _partIndex++;
            _partBytes = 0;
            _clean = 0;
            _delimiterNext = false;
            _state = State.Body;
            _body = new PartStream(this);
            return new MultipartPart(_partIndex, _position, headers.Lines, headers.ContentType, _body);
        }
    }

    private async ValueTask ReadPreambleAsync(CancellationToken cancellationToken)
    {
        int dashBoundaryLength = _delimiter.Length - 2;
        while (true)
        {
            ReadResult result = await _pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            long found = -1;
            if (buffer.Length >= dashBoundaryLength && StartsWith(buffer, _delimiter.AsSpan(2)))
            {
                // The body starts with the boundary: no preamble, no CRLF before it.
                found = dashBoundaryLength;
            }
            else if (IndexOf(buffer, _delimiter) is long at and >= 0)
            {
                found = at + _delimiter.Length;
            }

            if (found >= 0)
            {
                CheckBodyLimit(found, buffer);
                _pipe.AdvanceTo(buffer.GetPosition(found));
                _position += found;
                _state = State.AfterBoundary;
                return;
            }

            bool tooLong = buffer.Length > _options.MaxPreambleBytes + _delimiter.Length;
            _pipe.AdvanceTo(buffer.Start, buffer.End);
            if (tooLong || result.IsCompleted)
            {
                throw Error(MultipartError.MissingBoundary, tooLong
                    ? $"no boundary in the first {_options.MaxPreambleBytes} bytes"
                    : buffer.IsEmpty ? "the body is empty" : "the body does not contain the boundary");
            }
        }
    }

    /// <summary>
    /// Parses what follows "--boundary": "--" (then <paramref name="headers"/> is null), or padding, CRLF and a header block.
    /// Returns the bytes to consume, or -1 when more input is needed.
    /// </summary>
    private long ParseBoundaryTail(ReadOnlySequence<byte> buffer, bool completed, out Headers? headers)
    {
        headers = null;
        long limit = _options.MaxHeaderBytes;
        ReadOnlySequence<byte> window = buffer.Slice(0, Math.Min(buffer.Length, limit));
        ReadOnlySpan<byte> s = window.IsSingleSegment ? window.FirstSpan : window.ToArray();
        bool full = window.Length >= limit;

        if (s.Length < 2)
        {
            return NeedMore(full, completed, "after a boundary");
        }

        if (s[0] == '-' && s[1] == '-')
        {
            return 2;
        }

        int i = s.IndexOfAnyExcept(" \t"u8);
        if (i < 0)
        {
            return NeedMore(full, completed, "in the padding after a boundary");
        }

        if (s[i] != '\r')
        {
            throw Error(MultipartError.MalformedBoundary, "a boundary is followed by something other than \"--\", padding and CRLF");
        }

        if (s.Length < i + 2)
        {
            return NeedMore(full, completed, "after a boundary");
        }

        if (s[i + 1] != '\n')
        {
            throw Error(MultipartError.MalformedBoundary, "a boundary line ends in CR without LF");
        }

        int start = i + 2;
        if (_partIndex + 1 >= _options.MaxParts)
        {
            throw Error(MultipartError.TooManyParts, $"more than {_options.MaxParts} parts");
        }

        int end;
        int blockLength;
        if (s[start..].StartsWith(CrLf))
        {
            // No headers at all.
            end = start + 2;
            blockLength = 0;
        }
        else
        {
            int blank = s[start..].IndexOf("\r\n\r\n"u8);
            if (blank < 0)
            {
                // Everything buffered belongs to the header block: refuse a bare CR or LF now rather than at the limit.
                CheckLineEnds(s[start..]);
                return NeedMore(full, completed, "inside a part's headers");
            }

            blockLength = blank + 2;
            end = start + blank + 4;
        }

        headers = ParseHeaders(s.Slice(start, blockLength));
        return end;
    }

    /// <summary>Refuses an LF without CR before it, or a CR without LF after it (a CR at the very end is undecided).</summary>
    private void CheckLineEnds(ReadOnlySpan<byte> headers)
    {
        for (int i = headers.IndexOfAny((byte)'\r', (byte)'\n'); i >= 0 && i < headers.Length; i = NextLineEnd(headers, i + 1))
        {
            bool bare = headers[i] == '\n' ? i == 0 || headers[i - 1] != '\r' : i + 1 < headers.Length && headers[i + 1] != '\n';
            if (bare)
            {
                throw Error(MultipartError.InvalidHeader, "a header line holds a bare CR or LF (lines end in CRLF)");
            }
        }
    }

    private static int NextLineEnd(ReadOnlySpan<byte> s, int from)
    {
        int next = s[from..].IndexOfAny((byte)'\r', (byte)'\n');
        return next < 0 ? -1 : from + next;
    }

    /// <summary>-1 (wait for more input), unless the header limit is reached or the input has ended.</summary>
    private long NeedMore(bool full, bool completed, string what)
    {
        if (full)
        {
            throw Error(MultipartError.HeaderTooLarge, $"the headers of part {_partIndex + 1} are over {_options.MaxHeaderBytes} bytes");
        }

        if (completed)
        {
            throw Error(MultipartError.Truncated, $"the body ends {what}");
        }

        return -1;
    }

    private Headers ParseHeaders(ReadOnlySpan<byte> block)
    {
        var lines = new List<KeyValuePair<string, string>>();
        MediaType? contentType = null;
        bool sawContentType = false;
        while (!block.IsEmpty)
        {
            int eol = block.IndexOf(CrLf);
            ReadOnlySpan<byte> line = block[..eol];
            block = block[(eol + 2)..];
            if (lines.Count == _options.MaxHeaderLines)
            {
                throw Error(MultipartError.HeaderTooLarge, $"part {_partIndex + 1} has more than {_options.MaxHeaderLines} header lines");
            }

            if (line.IndexOfAny((byte)'\r', (byte)'\n') >= 0)
            {
                throw Error(MultipartError.InvalidHeader, "a header line holds a bare CR or LF (lines end in CRLF)");
            }

            if (line.IsEmpty || line[0] is (byte)' ' or (byte)'\t')
            {
                throw Error(MultipartError.InvalidHeader, "a header line is folded or empty (obsolete line folding is not accepted)");
            }

            int colon = line.IndexOf((byte)':');
            string name = colon > 0 ? Encoding.Latin1.GetString(line[..colon]) : string.Empty;
            if (!MediaType.IsToken(name))
            {
                throw Error(MultipartError.InvalidHeader, "a header line is not \"name: value\" with a token name");
            }

            ReadOnlySpan<byte> value = line[(colon + 1)..].Trim(" \t"u8);
            if (value.IndexOfAnyInRange((byte)0, (byte)0x08) >= 0 || value.IndexOfAnyInRange((byte)0x0A, (byte)0x1F) >= 0 || value.Contains((byte)0x7F))
            {
                throw Error(MultipartError.InvalidHeader, $"header {name} holds a control character");
            }

            string text = Encoding.Latin1.GetString(value);
            lines.Add(new(name, text));
            if (string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                if (sawContentType)
                {
                    throw Error(MultipartError.InvalidHeader, "a part has two Content-Type headers");
                }

                sawContentType = true;
                if (!MediaType.TryParse(text, out contentType, out string? error))
                {
                    throw Error(MultipartError.InvalidHeader, $"the part's Content-Type is malformed: {error}");
                }
            }
        }

        if (_acceptedTypes is not null)
        {
            if (contentType is null)
            {
                throw Error(MultipartError.UnsupportedMediaType, $"part {_partIndex + 1} has no Content-Type (RFC 2046: text/plain); expected {string.Join(" or ", _acceptedTypes)}");
            }

            if (!_acceptedTypes.Any(contentType.Is))
            {
                throw Error(MultipartError.UnsupportedMediaType, $"part {_partIndex + 1} is {contentType.Value}; expected {string.Join(" or ", _acceptedTypes)}");
            }
        }

        return new Headers(lines, contentType);
    }

    /// <summary>
    /// Copies (or with <paramref name="skip"/> consumes) body bytes of the current part up to the delimiter; 0 at its end.
    /// </summary>
    private async ValueTask<int> ReadBodyAsync(Memory<byte> destination, bool skip, CancellationToken cancellationToken)
    {
        if (_state != State.Body || (!skip && destination.IsEmpty))
        {
            return 0;
        }

        while (true)
        {
            ReadResult result = await _pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (_clean == 0 && !_delimiterNext)
            {
                long at = IndexOf(buffer, _delimiter);
                if (at >= 0)
                {
                    _clean = at;
                    _delimiterNext = true;
                }
                else
                {
                    // A delimiter may begin in the last bytes: keep them until more input decides.
                    _clean = Math.Max(0, buffer.Length - (_delimiter.Length - 1));
                }
            }

            if (_clean > 0)
            {
                int n = (int)Math.Min(_clean, skip ? int.MaxValue : destination.Length);
                if (_partBytes + n > _options.MaxPartBytes)
                {
                    _pipe.AdvanceTo(buffer.Start);
                    throw Error(MultipartError.PartTooLarge, $"part {_partIndex} is over {_options.MaxPartBytes} bytes");
                }

                CheckBodyLimit(n, buffer);
                ReadOnlySequence<byte> data = buffer.Slice(0, n);
                if (!skip)
                {
                    data.CopyTo(destination.Span);
                }

                _pipe.AdvanceTo(data.End);
                _clean -= n;
                _partBytes += n;
                _position += n;
                return n;
            }

            if (_delimiterNext)
            {
                CheckBodyLimit(_delimiter.Length, buffer);
                _pipe.AdvanceTo(buffer.GetPosition(_delimiter.Length));
                _position += _delimiter.Length;
                _delimiterNext = false;
                _state = State.AfterBoundary;
                return 0;
            }

            _pipe.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw Error(MultipartError.Truncated, $"the body ends inside part {_partIndex}, before its boundary");
            }
        }
    }

    /// <summary>Refuses to accept <paramref name="adding"/> more bytes past the body limit; the pipe is released at <paramref name="buffer"/>'s start.</summary>
    private void CheckBodyLimit(long adding, ReadOnlySequence<byte> buffer)
    {
        if (_position + adding > _options.MaxBodyBytes)
        {
            _pipe.AdvanceTo(buffer.Start);
            throw Error(MultipartError.BodyTooLarge, $"the body is over {_options.MaxBodyBytes} bytes");
        }
    }

    private MultipartException Error(MultipartError reason, string detail) =>
        new(reason, _position, _state switch { State.Body => _partIndex, State.AfterBoundary => _partIndex + 1, _ => -1 }, detail);

    private static bool StartsWith(ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> prefix)
    {
        if (buffer.FirstSpan.Length >= prefix.Length)
        {
            return buffer.FirstSpan.StartsWith(prefix);
        }

        Span<byte> head = stackalloc byte[prefix.Length];
        buffer.Slice(0, prefix.Length).CopyTo(head);
        return head.SequenceEqual(prefix);
    }

    /// <summary>The offset of the first <paramref name="value"/> in <paramref name="buffer"/>, across segments, or -1.</summary>
    private static long IndexOf(ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> value)
    {
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> before, value, advancePastDelimiter: false) ? before.Length : -1;
    }

    private sealed record Headers(IReadOnlyList<KeyValuePair<string, string>> Lines, MediaType? ContentType);

    /// <summary>The body of the current part; detached (and refusing reads) once the reader moves on.</summary>
    private sealed class PartStream(MultipartReader owner) : Stream
    {
        private MultipartReader? _owner = owner;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public void Detach() => _owner = null;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            (_owner ?? throw new ObjectDisposedException(nameof(MultipartPart), "The reader has moved on to the next part.")).ReadBodyAsync(buffer, skip: false, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) =>
            throw new NotSupportedException("The part body is read asynchronously.");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
