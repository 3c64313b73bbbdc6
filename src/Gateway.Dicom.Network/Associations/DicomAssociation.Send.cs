using System.IO.Compression;
using System.Runtime.CompilerServices;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Pdus;

namespace Gateway.Dicom.Network.Associations;

public sealed partial class DicomAssociation
{
    /// <summary>The next Message ID for a request from this side (1-65535, wrapping).</summary>
    public ushort NextMessageId()
    {
        int id;
        do
        {
            id = Interlocked.Increment(ref _nextMessageId) & 0xFFFF;
        }
        while (id == 0);
        return (ushort)id;
    }

    /// <summary>Sends a command and an optional in-memory data set, encoded in the context's transfer syntax.</summary>
    public async ValueTask SendAsync(NegotiatedPresentationContext context, DimseCommand command, DicomDataset? dataSet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(command);
        if (dataSet is null)
        {
            await SendAsync(context, command, (Stream?)null, cancellationToken).ConfigureAwait(false);
            return;
        }

        var bytes = new MemoryStream();
        Stream target = context.TransferSyntax.IsDeflated ? new DeflateStream(bytes, CompressionLevel.Optimal, leaveOpen: true) : bytes;
        await using (var writer = new DicomStreamWriter(target, context.TransferSyntax.Encoding))
        {
            await DicomDatasetWriter.WriteAsync(writer, dataSet, cancellationToken).ConfigureAwait(false);
        }

        if (!ReferenceEquals(target, bytes))
        {
            await target.DisposeAsync().ConfigureAwait(false);
        }

        bytes.Position = 0;
        await SendAsync(context, command, bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a command and, when <paramref name="dataSet"/> is not null, a data set already encoded in the context's
    /// transfer syntax, streamed from <paramref name="dataSet"/> fragment by fragment.
    /// </summary>
    /// <remarks>
    /// <paramref name="cancellationToken"/> is honoured until the message starts; once started, the message is sent
    /// whole. If it cannot be (the data set source or the connection fails), the association is aborted.
    /// </remarks>
    public async ValueTask SendAsync(NegotiatedPresentationContext context, DimseCommand command, Stream? dataSet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(command);
        if (!context.IsAccepted)
        {
            throw new InvalidOperationException($"Presentation context {context.Id} was not accepted.");
        }

        ThrowIfEnded();
        DimseCommand toSend = command.HasDataSet == (dataSet is not null)
            ? command
            : new DimseCommand(command.Dataset) { HasDataSet = dataSet is not null };
        byte[] encoded = toSend.Encode();
        int sent = 0;

        // PS3.8 9.3.5.1: a message cannot be withdrawn once its first fragment is out; the peer waits for the rest.
        // So cancellation is honoured only before the message starts (a C-CANCEL racing a pending C-FIND response
        // must not cut it in half), and a failure in the middle (the data set source, the connection) aborts the
        // association instead of leaving it out of step.
        cancellationToken.ThrowIfCancellationRequested();
        CancellationToken lifetime = _lifetime.Token;
        using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime))
        {
            try
            {
                await _messageLock.WaitAsync(waiting.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                ThrowIfEnded();
                throw;
            }
        }

        try
        {
            await _channel.WriteMessagePartAsync(
                context.Id,
                isCommand: true,
                (buffer, _) =>
                {
                    int n = Math.Min(buffer.Length, encoded.Length - sent);
                    encoded.AsSpan(sent, n).CopyTo(buffer.Span);
                    sent += n;
                    return ValueTask.FromResult(n);
                },
                PeerMaxPduLength,
                lifetime).ConfigureAwait(false);

            if (dataSet is not null)
            {
                await _channel.WriteMessagePartAsync(context.Id, isCommand: false, dataSet.ReadAsync, PeerMaxPduLength, lifetime).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (!lifetime.IsCancellationRequested)
        {
            await SendAbortAsync(new AbortPdu(AbortSource.ServiceUser, AbortReason.NotSpecified)).ConfigureAwait(false);
            Fail(new DicomAssociationAbortedException("a message could not be sent whole: " + ex.Message, null, ex));
            await _lifetime.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            _messageLock.Release();
        }
    }

    /// <summary>
    /// Sends a request and yields its responses as they arrive: pending responses, then the final one.
    /// </summary>
    /// <param name="context">The presentation context to send on.</param>
    /// <param name="command">The request, with a Message ID not outstanding on this association (<see cref="NextMessageId"/>).</param>
    /// <param name="dataSet">An in-memory data set (identifier) to send, or null.</param>
    /// <param name="encodedDataSet">A data set already encoded in the context's transfer syntax, or null.</param>
    /// <param name="cancellationToken">
    /// Stops waiting; for C-FIND, C-MOVE and C-GET a C-CANCEL-RQ is sent first and the remaining responses are read.
    /// </param>
    public async IAsyncEnumerable<DimseResponse> SendRequestAsync(
        NegotiatedPresentationContext context,
        DimseCommand command,
        DicomDataset? dataSet,
        Stream? encodedDataSet,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(command);
        ushort id = command.MessageId;
        var pending = new PendingRequest(id, context, Options.MaxQueuedResponses);
        if (!_pending.TryAdd(id, pending))
        {
            throw new InvalidOperationException($"Message ID {id} is already outstanding.");
        }

        try
        {
            if (encodedDataSet is not null)
            {
                await SendAsync(context, command, encodedDataSet, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await SendAsync(context, command, dataSet, cancellationToken).ConfigureAwait(false);
            }

            bool cancelSent = false;
            while (true)
            {
                DimseResponse? response;
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancelSent ? CancellationToken.None : cancellationToken))
                {
                    timeout.CancelAfter(Options.DimseTimeout);
                    try
                    {
                        if (!await pending.Responses.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                        {
                            yield break;
                        }

                        pending.Responses.TryRead(out response);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !cancelSent && IsCancellable(command.CommandField))
                    {
                        // PS3.7 9.3.2.3: a C-CANCEL-RQ; the peer then answers with status Cancel (or its final status).
                        cancelSent = true;
                        DimseCommand cancel = DimseCommand.Create(DimseCommandField.CCancelRequest);
                        cancel = new DimseCommand(cancel.Dataset) { MessageIdBeingRespondedTo = id, HasDataSet = false };
                        await SendAsync(context, cancel, (Stream?)null, CancellationToken.None).ConfigureAwait(false);
                        continue;
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new TimeoutException($"No response to {command.CommandField} within {Options.DimseTimeout.TotalSeconds:0} s.");
                    }
                }

                if (response is not null)
                {
                    yield return response;
                    if (response.Status.Category != DimseStatusCategory.Pending)
                    {
                        yield break;
                    }
                }
            }
        }
        finally
        {
            if (_pending.TryRemove(id, out _))
            {
                // Given up before the final response (cancelled, timed out): the peer may still answer; that answer
                // is dropped rather than taken for a protocol violation.
                _abandoned.TryAdd(id, 0);
            }

            // Releases a delivery waiting for room in the queue, so that the receive loop goes on.
            pending.Abandon();
        }
    }

    private static bool IsCancellable(DimseCommandField field) =>
        field is DimseCommandField.CFindRequest or DimseCommandField.CMoveRequest or DimseCommandField.CGetRequest;

    private void ThrowIfEnded()
    {
        if (_failure is not null)
        {
            throw new DicomAssociationAbortedException("the association has ended: " + _failure.Message, null, _failure);
        }

        if (State is AssociationState.Sta1Idle or AssociationState.Sta13AwaitingTransportClose)
        {
            throw new DicomAssociationAbortedException("the association has ended");
        }
    }
}
