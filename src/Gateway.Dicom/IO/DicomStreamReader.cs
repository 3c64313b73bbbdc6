using System.Buffers;
using Gateway.Dicom.Dictionary;

namespace Gateway.Dicom.IO;

/// <summary>
/// A forward-only, pull-style reader of a DICOM data set from a <see cref="Stream"/>: it yields one token at a time
/// (element, sequence and item boundaries, pixel data fragments) and never holds more than one buffer of the input.
/// </summary>
/// <remarks>
/// <para>
/// After <see cref="ReadAsync"/> returns true on an <see cref="DicomTokenType.Element"/> or
/// <see cref="DicomTokenType.Fragment"/>, the caller may read the value in memory
/// (<see cref="ReadValueAsync"/>), stream it (<see cref="CopyValueToAsync(Stream, CancellationToken)"/>,
/// <see cref="ReadValueChunkAsync"/>), or ignore it: the next read skips whatever is left.
/// </para>
/// <para>
/// Values are returned in the byte order of the stream. Every structural error ends in one
/// <see cref="DicomFormatException"/> carrying the offset, the tag and the reason; lengths are checked against the
/// containing item, the end of a seekable stream and <see cref="DicomReaderOptions"/> before anything is allocated.
/// Nesting is tracked on an explicit stack, so no input can overflow the call stack.
/// </para>
/// </remarks>
public sealed partial class DicomStreamReader : IAsyncDisposable, IDisposable
{
    private const int BufferSize = 64 * 1024;
    private const uint UndefinedLength = 0xFFFF_FFFF;

    private readonly DicomReaderOptions _options;
    private readonly DicomDictionary _dictionary;
    private readonly bool _leaveOpen;
    private Stream _stream;
    private byte[] _buffer;

    // Invariant: Position == _bufferBase + _start; bytes [_start, _end) of _buffer are read but not consumed.
    private int _start;
    private int _end;
    private long _bufferBase;
    private bool _endOfStream;

    // Absolute offset one past the last byte of a seekable stream, or -1 when unknown.
    private long _knownEnd;

    private Level[] _levels = new Level[8];
    private int _levelCount;
    private long _valueRemaining;
    private long _elementCount;
    private bool _finished;
    private Func<DicomTag, bool>? _stopBefore;

    /// <summary>Creates a reader of a data set encoded as <paramref name="encoding"/>.</summary>
    /// <param name="stream">The input, positioned at the first data element.</param>
    /// <param name="encoding">The encoding of the data set.</param>
    /// <param name="options">Limits; <see cref="DicomReaderOptions.Default"/> when null.</param>
    /// <param name="dictionary">The dictionary used to resolve implicit VRs; <see cref="DicomDictionary.Standard"/> when null.</param>
    /// <param name="startOffset">The offset reported for the stream's first byte (for example 132 after a preamble).</param>
    /// <param name="leaveOpen">True to leave <paramref name="stream"/> open when the reader is disposed.</param>
    public DicomStreamReader(
        Stream stream,
        DicomEncoding encoding,
        DicomReaderOptions? options = null,
        DicomDictionary? dictionary = null,
        long startOffset = 0,
        bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _options = options ?? DicomReaderOptions.Default;
        _dictionary = dictionary ?? DicomDictionary.Standard;
        _leaveOpen = leaveOpen;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        _bufferBase = startOffset;
        _knownEnd = KnownEndOf(stream, startOffset);
        _levels[0] = Level.ForDataset(encoding);
        _levelCount = 1;
    }

    /// <summary>The token the reader stands on.</summary>
    public DicomTokenType TokenType { get; private set; }

    /// <summary>The tag of the current element, sequence, item or fragment.</summary>
    public DicomTag Tag { get; private set; }

    /// <summary>The VR of the current element or sequence: as written (explicit VR) or from the dictionary (implicit VR).</summary>
    public DicomVR VR { get; private set; }

    /// <summary>The length declared in the current header; <see cref="uint.MaxValue"/> for undefined length.</summary>
    public uint Length { get; private set; }

    /// <summary>True when the current sequence or item has undefined length.</summary>
    public bool IsUndefinedLength => Length == UndefinedLength;

    /// <summary>The offset of the current token's header.</summary>
    public long TokenOffset { get; private set; }

    /// <summary>The offset of the next byte to be consumed.</summary>
    public long Position => _bufferBase + _start;

    /// <summary>
    /// The nesting depth of the current token, as dcmdump indents: 0 for top-level elements and for a top-level
    /// sequence's start and end; its items (and fragments) at 1; the items' elements at 2; and so on.
    /// </summary>
    public int Depth { get; private set; }

    /// <summary>The encoding of the data set or item that contains the current token.</summary>
    public DicomEncoding Encoding => _levels[_levelCount - 1].Encoding;

    /// <summary>The zero-based index of the current item in its sequence, or of the current fragment (0 is the offset table).</summary>
    public int Index { get; private set; }

