using System.Threading.Channels;

namespace Gateway.Dicom.Network.Associations;

/// <summary>
/// A request sent and waiting for its response(s). Responses queue up to a bound: when the caller reads more slowly
/// than the peer answers (a C-FIND with thousands of matches), delivery waits, so the receive loop stops reading and
/// TCP flow control holds the peer back, instead of every match piling up in memory.
/// </summary>
internal sealed class PendingRequest(ushort messageId, NegotiatedPresentationContext context, int capacity)
{
    private readonly Channel<DimseResponse> _responses = Channel.CreateBounded<DimseResponse>(
        new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    public ushort MessageId { get; } = messageId;

    public NegotiatedPresentationContext Context { get; } = context;

    public ChannelReader<DimseResponse> Responses => _responses.Reader;

    /// <summary>Queues a response, waiting while the queue is full; drops it when the caller has given up.</summary>
    public async ValueTask DeliverAsync(DimseResponse response, CancellationToken cancellationToken)
    {
        try
        {
            await _responses.Writer.WriteAsync(response, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Abandoned (the caller stopped reading, timed out or was cancelled): nobody wants this response.
            return;
        }

        if (response.Status.Category != Dimse.DimseStatusCategory.Pending)
        {
            _responses.Writer.TryComplete();
        }
    }

    /// <summary>The caller stopped reading: a delivery waiting for room ends, later ones are dropped.</summary>
    public void Abandon() => _responses.Writer.TryComplete();

    public void Fail(Exception reason) => _responses.Writer.TryComplete(reason);
}
