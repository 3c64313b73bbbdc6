using System.Threading.Channels;

namespace Gateway.Dicom.Network.Associations;

/// <summary>A request sent and waiting for its response(s).</summary>
internal sealed class PendingRequest(ushort messageId, NegotiatedPresentationContext context)
{
    private readonly Channel<DimseResponse> _responses = Channel.CreateUnbounded<DimseResponse>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public ushort MessageId { get; } = messageId;

    public NegotiatedPresentationContext Context { get; } = context;

    public ChannelReader<DimseResponse> Responses => _responses.Reader;

    public void Deliver(DimseResponse response)
    {
        _responses.Writer.TryWrite(response);
        if (response.Status.Category != Dimse.DimseStatusCategory.Pending)
        {
            _responses.Writer.TryComplete();
        }
    }

    public void Fail(Exception reason) => _responses.Writer.TryComplete(reason);
}
