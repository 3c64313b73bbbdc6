using System.Globalization;
using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Services;
using Gateway.Host.Configuration;
using Gateway.Host.Dimse;

namespace Gateway.Host.Prefetch;

/// <summary>The queries of a prefetch look: the worklist, then each patient's studies and their series on the PACS.</summary>
public sealed partial class PrefetchService
{
    /// <summary>The most series of one study read.</summary>
    private const int MaxSeriesPerStudy = 1_000;

    // PS3.4 K.6.1.2: the worklist asked for steps starting from today until the end of the lead time; the exact
    // window (start of today to now + lead time) is checked on each answer, since a date range is matched by day.
    private async Task<IReadOnlyList<ScheduledProcedure>> QueryWorklistAsync(UpstreamTarget ris, PrefetchOptions prefetch, CancellationToken cancellationToken)
    {
        DateTimeOffset now = time.GetLocalNow();
        var step = new DicomDataset();
        step.SetString(DicomTags.ScheduledStationAETitle, DicomVR.AE)
            .SetString(DicomTags.ScheduledProcedureStepStartDate, DicomVR.DA, $"{Day(now)}-{Day(now + prefetch.LeadTime)}")
            .SetString(DicomTags.ScheduledProcedureStepStartTime, DicomVR.TM)
            .SetString(DicomTags.Modality, DicomVR.CS);
        var identifier = new DicomDataset();
        identifier.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS)
            .SetString(DicomTags.PatientID, DicomVR.LO)
            .SetString(DicomTags.StudyInstanceUID, DicomVR.UI);
        identifier.Set(new DicomSequence(DicomTags.ScheduledProcedureStepSequence, [step]));

        string model = DicomUids.ModalityWorklistInformationModelFind.Value;
        IReadOnlyList<DicomDataset> items = await QueryAsync(ris, model, identifier, prefetch.MaxWorklistItems, "worklist", cancellationToken).ConfigureAwait(false);
        var due = new Dictionary<string, ScheduledProcedure>(StringComparer.Ordinal);
        int unusable = 0;
        foreach (DicomDataset item in items)
        {
            if (ScheduledProcedure.FromWorklistItem(item, time.LocalTimeZone) is not { } procedure)
            {
                unusable++;
                continue;
            }

            // One look per patient, with the earliest step's scheduled study left out of the priors.
            if (procedure.IsDue(now, prefetch.LeadTime) && (!due.TryGetValue(procedure.PatientId, out ScheduledProcedure? seen) || procedure.ScheduledAt < seen.ScheduledAt))
            {
                due[procedure.PatientId] = procedure;
            }
        }

        if (unusable > 0)
        {
            LogUnusableItems(logger, unusable, ris.AETitle);
        }