    /// <summary>For a private data element, the creator that reserved its block in the containing data set, if known.</summary>
    public string? PrivateCreator { get; private set; }

    /// <summary>The dictionary this reader resolves implicit VRs with.</summary>
    public DicomDictionary Dictionary => _dictionary;

    /// <summary>The limits in force.</summary>
    public DicomReaderOptions Options => _options;

    /// <summary>Bytes of the current value not yet consumed.</summary>
    public long ValueRemaining => _valueRemaining;

    /// <inheritdoc />
    public void Dispose()
    {
        ReturnBuffer();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        ReturnBuffer();
        if (!_leaveOpen)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Makes <see cref="ReadAsync"/> stop (return false, consuming nothing) at the first top-level tag for which
    /// <paramref name="predicate"/> is true. Used to end the File Meta Information at the first tag past group 0002.
    /// </summary>
    internal void StopBefore(Func<DicomTag, bool>? predicate) => _stopBefore = predicate;

    /// <summary>Continues reading after a stop, at the same position, with another encoding.</summary>
    internal void Restart(DicomEncoding encoding)
    {
        _levels[0] = Level.ForDataset(encoding);
        _levelCount = 1;
        _finished = false;
        _valueRemaining = 0;
        TokenType = DicomTokenType.None;
    }

    /// <summary>
    /// Continues reading after a stop through a decompressor: the rest of the input (buffered bytes first) is
    /// passed through <paramref name="wrap"/>, and offsets go on counting the decompressed bytes.
    /// </summary>
    internal void RestartThrough(Func<Stream, Stream> wrap, DicomEncoding encoding)
    {
        var rest = new PrefixedStream(_buffer.AsMemory(_start, _end - _start).ToArray(), _stream, _leaveOpen);
        _stream = wrap(rest);
        _bufferBase += _start;
        _start = 0;
        _end = 0;
        _endOfStream = false;
        _knownEnd = -1;
        Restart(encoding);
    }

    /// <summary>Ensures that <paramref name="count"/> bytes (at most 64 KiB) are buffered and returns them without consuming them.</summary>
    /// <returns>The bytes, shorter than <paramref name="count"/> when the stream ends first.</returns>
    internal async ValueTask<ReadOnlyMemory<byte>> PeekAsync(int count, CancellationToken cancellationToken)
    {
        await FillAsync(count, cancellationToken).ConfigureAwait(false);
        return _buffer.AsMemory(_start, Math.Min(count, _end - _start));
    }

    /// <summary>Consumes <paramref name="count"/> bytes that <see cref="PeekAsync"/> returned.</summary>
    internal void Consume(int count)
    {
        if (count > _end - _start)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _start += count;
    }

    private static long KnownEndOf(Stream stream, long startOffset)
    {
        if (!stream.CanSeek)
        {
            return -1;
        }

        try
        {
            return startOffset + Math.Max(0, stream.Length - stream.Position);
        }
        catch (NotSupportedException)
        {
            return -1;
        }
    }

    private void ReturnBuffer()
    {
        byte[] buffer = _buffer;
        if (buffer.Length > 0)
        {
            _buffer = [];
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Buffers at least <paramref name="count"/> bytes unless the stream ends first.</summary>
    /// <returns>True when <paramref name="count"/> bytes are available.</returns>
    private ValueTask<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        if (_end - _start >= count)
        {
            return ValueTask.FromResult(true);
        }

        return FillSlowAsync(count, cancellationToken);
    }

    private async ValueTask<bool> FillSlowAsync(int count, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        if (count > _buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        if (_start > 0 && _buffer.Length - _start < count)
        {
            // Compact: keep the unconsumed bytes at the front.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _bufferBase += _start;
            _start = 0;
        }

        while (_end - _start < count && !_endOfStream)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException ex)
            {
                throw new DicomFormatException(DicomFormatError.InvalidDeflateStream, _bufferBase + _end, null, "the deflated data set is corrupt", ex);
            }

            if (n == 0)
            {
                _endOfStream = true;
            }

            _end += n;
        }

        return _end - _start >= count;
    }

    private DicomFormatException Error(DicomFormatError reason, string detail, DicomTag? tag = null, long? offset = null) =>
        new(reason, offset ?? TokenOffset, tag ?? (Tag == default ? null : Tag), detail);

    private enum LevelKind
    {
        Dataset,
        Item,
        Sequence,
        Fragments,
    }

    private struct Level
    {
        public LevelKind Kind;
        public long End;
        public DicomEncoding Encoding;
        public DicomTag Tag;
        public int Count;
        public Dictionary<uint, string>? Creators;
        public int PixelRepresentation;

        public static Level ForDataset(DicomEncoding encoding) =>
            new() { Kind = LevelKind.Dataset, End = -1, Encoding = encoding, PixelRepresentation = -1 };
    }
}
