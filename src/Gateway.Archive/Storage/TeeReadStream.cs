namespace Gateway.Archive.Storage;

/// <summary>
/// A read-only stream over <paramref name="source"/> that hands every byte it reads to <paramref name="sink"/> before
/// returning it: the header parser pulls the incoming data set, and the encryptor sees exactly the same bytes, once.
/// </summary>
/// <remarks>Asynchronous reads only: the sink is asynchronous, and a synchronous read would block on it.</remarks>
internal sealed class TeeReadStream(Stream source, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> sink) : Stream
{
    /// <summary>Bytes read from the source so far.</summary>
    public long BytesRead { get; private set; }

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
        int n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n > 0)
        {
            BytesRead += n;
            await sink(buffer[..n], cancellationToken).ConfigureAwait(false);
        }

        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("The archive tee is read asynchronously only.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
