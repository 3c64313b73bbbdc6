using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Dicom.Network.Services;

/// <summary>
/// Serves DIMSE-C requests on an association by calling the configured services, and builds every response:
/// C-ECHO always; C-STORE, C-FIND, C-MOVE and C-GET when the matching service is present, else the request is
/// refused with SOP Class Not Supported / Unrecognized Operation.
/// </summary>
public sealed partial class DimseServiceDispatcher : IDimseRequestHandler
{
    private readonly IStoreService? _store;
    private readonly IFindService? _find;
    private readonly IRetrieveService? _retrieve;
    private readonly ILogger _logger;

    /// <summary>Creates a dispatcher over the given services (any may be null).</summary>
    public DimseServiceDispatcher(IStoreService? store = null, IFindService? find = null, IRetrieveService? retrieve = null, ILogger? logger = null)
    {
        _store = store;
        _find = find;
        _retrieve = retrieve;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public async Task HandleAsync(DimseRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        DimseCommand command = request.Command;
        switch (command.CommandField)
        {
            case DimseCommandField.CEchoRequest:
                await RespondAsync(request, DimseCommandField.CEchoResponse, DimseStatus.Success, null, cancellationToken).ConfigureAwait(false);
                break;
            case DimseCommandField.CStoreRequest:
                await HandleStoreAsync(request, cancellationToken).ConfigureAwait(false);
                break;
            case DimseCommandField.CFindRequest:
                await HandleFindAsync(request, cancellationToken).ConfigureAwait(false);
                break;
            case DimseCommandField.CMoveRequest:
            case DimseCommandField.CGetRequest:
                await HandleRetrieveAsync(request, cancellationToken).ConfigureAwait(false);
                break;
            default:
                LogUnsupported(_logger, request.Association.Id, (ushort)command.CommandField);
                if (request.DataSet is not null)
                {
                    await request.DataSet.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                }

                await RespondAsync(request, (DimseCommandField)((ushort)command.CommandField | 0x8000), DimseStatus.UnrecognizedOperation, null, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private async Task HandleStoreAsync(DimseRequest request, CancellationToken cancellationToken)
    {
        DimseCommand command = request.Command;
        DimseStatus status;
        string? comment = null;
        if (_store is null || request.DataSet is null)
        {
            if (request.DataSet is not null)
            {
                await request.DataSet.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            }

            status = request.DataSet is null ? DimseStatus.CannotUnderstand : DimseStatus.SopClassNotSupported;
        }
        else
        {
            var store = new StoreRequest(
                request.Association,
                command.AffectedSopClassUid ?? request.PresentationContext.AbstractSyntax,
                command.AffectedSopInstanceUid ?? string.Empty,
                request.PresentationContext.TransferSyntax,
                request.DataSet,
                command.MoveOriginatorAETitle);
            try
            {
                status = await _store.StoreAsync(store, cancellationToken).ConfigureAwait(false);
            }
            catch (DimseStatusException ex)
            {
                status = ex.Status;
                comment = ex.Message;
            }

            // Whatever the service did not read is drained, so the association stays in step.
            await request.DataSet.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }

        var response = new DimseCommand(new DicomDataset())
        {
            CommandField = DimseCommandField.CStoreResponse,
            MessageIdBeingRespondedTo = command.MessageId,
            AffectedSopClassUid = command.AffectedSopClassUid,
            AffectedSopInstanceUid = command.AffectedSopInstanceUid,
            HasDataSet = false,
            Status = status,
            ErrorComment = comment,
        };
        await request.RespondAsync(response, null, cancellationToken).ConfigureAwait(false);
    }

    private async Task HandleFindAsync(DimseRequest request, CancellationToken cancellationToken)
    {
        DicomDataset? identifier = await ReadIdentifierAsync(request, cancellationToken).ConfigureAwait(false);
        if (identifier is null)
        {
            return;
        }

        if (_find is null)
        {
            await RespondAsync(request, DimseCommandField.CFindResponse, DimseStatus.SopClassNotSupported, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        DimseStatus final = DimseStatus.Success;
        string? comment = null;
        try
        {
            var query = new QueryRequest(request.Association, request.PresentationContext.AbstractSyntax, identifier, null);
            await foreach (DicomDataset match in _find.FindAsync(query, cancellationToken).ConfigureAwait(false))
            {
                DimseStatus pending = query.PendingStatus == DimseStatus.PendingWarning ? DimseStatus.PendingWarning : DimseStatus.Pending;
                await RespondAsync(request, DimseCommandField.CFindResponse, pending, match, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && request.Association.State == AssociationState.Sta6Established)
        {
            final = DimseStatus.Cancel;
        }
        catch (DimseStatusException ex)
        {
            final = ex.Status;
            comment = ex.Message;
        }

        await RespondAsync(request, DimseCommandField.CFindResponse, final, null, CancellationToken.None, comment).ConfigureAwait(false);
    }

    private async Task HandleRetrieveAsync(DimseRequest request, CancellationToken cancellationToken)
    {
        DimseCommand command = request.Command;
        bool isMove = command.CommandField == DimseCommandField.CMoveRequest;
        DimseCommandField responseField = isMove ? DimseCommandField.CMoveResponse : DimseCommandField.CGetResponse;
        DicomDataset? identifier = await ReadIdentifierAsync(request, cancellationToken).ConfigureAwait(false);
        if (identifier is null)
        {
            return;
        }

        if (_retrieve is null)
        {
            await RespondAsync(request, responseField, DimseStatus.SopClassNotSupported, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        var query = new QueryRequest(request.Association, request.PresentationContext.AbstractSyntax, identifier, isMove ? command.MoveDestination : null) { MessageId = command.MessageId };
        RetrieveProgress last = new(0, 0, 0, 0, []);
        DimseStatus? failure = null;
        string? comment = null;
        bool cancelled = false;
        try
        {
            IAsyncEnumerable<RetrieveProgress> progress = isMove
                ? _retrieve.MoveAsync(query, cancellationToken)
                : _retrieve.GetAsync(query, new SubOperationSender(request.Association, request.Association.CallingAE, command.MessageId), cancellationToken);
            await foreach (RetrieveProgress p in progress.ConfigureAwait(false))
            {
                last = p;
                if (p.Remaining > 0)
                {
                    await RespondRetrieveAsync(request, responseField, DimseStatus.Pending, p, false, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && request.Association.State == AssociationState.Sta6Established)
        {
            cancelled = true;
        }
        catch (DimseStatusException ex)
        {
            failure = ex.Status;
            comment = ex.Message;
        }

        // PS3.4 C.4.2.1.5: the final status follows from the sub-operation counts.
        DimseStatus status = failure
            ?? (cancelled ? DimseStatus.Cancel
            : last.Failed == 0 && last.Warning == 0 ? DimseStatus.Success
            : last.Completed == 0 && last.Warning == 0 ? new DimseStatus(0xA702)
            : DimseStatus.SubOperationsWarning);
        await RespondRetrieveAsync(request, responseField, status, last, true, CancellationToken.None, comment).ConfigureAwait(false);
    }

    private static async Task RespondRetrieveAsync(DimseRequest request, DimseCommandField field, DimseStatus status, RetrieveProgress progress, bool final, CancellationToken cancellationToken, string? comment = null)
    {
        DicomDataset? failedList = null;
        if (final && progress.FailedSopInstanceUids.Count > 0)
        {
            failedList = new DicomDataset().SetString(DicomTags.FailedSOPInstanceUIDList, DicomVR.UI, [.. progress.FailedSopInstanceUids]);
        }

        var response = new DimseCommand(new DicomDataset())
        {
            CommandField = field,
            MessageIdBeingRespondedTo = request.Command.MessageId,
            AffectedSopClassUid = request.Command.AffectedSopClassUid,
            HasDataSet = failedList is not null,
            Status = status,
            RemainingSubOperations = final && status.Category != DimseStatusCategory.Cancel ? null : (ushort)Math.Min(progress.Remaining, ushort.MaxValue),
            CompletedSubOperations = (ushort)Math.Min(progress.Completed, ushort.MaxValue),
            FailedSubOperations = (ushort)Math.Min(progress.Failed, ushort.MaxValue),
            WarningSubOperations = (ushort)Math.Min(progress.Warning, ushort.MaxValue),
            ErrorComment = comment,
        };
        await request.RespondAsync(response, failedList, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<DicomDataset?> ReadIdentifierAsync(DimseRequest request, CancellationToken cancellationToken)
    {
        DimseCommandField responseField = (DimseCommandField)((ushort)request.Command.CommandField | 0x8000);
        try
        {
            DicomDataset? identifier = await request.ReadDataSetAsync(cancellationToken).ConfigureAwait(false);
            if (identifier is null)
            {
                await RespondAsync(request, responseField, DimseStatus.CannotUnderstand, null, cancellationToken, "the request has no identifier").ConfigureAwait(false);
            }

            return identifier;
        }
        catch (DicomFormatException ex)
        {
            if (request.DataSet is not null)
            {
                await request.DataSet.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            }

            await RespondAsync(request, responseField, DimseStatus.CannotUnderstand, null, cancellationToken, "malformed identifier: " + ex.Detail).ConfigureAwait(false);
            return null;
        }
    }

    private static ValueTask RespondAsync(DimseRequest request, DimseCommandField field, DimseStatus status, DicomDataset? dataSet, CancellationToken cancellationToken, string? comment = null)
    {
        var response = new DimseCommand(new DicomDataset())
        {
            CommandField = field,
            MessageIdBeingRespondedTo = request.Command.MessageId,
            AffectedSopClassUid = request.Command.AffectedSopClassUid ?? request.PresentationContext.AbstractSyntax,
            HasDataSet = dataSet is not null,
            Status = status,
            ErrorComment = comment,
        };
        return request.RespondAsync(response, dataSet, cancellationToken);
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Association {AssociationId}: unsupported command field 0x{CommandField:X4}")]
    private static partial void LogUnsupported(ILogger logger, Guid associationId, ushort commandField);
}
