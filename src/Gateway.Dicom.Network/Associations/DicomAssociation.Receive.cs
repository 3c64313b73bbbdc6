using System.IO.Compression;
using System.IO.Pipelines;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Pdus;
using Microsoft.Extensions.Logging;

namespace Gateway.Dicom.Network.Associations;

public sealed partial class DicomAssociation
{
    // Incoming message assembly. Invariant: at most one command or one data set is being received at a time
    // (PS3.8 9.3.5.1: fragments of different messages are not interleaved on one association).
    private readonly MemoryStream _commandBuffer = new();
    private byte _commandContextId;
    private DimseCommand? _dataSetCommand;
    private NegotiatedPresentationContext? _dataSetContext;
    private Pipe? _dataSetPipe;
    private MemoryStream? _responseDataSet;
    private Task _currentRequest = Task.CompletedTask;
    private CancellationTokenSource? _currentRequestCancellation;
    private ushort _currentRequestMessageId;

    private void StartReceiving() => _receiveLoop = Task.Run(ReceiveLoopAsync);

    private async Task ReceiveLoopAsync()
    {
        CancellationToken lifetime = _lifetime.Token;
        try
        {
            while (true)
            {
                Pdu? pdu;
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(lifetime))
                {
                    // DimseTimeout bounds waiting for the peer: a response to our request, or the rest of a message.
                    // While our own handler works (a long C-MOVE) the peer is rightly silent: only IdleTimeout applies.
                    bool waitingForPeer = _dataSetCommand is not null || _commandBuffer.Length > 0 || !_pending.IsEmpty;
                    idle.CancelAfter(waitingForPeer ? Options.DimseTimeout : Options.IdleTimeout);
                    try
                    {
                        pdu = await _channel.ReadPduAsync(idle.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!lifetime.IsCancellationRequested)
                    {
                        LogTimeout(_logger, Id);
                        await SendAbortAsync(new AbortPdu(AbortSource.ServiceProvider, AbortReason.NotSpecified)).ConfigureAwait(false);
                        throw new DicomAssociationAbortedException("the peer was silent for longer than the timeout");
                    }
                }

                if (pdu is null)
                {
                    if (State == AssociationState.Sta13AwaitingTransportClose)
                    {
                        return;
                    }

                    throw new DicomAssociationAbortedException("the peer closed the connection without releasing the association");
                }

                if (!await OnPduAsync(pdu, lifetime).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (DicomProtocolException ex)
        {
            LogProtocolViolation(_logger, Id, ex.Reason, ex.Message);
            await SendAbortAsync(new AbortPdu(AbortSource.ServiceProvider, ex.Reason)).ConfigureAwait(false);
            Fail(new DicomAssociationAbortedException("protocol violation by the peer: " + ex.Message, null, ex));
            throw;
        }
        catch (DicomAssociationAbortedException ex)
        {
            Fail(ex);
            throw;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            var failure = new DicomAssociationAbortedException("the connection was lost: " + ex.Message, null, ex);
            Fail(failure);
            if (!lifetime.IsCancellationRequested)
            {
                throw failure;
            }
        }
        finally
        {
            _dataSetPipe?.Writer.Complete(new DicomAssociationAbortedException("the association ended inside a data set"));
            _currentRequestCancellation?.Cancel();

            // Sends run on the lifetime token (a message is never cut by a request's cancellation): end it, so that a
            // handler blocked writing to a peer that stopped reading is released.
            await _lifetime.CancelAsync().ConfigureAwait(false);
            await _currentRequest.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Fail(new DicomAssociationAbortedException("the association ended"));
        }
    }

    // Returns false when the association has ended normally.
    private async ValueTask<bool> OnPduAsync(Pdu pdu, CancellationToken cancellationToken)
    {
        switch (pdu)
        {
            case DataTransferPdu data:
                if (State is not (AssociationState.Sta6Established or AssociationState.Sta7AwaitingReleaseResponse))
                {
                    throw new DicomProtocolException(AbortReason.UnexpectedPdu, $"P-DATA-TF in state {State}");
                }

                foreach (PresentationDataValue pdv in data.Values)
                {
                    await OnDataValueAsync(pdv, cancellationToken).ConfigureAwait(false);
                }

                return true;

            case ReleaseRequestPdu:
                if (State == AssociationState.Sta7AwaitingReleaseResponse)
                {
                    // Release collision (PS3.8 9.2.3): the requester of the association answers first and waits for
                    // the other side's response; the acceptor waits for it, then answers.
                    if (IsRequester)
                    {
                        await _channel.WritePduAsync(ReleaseResponsePdu.Instance, cancellationToken).ConfigureAwait(false);
                        Volatile.Write(ref _state, (int)AssociationState.Sta11ReleaseCollisionRequesterAwaitingResponse);
                    }
                    else
                    {
                        Volatile.Write(ref _state, (int)AssociationState.Sta10ReleaseCollisionAcceptor);
                    }

                    return true;
                }

                if (State != AssociationState.Sta6Established)
                {
                    throw new DicomProtocolException(AbortReason.UnexpectedPdu, $"A-RELEASE-RQ in state {State}");
                }

                if (_dataSetCommand is not null || _commandBuffer.Length > 0)
                {
                    // The message being received can never complete, so neither can its handler: answering would
                    // mean waiting for it forever.
                    throw new DicomProtocolException(AbortReason.UnexpectedPdu, "A-RELEASE-RQ inside a DIMSE message");
                }

                Volatile.Write(ref _state, (int)AssociationState.Sta8AwaitingLocalReleaseResponse);
                await _currentRequest.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await _channel.WritePduAsync(ReleaseResponsePdu.Instance, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _state, (int)AssociationState.Sta13AwaitingTransportClose);
                LogReleased(_logger, Id);
                return false;

            case ReleaseResponsePdu:
                switch (State)
                {
                    case AssociationState.Sta7AwaitingReleaseResponse or AssociationState.Sta11ReleaseCollisionRequesterAwaitingResponse:
                        Volatile.Write(ref _state, (int)AssociationState.Sta13AwaitingTransportClose);
                        _releaseResponse.TrySetResult();
                        LogReleased(_logger, Id);
                        return false;
                    case AssociationState.Sta10ReleaseCollisionAcceptor:
                        await _channel.WritePduAsync(ReleaseResponsePdu.Instance, cancellationToken).ConfigureAwait(false);
                        Volatile.Write(ref _state, (int)AssociationState.Sta13AwaitingTransportClose);
                        _releaseResponse.TrySetResult();
                        return false;
                    default:
                        throw new DicomProtocolException(AbortReason.UnexpectedPdu, $"A-RELEASE-RP in state {State}");
                }

            case AbortPdu abort:
                LogAborted(_logger, Id, abort.Source, abort.Reason);
                Volatile.Write(ref _state, (int)AssociationState.Sta13AwaitingTransportClose);
                throw new DicomAssociationAbortedException($"the peer aborted the association (source {abort.Source}, reason {abort.Reason})", abort);

            default:
                // A-ASSOCIATE-RQ, -AC or -RJ on an established association (PS3.8 Table 9-10, AA-8).
                throw new DicomProtocolException(AbortReason.UnexpectedPdu, $"{pdu.Type} on an established association");
        }
    }

    private async ValueTask OnDataValueAsync(PresentationDataValue pdv, CancellationToken cancellationToken)
    {
        if (!_contexts.TryGetValue(pdv.PresentationContextId, out NegotiatedPresentationContext? context) || !context.IsAccepted)
        {
            throw new DicomProtocolException(AbortReason.InvalidPduParameterValue, $"data on presentation context {pdv.PresentationContextId}, which was not accepted");
        }

        if (pdv.IsCommand)
        {
            if (_dataSetCommand is not null)
            {
                throw new DicomProtocolException(AbortReason.UnexpectedPduParameter, "a command fragment arrived while a data set was expected");
            }

            if (_commandBuffer.Length > 0 && pdv.PresentationContextId != _commandContextId)
            {
                throw new DicomProtocolException(AbortReason.InvalidPduParameterValue, "command fragments on different presentation contexts");
            }

            if (_commandBuffer.Length + pdv.Data.Length > DimseCommand.MaxEncodedLength)
            {
                throw new DicomProtocolException(AbortReason.InvalidPduParameterValue, $"a command set longer than {DimseCommand.MaxEncodedLength} bytes");
            }

            _commandContextId = pdv.PresentationContextId;
            _commandBuffer.Write(pdv.Data.Span);
            if (pdv.IsLast)
            {
                DimseCommand command;
                try
                {
                    command = await DimseCommand.DecodeAsync(_commandBuffer.GetBuffer().AsMemory(0, (int)_commandBuffer.Length), cancellationToken).ConfigureAwait(false);
                }
                catch (DicomFormatException ex)
                {
                    throw new DicomProtocolException(AbortReason.InvalidPduParameterValue, "a malformed command set: " + ex.Message, ex);
                }
                finally
                {
                    _commandBuffer.SetLength(0);
                }

                await OnCommandAsync(command, context, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (_dataSetCommand is null || _dataSetContext is null)
        {
            throw new DicomProtocolException(AbortReason.UnexpectedPduParameter, "a data set fragment arrived without a command announcing it");
        }

        if (pdv.PresentationContextId != _dataSetContext.Id)
        {
            throw new DicomProtocolException(AbortReason.InvalidPduParameterValue, "a data set fragment on another presentation context than its command");
        }

        if (_dataSetPipe is not null)
        {
            // Backpressure: a slow consumer (a disk) slows the reading of the connection, never the memory.
            FlushResult flushed = await _dataSetPipe.Writer.WriteAsync(pdv.Data, cancellationToken).ConfigureAwait(false);
            if (flushed.IsCompleted)
            {
                // The handler stopped reading (it answered already): drop the rest of this data set.
                _dataSetPipe.Writer.Complete();
                _dataSetPipe = null;
            }
        }
        else if (_responseDataSet is not null)
        {
            if (_responseDataSet.Length + pdv.Data.Length > Options.MaxIdentifierLength)
            {
                throw new DicomProtocolException(AbortReason.InvalidPduParameterValue, $"a response data set longer than {Options.MaxIdentifierLength} bytes");
            }

            _responseDataSet.Write(pdv.Data.Span);
        }

        if (pdv.IsLast)
        {
            DimseCommand command = _dataSetCommand;
            NegotiatedPresentationContext dataContext = _dataSetContext;
            _dataSetCommand = null;
            _dataSetContext = null;
            if (_dataSetPipe is not null)
            {
                await _dataSetPipe.Writer.CompleteAsync().ConfigureAwait(false);
                _dataSetPipe = null;
            }

            if (_responseDataSet is not null)
            {
                MemoryStream bytes = _responseDataSet;
                _responseDataSet = null;
                DicomDataset dataSet = await DecodeDataSetAsync(bytes, dataContext, cancellationToken).ConfigureAwait(false);
                await DeliverResponseAsync(command, dataSet, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask OnCommandAsync(DimseCommand command, NegotiatedPresentationContext context, CancellationToken cancellationToken)
    {
        if (command.IsResponse)
        {
            if (command.HasDataSet)
            {
                _dataSetCommand = command;
                _dataSetContext = context;
                _responseDataSet = new MemoryStream();
            }
            else
            {
                await DeliverResponseAsync(command, null, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (command.CommandField == DimseCommandField.CCancelRequest)
        {
            if (!_currentRequest.IsCompleted && _currentRequestMessageId == command.MessageIdBeingRespondedTo)
            {
                LogCancel(_logger, Id, command.MessageIdBeingRespondedTo);
                await (_currentRequestCancellation?.CancelAsync() ?? Task.CompletedTask).ConfigureAwait(false);
            }

            return;
        }

        if (_handler is null)
        {
            throw new DicomProtocolException(AbortReason.UnexpectedPduParameter, $"{command.CommandField} arrived, but this side serves no requests");
        }

        // One operation at a time (no asynchronous operations window was granted): a new request waits for the
        // previous one's last response.
        await _currentRequest.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        Stream? dataSet = null;
        if (command.HasDataSet)
        {
            // RunHandlersOnReceiveThread: the handler consumes each fragment on the thread that received it (its read
            // completes inline in the receive loop's write), with no hand-off per fragment. Backpressure either way:
            // past the threshold the loop waits for the handler.
            _dataSetPipe = new Pipe(new PipeOptions(
                readerScheduler: Options.RunHandlersOnReceiveThread ? PipeScheduler.Inline : PipeScheduler.ThreadPool,
                pauseWriterThreshold: 1024 * 1024,
                resumeWriterThreshold: 512 * 1024,
                useSynchronizationContext: false));
            _dataSetCommand = command;
            _dataSetContext = context;
            dataSet = _dataSetPipe.Reader.AsStream();
        }

        _currentRequestCancellation?.Dispose();
        _currentRequestCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _currentRequestMessageId = command.MessageId;
        var request = new DimseRequest(this, command, context, dataSet);
        (DimseStatus Status, string Comment)? refusal = CheckRequest(command, context);
        _currentRequest = refusal is { } r
            ? RefuseAsync(request, r.Status, r.Comment, _currentRequestCancellation.Token)
            : RunHandlerAsync(request, _currentRequestCancellation.Token);
    }

    // PS3.7 9.1 / PS3.8 9.3.2.2.2: a request must name the SOP class of the presentation context it travels on, and its
    // sender must hold the role that invokes it there (the requester is SCU unless role selection said otherwise; the
    // acceptor invokes only where the requester took the SCP role, as for C-GET's C-STOREs). Checked before any handler
    // sees the request, so that what policy approved at negotiation is what gets served.
    private (DimseStatus Status, string Comment)? CheckRequest(DimseCommand command, NegotiatedPresentationContext context)
    {
        bool senderMayInvoke = IsRequester ? context.RequesterIsScp : context.RequesterIsScu;
        if (!senderMayInvoke)
        {
            LogRoleRefused(_logger, Id, command.CommandField, context.Id);
            return (DimseStatus.NotAuthorized, $"no SCU role for this SOP class on presentation context {context.Id}");
        }

        string? sopClass = command.AffectedSopClassUid;
        if (sopClass is not null && sopClass != context.AbstractSyntax)
        {
            LogSopClassRefused(_logger, Id, command.CommandField, context.Id);
            return (DimseStatus.SopClassNotSupported, $"Affected SOP Class is not that of presentation context {context.Id}");
        }

        return null;
    }

    private async Task RefuseAsync(DimseRequest request, DimseStatus status, string comment, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            if (request.DataSet is not null)
            {
                await request.DataSet.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            }

            var response = new DimseCommand(new Model.DicomDataset())
            {
                CommandField = (DimseCommandField)((ushort)request.Command.CommandField | 0x8000),
                MessageIdBeingRespondedTo = request.Command.MessageId,
                AffectedSopClassUid = request.Command.AffectedSopClassUid ?? request.PresentationContext.AbstractSyntax,
                AffectedSopInstanceUid = request.Command.AffectedSopInstanceUid,
                HasDataSet = false,
                Status = status,
                ErrorComment = comment,
            };
            await request.RespondAsync(response, null, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The association ended while the refused data set was still arriving.
        }
        finally
        {
            if (request.DataSet is not null)
            {
                await request.DataSet.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task RunHandlerAsync(DimseRequest request, CancellationToken cancellationToken)
    {
        if (!Options.RunHandlersOnReceiveThread)
        {
            await Task.Yield();
        }

        // Otherwise the handler runs on the receive loop's thread until its first wait that does not complete at once (for
        // a request with a data set: its first read); the loop goes on receiving from there, so a C-CANCEL or an A-ABORT
        // is still seen while the handler works.
        try
        {
            await _handler!.HandleAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested || ex is not OperationCanceledException)
        {
            LogHandlerFailed(_logger, ex, Id, request.Command.CommandField);
            await SendAbortAsync(new AbortPdu(AbortSource.ServiceUser, AbortReason.NotSpecified)).ConfigureAwait(false);
            Fail(new DicomAssociationAbortedException("a request handler failed: " + ex.Message, null, ex));
            await _lifetime.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            if (request.DataSet is not null)
            {
                await request.DataSet.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async ValueTask DeliverResponseAsync(DimseCommand command, DicomDataset? dataSet, CancellationToken cancellationToken)
    {
        if (!_pending.TryGetValue(command.MessageIdBeingRespondedTo, out PendingRequest? pending))
        {
            if (_abandoned.ContainsKey(command.MessageIdBeingRespondedTo))
            {
                if (command.Status.Category != DimseStatusCategory.Pending)
                {
                    _abandoned.TryRemove(command.MessageIdBeingRespondedTo, out _);
                }

                return;
            }

            throw new DicomProtocolException(AbortReason.UnexpectedPduParameter, $"a response to message {command.MessageIdBeingRespondedTo}, which is not outstanding");
        }

        var response = new DimseResponse(command, dataSet);
        if (response.Status.Category != DimseStatusCategory.Pending)
        {
            _pending.TryRemove(command.MessageIdBeingRespondedTo, out _);
        }

        await pending.DeliverAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<DicomDataset> DecodeDataSetAsync(MemoryStream bytes, NegotiatedPresentationContext context, CancellationToken cancellationToken)
    {
        bytes.Position = 0;
        Stream source = context.TransferSyntax.IsDeflated ? new DeflateStream(bytes, CompressionMode.Decompress) : bytes;
        var options = new DicomReaderOptions { MaxValueLength = Options.MaxIdentifierLength, MaxTotalValueBytes = Options.MaxIdentifierLength };
        await using var reader = new DicomStreamReader(source, context.TransferSyntax.Encoding, options);
        try
        {
            return await DicomDatasetReader.ReadAsync(reader, cancellationToken).ConfigureAwait(false);
        }
        catch (DicomFormatException ex)
        {
            throw new DicomProtocolException(AbortReason.InvalidPduParameterValue, "a malformed response data set: " + ex.Message, ex);
        }
    }

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Association {AssociationId}: protocol violation by the peer ({Reason}): {Detail}")]
    private static partial void LogProtocolViolation(ILogger logger, Guid associationId, AbortReason reason, string detail);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Association {AssociationId}: released")]
    private static partial void LogReleased(ILogger logger, Guid associationId);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Association {AssociationId}: aborted by the peer (source {Source}, reason {Reason})")]
    private static partial void LogAborted(ILogger logger, Guid associationId, AbortSource source, AbortReason reason);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Association {AssociationId}: timed out waiting for the peer")]
    private static partial void LogTimeout(ILogger logger, Guid associationId);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Information, Message = "Association {AssociationId}: C-CANCEL for message {MessageId}")]
    private static partial void LogCancel(ILogger logger, Guid associationId, ushort messageId);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Warning, Message = "Association {AssociationId}: {CommandField} refused: the sender holds no role to invoke it on presentation context {ContextId}")]
    private static partial void LogRoleRefused(ILogger logger, Guid associationId, DimseCommandField commandField, byte contextId);

    [LoggerMessage(EventId = 1109, Level = LogLevel.Warning, Message = "Association {AssociationId}: {CommandField} refused: its Affected SOP Class is not the abstract syntax of presentation context {ContextId}")]
    private static partial void LogSopClassRefused(ILogger logger, Guid associationId, DimseCommandField commandField, byte contextId);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Error, Message = "Association {AssociationId}: the handler of {CommandField} failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, Guid associationId, DimseCommandField commandField);
}
