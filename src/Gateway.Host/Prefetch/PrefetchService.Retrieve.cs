using Gateway.Archive;
using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Services;
using Gateway.Host.Archive;
using Gateway.Host.Dimse;
using Gateway.Policy;

namespace Gateway.Host.Prefetch;

/// <summary>The retrieve of one prior: C-GET from the PACS into the archive, queued on the device's prefetch lane.</summary>
public sealed partial class PrefetchService
{
    /// <summary>How long an instance of a running retrieve waits for live C-STOREs to finish (the PACS waits meanwhile).</summary>
    private static readonly TimeSpan MaxYieldPerInstance = TimeSpan.FromSeconds(20);


    private async Task<RetrieveOutcome> RetrieveAsync(UpstreamTarget pacs, PrefetchRequester requester, PriorChoice prior, CancellationToken cancellationToken)
    {
        string getModel = DicomUids.StudyRootQueryRetrieveInformationModelGet.Value;
        if (!Allowed(requester, PolicyOperation.Move, DicomUids.StudyRootQueryRetrieveInformationModelMove.Value))
        {
            return new RetrieveOutcome(0, Complete: false);
        }

        // A retrieve starts only when live traffic is quiet; it may wait for that as long as it takes.
        Interlocked.Increment(ref _yielding);
        try
        {
            await traffic.WaitUntilQuietAsync(null, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _yielding);
        }

        string lane = DeviceLanes.Prefetch(requester.Device);
        int archived = 0;
        int denied = 0;
        Guid associationId = Guid.Empty;
        async Task<DimseResponse> ArchiveInstance(string sopClass, string sopInstance, DicomTransferSyntax syntax, Stream dataSet, CancellationToken token)
        {
            if (!await traffic.WaitUntilQuietAsync(null, MaxYieldPerInstance, token).ConfigureAwait(false))
            {
                LogYieldExpired(logger, prior.StudyInstanceUid, MaxYieldPerInstance.TotalSeconds);
            }

            PolicyDecision decision = policy.Decide(requester.Device, requester.Address, requester.ServiceAE, PolicyOperation.Move, sopClass, requester.Device);
            if (!decision.IsAllowed)
            {
                Interlocked.Increment(ref denied);
                return Answer(DimseStatus.NotAuthorized);
            }

            var request = new ArchiveStoreRequest
            {
                SopClassUid = sopClass,
                SopInstanceUid = sopInstance,
                TransferSyntax = syntax,
                CallingAE = pacs.AETitle,
                Destinations = [lane],
            };
            try
            {
                DimseStatus status = await store.ArchiveAsync(
                    request,
                    dataSet,
                    new Audit.AuditParty(pacs.AETitle, pacs.Host),
                    new Audit.AuditParty(options.Value.AETitle, null),
                    sourceIsRequestor: false,
                    decision,
                    associationId,
                    token).ConfigureAwait(false);
                Interlocked.Increment(ref archived);
                return Answer(status);
            }
            catch (DimseStatusException ex)
            {
                LogInstanceFailed(logger, prior.StudyInstanceUid, sopInstance, ex.Message);
                return Answer(ex.Status);
            }
        }

        PresentationContextProposalSpec[] storage = [.. RetrieveRelay.MoveStorageClasses.Select(c => new PresentationContextProposalSpec(c, PresentationContextProposalSpec.Uncompressed))];
        var relay = new SubOperationRelay(ArchiveInstance);
        DicomAssociation association = await upstreams.ConnectAsync(
            pacs,
            [getModel],
            [.. storage.Select(s => new RoleSelection(s.AbstractSyntax, ScuRole: false, ScpRole: true))],
            relay,
            storage,
            cancellationToken).ConfigureAwait(false);
        associationId = association.Id;
        bool refused = false;
        int upstreamFailed = 0;
        await using (association.ConfigureAwait(false))
        {
            IEnumerable<DicomDataset> identifiers = prior.SeriesInstanceUids.Count == 0
                ? [Identifier("STUDY", prior.StudyInstanceUid, null)]
                : prior.SeriesInstanceUids.Select(series => Identifier("SERIES", prior.StudyInstanceUid, series));
            foreach (DicomDataset identifier in identifiers)
            {
                DimseResponse? final = null;
                await foreach (DimseResponse response in association.GetAsync(getModel, identifier, cancellationToken).ConfigureAwait(false))
                {
                    if (response.Status.Category != DimseStatusCategory.Pending)
                    {
                        final = response;
                    }
                }

                refused |= final is null || (final.Status.Category == DimseStatusCategory.Failure && (final.Command.CompletedSubOperations ?? 0) == 0 && (final.Command.FailedSubOperations ?? 0) == 0);
                upstreamFailed += final?.Command.FailedSubOperations ?? 0;
            }

            await Upstreams.ReleaseQuietlyAsync(association).ConfigureAwait(false);
        }

        RetrieveProgress last = relay.Final(upstreamFailed, []);
        int failed = last.Failed - denied;
        bool complete = !refused && failed <= 0;
        await audit.RecordTransferAsync(
            Gateway.Audit.Records.AuditEventId.DicomInstancesTransferred,
            Gateway.Audit.Records.AuditEventAction.Create,
            complete ? Gateway.Audit.Records.AuditEventOutcome.Success : Gateway.Audit.Records.AuditEventOutcome.MinorFailure,
            new Audit.AuditParty(pacs.AETitle, pacs.Host),
            new Audit.AuditParty(options.Value.AETitle, null),
            sourceIsRequestor: false,
            null,
            [Gateway.Audit.Records.AuditRecords.Study(prior.StudyInstanceUid)],
            $"prefetch C-GET for {requester.Device}: archived {archived}, denied by policy {denied}, failed {Math.Max(failed, 0)}, warning {last.Warning}{(refused ? ", refused by the PACS" : string.Empty)}",
            associationId,
            CancellationToken.None).ConfigureAwait(false);
        LogRetrieved(logger, prior.StudyInstanceUid, requester.Device, archived, denied, Math.Max(failed, 0));
        return new RetrieveOutcome(archived, complete);
    }

    private static DicomDataset Identifier(string level, string study, string? series)
    {
        var identifier = new DicomDataset();
        identifier.SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, level)
            .SetString(DicomTags.StudyInstanceUID, DicomVR.UI, study);
        if (series is not null)
        {
            identifier.SetString(DicomTags.SeriesInstanceUID, DicomVR.UI, series);
        }

        return identifier;
    }

    private static DimseResponse Answer(DimseStatus status) =>
        new(new DimseCommand(new DicomDataset()) { CommandField = DimseCommandField.CStoreResponse, Status = status, HasDataSet = false }, null);

    [LoggerMessage(EventId = 2708, Level = LogLevel.Information, Message = "Prefetched study {StudyInstanceUid} for {Device}: {Archived} archived, {Denied} denied by policy, {Failed} failed")]
    private static partial void LogRetrieved(ILogger logger, string studyInstanceUid, string device, int archived, int denied, int failed);

    [LoggerMessage(EventId = 2709, Level = LogLevel.Debug, Message = "Prefetch of study {StudyInstanceUid} went on after waiting {Seconds} s for live C-STOREs")]
    private static partial void LogYieldExpired(ILogger logger, string studyInstanceUid, double seconds);

    [LoggerMessage(EventId = 2710, Level = LogLevel.Warning, Message = "Prefetch of study {StudyInstanceUid}: instance {SopInstanceUid} not archived: {Reason}")]
    private static partial void LogInstanceFailed(ILogger logger, string studyInstanceUid, string sopInstanceUid, string reason);
}
