namespace Gateway.DicomWeb.Tests.Support;

/// <summary>A non-seekable stream of a prefix, then one byte for ever, in reads of at most 16 KiB; counts what it served.</summary>
/// <remarks>Proves that a reader stops at its limit instead of reading (or buffering) an unbounded input.</remarks>
internal sealed class EndlessStream(byte[] prefix, byte fill) : Stream
{
    public long Served { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = Math.Min(buffer.Length, 16384);
        for (int i = 0; i < n; i++)
        {
            long at = Served + i;
            buffer[i] = at < prefix.Length ? prefix[at] : fill;
        }

        Served += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
