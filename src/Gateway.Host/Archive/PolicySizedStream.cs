using Gateway.Policy;

namespace Gateway.Host.Archive;

/// <summary>
/// A C-STORE data set as it streams in, counted against the policy's largest object size. Its size is not known when
/// the store is decided, so when the bytes read pass the allowing rule's limit the policy decides again with the size
/// so far: a later rule may take larger objects; otherwise the read throws the policy's refusal, the archive drops what
/// it had written, and the sender is answered Not Authorized.
/// </summary>
internal sealed class PolicySizedStream(Stream inner, PolicyDecision decision, Func<long, PolicyDecision> decideAgain) : Stream
{
    private long _limit = decision.MaxObjectSize ?? long.MaxValue;
    private long _read;

    /// <summary>The decision in force: the first, or the one taken again for the size the data set reached.</summary>
    public PolicyDecision Decision { get; private set; } = decision;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int n)
    {
        _read += n;
        if (_read > _limit)
        {
            // Throws when no rule takes an object this large.
            Decision = decideAgain(_read);
            _limit = Decision.MaxObjectSize ?? long.MaxValue;
        }

        return n;
    }
}
