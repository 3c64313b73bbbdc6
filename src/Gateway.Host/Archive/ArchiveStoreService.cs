using Gateway.Archive;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Services;
using Gateway.Host.Policy;
using Gateway.Policy;

namespace Gateway.Host.Archive;

/// <summary>
/// C-STORE from a device: the policy decides, then the instance is written to the encrypted archive with one outbox
/// item per destination, and only when both are durable does the device get Success. A full archive or outbox answers
/// Out of Resources (A700) instead of risking what is stored; a denied store answers Not Authorized (0124), also when the
/// data set grows past the largest object the policy allows (<see cref="PolicySizedStream"/>).
/// </summary>
public sealed partial class ArchiveStoreService(
    IInstanceArchive archive,
    GatewayPolicy policy,
    Audit.GatewayAudit audit,
    ForwardingRoutes routes,
    ForwarderSignal signal,
    LiveTraffic traffic,
    ILogger<ArchiveStoreService> logger) : IStoreService
{
    /// <inheritdoc />
    public async Task<DimseStatus> StoreAsync(StoreRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // A live C-STORE: prefetch steps aside while it runs (LiveTraffic).
        using IDisposable live = traffic.BeginStore();
        PolicyDecision decision = policy.Check(request.Association, PolicyOperation.Store, request.SopClassUid);
        var archiveRequest = new ArchiveStoreRequest
        {
            SopClassUid = request.SopClassUid,
            SopInstanceUid = request.SopInstanceUid,
            TransferSyntax = request.TransferSyntax,
            CallingAE = request.Association.CallingAE,
            Destinations = routes.DestinationsFor(request.Association.CalledAE),
        };
        var sender = new Audit.AuditParty(request.Association.CallingAE, (request.Association.RemoteEndPoint as System.Net.IPEndPoint)?.Address.ToString());
        var receiver = new Audit.AuditParty(request.Association.CalledAE, null);

        // The size is known only as the data set streams in: past the rule's limit, the policy decides again with it.
        Stream dataSet = decision.MaxObjectSize is not null
            ? new PolicySizedStream(request.DataSet, decision, size => policy.Check(request.Association, PolicyOperation.Store, request.SopClassUid, objectSize: size))
            : request.DataSet;
        return await ArchiveAsync(archiveRequest, dataSet, sender, receiver, sourceIsRequestor: true, decision, request.Association.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Archives one instance with its outbox items and its Import record, all durable before it returns Success: the
    /// path of every instance the gateway takes in (a device's or the clinical side's C-STORE, a prefetched prior).
    /// </summary>
    /// <exception cref="DimseStatusException">Out of Resources (A700) when full, Cannot Understand for an unusable instance, Processing Failure when the audit log refuses.</exception>
    internal async Task<DimseStatus> ArchiveAsync(
        ArchiveStoreRequest archiveRequest,
        Stream dataSet,
        Audit.AuditParty source,
        Audit.AuditParty destination,
        bool sourceIsRequestor,
        PolicyDecision? decision,
        Guid associationId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(archiveRequest);
        ArchiveStoreResult result;
        try
        {
            result = await archive.StoreAsync(archiveRequest, dataSet, cancellationToken).ConfigureAwait(false);
            if (dataSet is PolicySizedStream sized)
            {
                // A larger object may have been allowed by a later rule than the first decision's: the record names it.
                decision = sized.Decision;
            }
        }
        catch (ArchiveFullException ex)
        {
            LogFull(logger, associationId, ex.Message);
            throw new DimseStatusException(DimseStatus.OutOfResources, "the gateway cannot take more now: " + ex.Reason);
        }
        catch (ArchiveRejectedException ex)
        {
            throw new DimseStatusException(DimseStatus.CannotUnderstand, ex.Message);
        }

        if (result.Outcome == ArchiveStoreOutcome.Conflict)
        {
            LogConflict(logger, associationId, archiveRequest.CallingAE);
        }

        // Ack means durable: the audit record too. If the log cannot take it, the sender is not told Success.
        try
        {
            await audit.RecordTransferAsync(
                Gateway.Audit.Records.AuditEventId.Import,
                Gateway.Audit.Records.AuditEventAction.Create,
                Gateway.Audit.Records.AuditEventOutcome.Success,
                source,
                destination,
                sourceIsRequestor,
                decision,
                [Gateway.Audit.Records.AuditRecords.Study(result.StudyInstanceUid, [new Gateway.Audit.Records.AuditSopClass(archiveRequest.SopClassUid, 1)]), .. Audit.AuditPatients.Of(result.PatientId)],
                result.Outcome.ToString(),
                associationId,
                cancellationToken).ConfigureAwait(false);
        }
        catch (Gateway.Audit.AuditLogException ex)
        {
            LogAuditFailed(logger, ex, associationId);
            throw new DimseStatusException(DimseStatus.ProcessingFailure, "the audit log cannot record the transfer");
        }

        if (result.QueuedDestinations.Count > 0)
        {
            signal.Notify(result.QueuedDestinations);
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
