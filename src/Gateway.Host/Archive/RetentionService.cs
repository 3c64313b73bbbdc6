using Gateway.Archive;
using Gateway.Archive.Index;
using Gateway.Audit;
using Gateway.Audit.Records;
using Gateway.Host.Audit;
using Gateway.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Archive;

/// <summary>
/// Runs the archive's retention (<see cref="ArchiveStore.PurgeAsync(Func{IReadOnlyList{ArchivePurgeCandidate}, CancellationToken, Task}?, CancellationToken)"/>)
/// shortly after start and then every <see cref="RetentionOptions.Interval"/>: objects every destination received more
/// than <see cref="RetentionOptions.KeepForwardedFor"/> ago leave the local archive.
/// </summary>
/// <remarks>
/// Every batch is written to the audit log before it is purged, one DICOM Study Deleted record (PS3.15 A.5.3.6: event
/// 110105, action D) per study, with the study (its SOP classes and instance counts) and its patient; if the log refuses,
/// nothing of that batch is purged. An item pending, in flight or dead-lettered keeps its instance (the archive checks it
/// again inside the purge). Operational logs get counts only.
/// </remarks>
public sealed partial class RetentionService(
    ArchiveStore archive,
    GatewayAudit audit,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<RetentionService> logger) : BackgroundService
{
    // The first run waits a little, so that it does not compete with start-up and the first associations.
    private static readonly TimeSpan FirstRunDelay = TimeSpan.FromSeconds(5);

    /// <summary>Archive options with the retention settings applied.</summary>
    public static ArchiveOptions Apply(ArchiveOptions archiveOptions, RetentionOptions retention)
    {
        ArgumentNullException.ThrowIfNull(archiveOptions);
        ArgumentNullException.ThrowIfNull(retention);
        return archiveOptions with
        {
            ObjectRetention = retention.KeepForwardedFor,
            HistoryRetention = retention.KeepHistoryFor,
            PurgeUnforwarded = retention.PurgeUnforwarded,
        };
    }

    /// <summary>One retention pass: audits, then purges; returns what it removed.</summary>
    /// <exception cref="AuditLogException">The audit log refused a record: the batch it describes and the rest stay.</exception>
    public async Task<ArchivePurgeResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        int studies = 0;
        ArchivePurgeResult result = await archive.PurgeAsync(
            async (batch, ct) => studies += await AuditBatchAsync(batch, ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        if (result.ObjectsPurged > 0 || result.InstancesForgotten > 0)
        {
            LogPurged(logger, result.ObjectsPurged, studies, result.BytesFreed, result.InstancesForgotten);
        }

        return result;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        try
        {
            await Task.Delay(FirstRunDelay < options.Value.Interval ? FirstRunDelay : options.Value.Interval, time, stoppingToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(options.Value.Interval, time);
            do
            {
                try
                {
                    await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (AuditLogException ex)
                {
                    LogAuditRefused(logger, ex);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The next run tries again; the gateway goes on (a full archive still refuses with A700).
                    LogFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: a purge interrupted between batches leaves the rest for the next start.
        }
    }

    // One Study Deleted record per study of the batch; returns how many studies.
    private async Task<int> AuditBatchAsync(IReadOnlyList<ArchivePurgeCandidate> batch, CancellationToken cancellationToken)
    {
        int studies = 0;
        foreach (IGrouping<string, ArchivePurgeCandidate> study in batch.GroupBy(c => c.StudyInstanceUid, StringComparer.Ordinal))
        {
            ArchivedStudy? indexed = await archive.GetStudyAsync(study.Key, cancellationToken).ConfigureAwait(false);
            AuditSopClass[] classes = [.. study.GroupBy(c => c.SopClassUid, StringComparer.Ordinal).Select(g => new AuditSopClass(g.Key, g.Count()))];
            AuditParticipantObject[] objects = [AuditRecords.Study(study.Key, classes), .. AuditPatients.Of(indexed?.Attributes.PatientId)];

            await audit.RecordByGatewayAsync(
                AuditEventId.DicomStudyDeleted,
                AuditEventAction.Delete,
                AuditEventOutcome.Success,
                objects,
                $"retention: {study.Count()} instance(s) delivered to every destination more than {options.Value.KeepForwardedFor} ago",
                cancellationToken).ConfigureAwait(false);
            studies++;
        }

        return studies;
    }

    [LoggerMessage(EventId = 2331, Level = LogLevel.Information, Message = "Retention purged {Objects} instance(s) of {Studies} study record(s), {Bytes} bytes freed; {Forgotten} old history row(s) removed")]
    private static partial void LogPurged(ILogger logger, int objects, int studies, long bytes, int forgotten);

    [LoggerMessage(EventId = 2332, Level = LogLevel.Error, Message = "Retention skipped: the audit log refused the Study Deleted record, so nothing of that batch was purged")]
    private static partial void LogAuditRefused(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2333, Level = LogLevel.Error, Message = "Retention failed; it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
