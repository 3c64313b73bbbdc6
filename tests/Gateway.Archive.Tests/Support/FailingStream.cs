namespace Gateway.Archive.Tests.Support;

/// <summary>Passes an inner stream through, then fails (or waits for a signal) after a given number of bytes.</summary>
internal sealed class FailingStream(Stream inner, long failAfter, Func<Exception>? failure = null, Task? gate = null, TaskCompletionSource? reached = null) : Stream
{
    private long _position;
    private bool _passed;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= failAfter && !_passed)
        {
            if (gate is null)
            {
                throw failure?.Invoke() ?? new IOException("the connection was reset");
            }

            reached?.TrySetResult();
            await gate.WaitAsync(cancellationToken);
            _passed = true;
        }

        int want = _passed ? buffer.Length : (int)Math.Min(buffer.Length, failAfter - _position);
        int n = await inner.ReadAsync(buffer[..want], cancellationToken);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
