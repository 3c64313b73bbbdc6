using Gateway.Archive;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Services;
using Gateway.Host.Policy;
using Gateway.Policy;

namespace Gateway.Host.Archive;

/// <summary>
/// C-STORE from a device: the policy decides, then the instance is written to the encrypted archive with one outbox
/// item per destination, and only when both are durable does the device get Success. A full archive or outbox answers
/// Out of Resources (A700) instead of risking what is stored; a denied store answers Not Authorized (0124).
/// </summary>
public sealed partial class ArchiveStoreService(
    IInstanceArchive archive,
    GatewayPolicy policy,
    Audit.GatewayAudit audit,
    ForwardingRoutes routes,
    ForwarderSignal signal,
    ILogger<ArchiveStoreService> logger) : IStoreService
{
    /// <inheritdoc />
    public async Task<DimseStatus> StoreAsync(StoreRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        PolicyDecision decision = policy.Check(request.Association, PolicyOperation.Store, request.SopClassUid);
        IReadOnlyList<string> destinations = routes.DestinationsFor(request.Association.CalledAE);
        var archiveRequest = new ArchiveStoreRequest
        {
            SopClassUid = request.SopClassUid,
            SopInstanceUid = request.SopInstanceUid,
            TransferSyntax = request.TransferSyntax,
            CallingAE = request.Association.CallingAE,
            Destinations = destinations,
        };
        ArchiveStoreResult result;
        try
        {
            result = await archive.StoreAsync(archiveRequest, request.DataSet, cancellationToken).ConfigureAwait(false);
        }
        catch (ArchiveFullException ex)
        {
            LogFull(logger, request.Association.Id, ex.Message);
            throw new DimseStatusException(DimseStatus.OutOfResources, "the gateway cannot take more now: " + ex.Reason);
        }
        catch (ArchiveRejectedException ex)
        {
            throw new DimseStatusException(DimseStatus.CannotUnderstand, ex.Message);
        }

        if (result.Outcome == ArchiveStoreOutcome.Conflict)
        {
            LogConflict(logger, request.Association.Id, request.Association.CallingAE);
        }

        // Ack means durable: the audit record too. If the log cannot take it, the device is not told Success.
        try
        {
            await audit.RecordAsync(
                Gateway.Audit.Records.AuditEventId.Import,
                Gateway.Audit.Records.AuditEventAction.Create,
                Gateway.Audit.Records.AuditEventOutcome.Success,
                request.Association,
                decision,
                [Gateway.Audit.Records.AuditRecords.Study(result.StudyInstanceUid, [new Gateway.Audit.Records.AuditSopClass(request.SopClassUid, 1)]), .. Audit.AuditPatients.Of(result.PatientId)],
                result.Outcome.ToString(),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Gateway.Audit.AuditLogException ex)
        {
            LogAuditFailed(logger, ex, request.Association.Id);
            throw new DimseStatusException(DimseStatus.ProcessingFailure, "the audit log cannot record the transfer");
        }

        if (result.QueuedDestinations.Count > 0)
        {
            signal.Notify();
        }

        return DimseStatus.Success;
    }

    [LoggerMessage(EventId = 2303, Level = LogLevel.Error, Message = "Association {AssociationId}: C-STORE refused because the audit log refused its record")]
    private static partial void LogAuditFailed(ILogger logger, Exception exception, Guid associationId);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "Association {AssociationId}: C-STORE refused, archive or outbox full: {Reason}")]
    private static partial void LogFull(ILogger logger, Guid associationId, string reason);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "Association {AssociationId}: {CallingAE} sent different content under a SOP Instance UID already archived; kept both, the second flagged as a conflict")]
    private static partial void LogConflict(ILogger logger, Guid associationId, string callingAE);
}
