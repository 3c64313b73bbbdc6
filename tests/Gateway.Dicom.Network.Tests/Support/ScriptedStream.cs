namespace Gateway.Dicom.Network.Tests.Support;

/// <summary>
/// A read-only stream that returns the given chunks one read at a time (synchronously), then either ends or
/// stays open without data until cancelled, like a peer that stopped sending.
/// </summary>
internal sealed class ScriptedStream(IEnumerable<byte[]> chunks, bool endAfterChunks) : Stream
{
    private readonly Queue<byte[]> _chunks = new(chunks);
    private byte[]? _current;
    private int _offset;

    public int ReadCalls { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ReadCalls++;
        if (_current is null || _offset == _current.Length)
        {
            if (!_chunks.TryDequeue(out _current))
            {
                if (endAfterChunks)
                {
                    return 0;
                }

                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }

            _offset = 0;
        }

        int n = Math.Min(buffer.Length, _current!.Length - _offset);
        _current.AsSpan(_offset, n).CopyTo(buffer.Span);
        _offset += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
