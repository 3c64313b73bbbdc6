namespace Gateway.Archive.Tests.Support;

/// <summary>A read-only stream: a prefix, then <c>length</c> pseudo-random bytes from a seed (xorshift), generated on the fly.</summary>
internal sealed class SyntheticStream(byte[] prefix, long length, int seed) : Stream
{
    private long _position;
    private ulong _state = 0x9E3779B97F4A7C15UL ^ (ulong)seed;
    private ulong _word;
    private int _wordLeft;

    public long TotalLength => prefix.Length + length;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = 0;
        while (n < buffer.Length && _position < prefix.Length)
        {
            buffer[n++] = prefix[_position++];
        }

        while (n < buffer.Length && _position < TotalLength)
        {
            if (_wordLeft == 0)
            {
                _state ^= _state << 13;
                _state ^= _state >> 7;
                _state ^= _state << 17;
                _word = _state;
                _wordLeft = 8;
            }

            buffer[n++] = (byte)_word;
            _word >>= 8;
            _wordLeft--;
            _position++;
        }

        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