        return [.. due.Values.OrderBy(p => p.ScheduledAt)];
    }

    private async Task<IReadOnlyList<PriorChoice>> FindPriorsAsync(UpstreamTarget pacs, ScheduledProcedure procedure, PrefetchOptions prefetch, CancellationToken cancellationToken)
    {
        var identifier = new DicomDataset();

        // The Patient ID is sent as the worklist encoded it (its character set first, so that it is encoded with it).
        if (procedure.CharacterSet is { Length: > 0 } characterSet)
        {
            identifier.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, characterSet.Split('\\'));
        }

        identifier.SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, "STUDY")
            .SetString(DicomTags.PatientID, DicomVR.LO, procedure.PatientId)
            .SetString(DicomTags.StudyInstanceUID, DicomVR.UI)
            .SetString(DicomTags.StudyDate, DicomVR.DA)
            .SetString(DicomTags.StudyTime, DicomVR.TM)
            .SetString(DicomTags.ModalitiesInStudy, DicomVR.CS);
        string model = DicomUids.StudyRootQueryRetrieveInformationModelFind.Value;
        IReadOnlyList<DicomDataset> studies = await QueryAsync(pacs, model, identifier, prefetch.MaxStudiesPerPatient, "studies", cancellationToken).ConfigureAwait(false);
        IReadOnlyList<PriorStudy> candidates = PriorSelection.Candidates(studies, procedure.PatientId, procedure.StudyInstanceUid, prefetch);
        var chosen = new List<PriorChoice>();
        foreach (PriorStudy candidate in candidates)
        {
            if (chosen.Count >= prefetch.MostRecent)
            {
                break;
            }

            if (!PriorSelection.FiltersSeries(prefetch))
            {
                chosen.Add(new PriorChoice(candidate.StudyInstanceUid, []));
                continue;
            }

            var seriesQuery = new DicomDataset();
            seriesQuery.SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, "SERIES")
                .SetString(DicomTags.StudyInstanceUID, DicomVR.UI, candidate.StudyInstanceUid)
                .SetString(DicomTags.SeriesInstanceUID, DicomVR.UI)
                .SetString(DicomTags.Modality, DicomVR.CS)
                .SetString(DicomTags.BodyPartExamined, DicomVR.CS);
            IReadOnlyList<DicomDataset> series = await QueryAsync(pacs, model, seriesQuery, MaxSeriesPerStudy, "series", cancellationToken).ConfigureAwait(false);
            IReadOnlyList<string> matching = PriorSelection.MatchingSeries(series, candidate.StudyInstanceUid, prefetch);
            if (matching.Count > 0)
            {
                chosen.Add(new PriorChoice(candidate.StudyInstanceUid, matching));
            }
        }

        return chosen;
    }

    // One C-FIND on its own association, audited (keys encrypted in the log) before it leaves; at most `max` answers
    // are kept, after which the query is cancelled (C-CANCEL) and the rest of the answers read and dropped.
    private async Task<IReadOnlyList<DicomDataset>> QueryAsync(UpstreamTarget upstream, string model, DicomDataset identifier, int max, string what, CancellationToken cancellationToken)
    {
        await audit.RecordTransferAsync(
            Gateway.Audit.Records.AuditEventId.Query,
            Gateway.Audit.Records.AuditEventAction.Execute,
            Gateway.Audit.Records.AuditEventOutcome.Success,
            new Audit.AuditParty(options.Value.AETitle, null),
            new Audit.AuditParty(upstream.AETitle, upstream.Host),
            sourceIsRequestor: true,
            null,
            [Gateway.Audit.Records.AuditRecords.QueryObject(model, await FindRelay.EncodeAsync(identifier, cancellationToken).ConfigureAwait(false))],
            "prefetch: " + what,
            null,
            cancellationToken).ConfigureAwait(false);

        DicomAssociation association = await upstreams.ConnectAsync(upstream, [model], cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (association.ConfigureAwait(false))
        {
            var answers = new List<DicomDataset>();
            using var enough = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            DimseResponse? final = null;
            await foreach (DimseResponse response in association.FindAsync(model, identifier, enough.Token).ConfigureAwait(false))
            {
                if (response.Status.Category != DimseStatusCategory.Pending)
                {
                    final = response;
                }
                else if (response.DataSet is { } answer && answers.Count < max)
                {
                    answers.Add(answer);
                }
                else if (!enough.IsCancellationRequested)
                {
                    LogTruncated(logger, upstream.AETitle, what, max);
                    await enough.CancelAsync().ConfigureAwait(false);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            await Upstreams.ReleaseQuietlyAsync(association).ConfigureAwait(false);
            if (final is { Status.Category: DimseStatusCategory.Failure } failed)
            {
                // The upstream's error comment may quote the query's keys: it is not passed on into the logs.
                throw new DimseStatusException(failed.Status, $"{upstream.AETitle} refused the {what} query with {failed.Status}");
            }

            return answers;
        }
    }

    private static string Day(DateTimeOffset at) => at.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 2706, Level = LogLevel.Warning, Message = "Prefetch: {Upstream} answered more than {Max} {What}; the rest was cancelled")]
    private static partial void LogTruncated(ILogger logger, string upstream, string what, int max);

    [LoggerMessage(EventId = 2707, Level = LogLevel.Warning, Message = "Prefetch: {Count} worklist item(s) from {Upstream} had no usable Patient ID or start date and were skipped")]
    private static partial void LogUnusableItems(ILogger logger, int count, string upstream);
}
