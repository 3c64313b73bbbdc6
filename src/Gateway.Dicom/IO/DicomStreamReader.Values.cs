namespace Gateway.Dicom.IO;

public sealed partial class DicomStreamReader
{
    // Values up to this size are allocated at once; larger ones grow as their bytes actually arrive, so a declared
    // length alone never commits memory.
    private const int EagerAllocationLimit = 1024 * 1024;

    /// <summary>Reads the whole value of the current element or fragment into a new array, in stream byte order.</summary>
    /// <exception cref="DicomFormatException">The value is longer than <see cref="DicomReaderOptions.MaxValueLength"/>, or the stream ends first.</exception>
    /// <exception cref="InvalidOperationException">The reader is not on an unread value.</exception>
    public async ValueTask<byte[]> ReadValueAsync(CancellationToken cancellationToken = default)
    {
        EnsureWholeValueUnread();
        // An array cannot hold more than Array.MaxLength bytes, whatever the configured limit.
        long limit = Math.Min(_options.MaxValueLength, Array.MaxLength);
        if (Length > limit)
        {
            throw Error(DicomFormatError.ValueTooLong, $"a value of {Length} bytes exceeds the in-memory limit of {limit}");
        }

        int length = (int)Length;
        if (length <= EagerAllocationLimit || _knownEnd >= 0)
        {
            // Seekable input: the header check already proved that the bytes exist.
            byte[] value = GC.AllocateUninitializedArray<byte>(length);
            await ReadExactlyAsync(value, cancellationToken).ConfigureAwait(false);
            return value;
        }

        byte[] grown = new byte[EagerAllocationLimit];
        int filled = 0;
        while (filled < length)
        {
            if (filled == grown.Length)
            {
                Array.Resize(ref grown, (int)Math.Min((long)grown.Length * 2, length));
            }

            int n = await ReadValueChunkAsync(grown.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            filled += n;
        }

        return grown;
    }

    /// <summary>
    /// Copies up to <c>destination.Length</c> bytes of the current value into <paramref name="destination"/>.
    /// </summary>
    /// <returns>The number of bytes copied; 0 when the value is exhausted.</returns>
    /// <exception cref="DicomFormatException">The stream ends inside the value.</exception>
    public async ValueTask<int> ReadValueChunkAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (TokenType is not (DicomTokenType.Element or DicomTokenType.Fragment))
        {
            throw new InvalidOperationException($"The reader stands on {TokenType}, which has no value.");
        }

        int want = (int)Math.Min(destination.Length, _valueRemaining);
        if (want == 0)
        {
            return 0;
        }

        if (_end == _start)
        {
            await FillAsync(1, cancellationToken).ConfigureAwait(false);
            if (_end == _start)
            {
                throw Error(DicomFormatError.Truncated, $"the stream ends {_valueRemaining} bytes before the end of the value", null, Position);
            }
        }

        int n = Math.Min(want, _end - _start);
        _buffer.AsSpan(_start, n).CopyTo(destination.Span);
        _start += n;
        _valueRemaining -= n;
        return n;
    }

    /// <summary>Streams the rest of the current value to <paramref name="destination"/> without holding it in memory.</summary>
    public async ValueTask CopyValueToAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        while (_valueRemaining > 0)
        {
            if (_end == _start)
            {
                await FillAsync(1, cancellationToken).ConfigureAwait(false);
                if (_end == _start)
                {
                    throw Error(DicomFormatError.Truncated, $"the stream ends {_valueRemaining} bytes before the end of the value", null, Position);
                }
            }

            int n = (int)Math.Min(_valueRemaining, _end - _start);
            await destination.WriteAsync(_buffer.AsMemory(_start, n), cancellationToken).ConfigureAwait(false);
            _start += n;
            _valueRemaining -= n;
        }
    }

    /// <summary>Skips the rest of the current value.</summary>
    public async ValueTask SkipValueAsync(CancellationToken cancellationToken = default)
    {
        while (_valueRemaining > 0)
        {
            int buffered = _end - _start;
            if (buffered == 0)
            {
                if (_knownEnd >= 0 && _stream.CanSeek && _valueRemaining > _buffer.Length)
                {
                    // Seek over large values (pixel data) instead of reading them.
                    _stream.Seek(_valueRemaining, SeekOrigin.Current);
                    _bufferBase += _start + _valueRemaining;
                    _start = 0;
                    _end = 0;
                    _valueRemaining = 0;
                    return;
                }

                await FillAsync(1, cancellationToken).ConfigureAwait(false);
                buffered = _end - _start;
                if (buffered == 0)
                {
                    throw Error(DicomFormatError.Truncated, $"the stream ends {_valueRemaining} bytes before the end of the value", null, Position);
                }
            }

            int n = (int)Math.Min(_valueRemaining, buffered);
            _start += n;
            _valueRemaining -= n;
        }
    }

    private async ValueTask ReadExactlyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        int filled = 0;
        while (filled < destination.Length)
        {
            filled += await ReadValueChunkAsync(destination[filled..], cancellationToken).ConfigureAwait(false);
        }
    }

    private void EnsureWholeValueUnread()
    {
        if (TokenType is not (DicomTokenType.Element or DicomTokenType.Fragment))
        {
            throw new InvalidOperationException($"The reader stands on {TokenType}, which has no value.");
        }

        if (_valueRemaining != Length)
        {
            throw new InvalidOperationException("Part of the value was already read.");
        }
    }
}
