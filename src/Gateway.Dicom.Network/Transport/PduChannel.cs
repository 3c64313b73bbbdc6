using System.Buffers;
using System.IO.Pipelines;
using Gateway.Dicom.Network.Pdus;

namespace Gateway.Dicom.Network.Transport;

/// <summary>
/// Reads and writes whole PDUs on a connected stream (TCP or TLS): framing with limits checked before allocation,
/// P-DATA fragmentation that honours the peer's maximum PDU length, and one writer at a time.
/// </summary>
/// <remarks>
/// A received PDU's P-DATA values refer to an internal buffer that is reused by the next read: consume them first.
/// The buffer is sized by <see cref="PduLimits"/>, never by a length the peer declares.
/// </remarks>
internal sealed class PduChannel : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly PduLimits _limits;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly byte[] _header = new byte[PduWriter.PduHeaderLength];
    private byte[] _body;
    private byte[] _sendBuffer = [];

    public PduChannel(Stream stream, PduLimits limits)
    {
        _stream = stream;
        _limits = limits;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));
        _body = ArrayPool<byte>.Shared.Rent(4096);
    }

    /// <summary>Bytes received so far.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Bytes sent so far.</summary>
    public long BytesSent { get; private set; }

    /// <summary>Reads the next whole PDU.</summary>
    /// <returns>The PDU, or null when the peer closed the connection between PDUs.</returns>
    /// <exception cref="DicomProtocolException">A malformed PDU, a limit exceeded, or the connection closed inside a PDU.</exception>
    public async ValueTask<Pdu?> ReadPduAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            SequencePosition consumed = buffer.Start;
            SequencePosition examined = buffer.End;
            try
            {
                if (buffer.Length >= PduWriter.PduHeaderLength)
                {
                    buffer.Slice(0, PduWriter.PduHeaderLength).CopyTo(_header);
                    (PduType type, uint length) = PduReader.CheckHeader(_header, _limits);
                    long total = PduWriter.PduHeaderLength + (long)length;
                    if (buffer.Length >= total)
                    {
                        if (_body.Length < length)
                        {
                            ArrayPool<byte>.Shared.Return(_body);
                            _body = ArrayPool<byte>.Shared.Rent((int)length);
                        }

                        buffer.Slice(PduWriter.PduHeaderLength, length).CopyTo(_body);
                        consumed = buffer.GetPosition(total);
                        examined = consumed;
                        BytesReceived += total;
                        return PduReader.Parse(type, _body.AsMemory(0, (int)length), _limits);
                    }
                }

                if (result.IsCompleted)
                {
                    if (buffer.IsEmpty)
                    {
                        return null;
                    }

                    throw new DicomProtocolException(AbortReason.InvalidPduParameterValue, $"the connection closed inside a PDU ({buffer.Length} bytes received of it)");
                }
            }
            finally
            {
                _reader.AdvanceTo(consumed, examined);
            }
        }
    }

    /// <summary>Sends one PDU.</summary>
    public async ValueTask WritePduAsync(Pdu pdu, CancellationToken cancellationToken)
    {
        byte[] bytes = PduWriter.Encode(pdu);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            BytesSent += bytes.Length;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Sends a command or data set fragment by fragment: each P-DATA-TF holds one PDV and is at most
    /// <paramref name="maxPduLength"/> long (the peer's Maximum Length; 0 means unlimited), as PS3.8 D.1 requires.
    /// </summary>
    /// <param name="contextId">The presentation context.</param>
    /// <param name="isCommand">Command or data set.</param>
    /// <param name="source">Reads the bytes to send; fills the given buffer as far as it can and returns how much, 0 at the end.</param>
    /// <param name="maxPduLength">The peer's maximum PDU length.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    public async ValueTask WriteMessagePartAsync(
        byte contextId,
        bool isCommand,
        Func<Memory<byte>, CancellationToken, ValueTask<int>> source,
        uint maxPduLength,
        CancellationToken cancellationToken)
    {
        const int headers = PduWriter.PduHeaderLength + PduWriter.PdvHeaderLength;

        // PS3.8 D.1: the Maximum Length bounds the PDU's variable field (PDV headers included). 0 is unlimited: then
        // we use a sensible size of our own.
        long maxVariable = maxPduLength == 0 ? 1024 * 1024 : Math.Max(maxPduLength, 64);
        int fragment = (int)Math.Min(maxVariable - PduWriter.PdvHeaderLength, 4 * 1024 * 1024);
        fragment &= ~1;

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_sendBuffer.Length < headers + fragment)
            {
                if (_sendBuffer.Length > 0)
                {
                    ArrayPool<byte>.Shared.Return(_sendBuffer);
                }

                _sendBuffer = ArrayPool<byte>.Shared.Rent(headers + fragment);
            }

            // Read one fragment ahead, so that the last fragment is known to be last when it is sent. The two buffers
            // swap roles after each send, so no fragment is copied twice.
            byte[] current = _sendBuffer;
            byte[] spare = ArrayPool<byte>.Shared.Rent(headers + fragment);
            try
            {
                int filled = await FillAsync(source, current.AsMemory(headers, fragment), cancellationToken).ConfigureAwait(false);
                while (true)
                {
                    int nextFilled = filled < fragment ? 0 : await FillAsync(source, spare.AsMemory(headers, fragment), cancellationToken).ConfigureAwait(false);
                    bool last = nextFilled == 0;
                    PduWriter.WriteSingleDataHeader(current, contextId, isCommand, last, filled);
                    await _stream.WriteAsync(current.AsMemory(0, headers + filled), cancellationToken).ConfigureAwait(false);
                    BytesSent += headers + filled;
                    if (last)
                    {
                        break;
                    }

                    (current, spare) = (spare, current);
                    filled = nextFilled;
                }
            }
            finally
            {
                _sendBuffer = current;
                ArrayPool<byte>.Shared.Return(spare);
            }

            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync().ConfigureAwait(false);
        ArrayPool<byte>.Shared.Return(_body);
        if (_sendBuffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_sendBuffer);
        }

        _writeLock.Dispose();
    }

    private static async ValueTask<int> FillAsync(Func<Memory<byte>, CancellationToken, ValueTask<int>> source, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int n = await source(buffer[filled..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        return filled;
    }
}
