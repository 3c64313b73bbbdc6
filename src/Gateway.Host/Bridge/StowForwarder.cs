using System.Net;
using Gateway.Archive;
using Gateway.Archive.Outbox;
using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.DicomWeb.Json;

namespace Gateway.Host.Bridge;

/// <summary>
/// The outbox loop of a destination that is a DICOMweb origin: leases up to <see cref="MaxBatchInstances"/> due items
/// (and about <see cref="MaxBatchBytes"/>), posts their archived Part 10 files in one STOW-RS request streamed from the
/// archive, and settles each item from the origin's answer: delivered when the ReferencedSOPSequence names it (a
/// warning too), dead-lettered when the FailedSOPSequence gives a permanent reason, retried with backoff when the
/// reason is Out of Resources (A7xx), when the answer does not mention it, or when the whole request failed (no
/// connection, a timeout, HTTP 5xx, 408, 429, or any answer without a DICOM JSON body). After several failed requests
/// in a row the destination rests, as the DIMSE forwarder does.
/// </summary>
public sealed partial class StowForwarder(ArchiveStore archive, DicomWebUpstreams origins, Archive.ForwarderSignal signal, TimeProvider time, ILogger<StowForwarder> logger)
{
    /// <summary>Most instances in one STOW-RS request.</summary>
    public const int MaxBatchInstances = 16;

    /// <summary>A request stops taking instances once it holds this many bytes (its first instance is always taken).</summary>
    public const long MaxBatchBytes = 64L * 1024 * 1024;

    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CircuitRest = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DeadLetterSweep = TimeSpan.FromMinutes(1);
    private const int CircuitThreshold = 5;

    // A STOW-RS answer lists each instance once with a few attributes.
    private static readonly DicomJsonReaderOptions AnswerLimits = new()
    {
        MaxDepth = 4,
        MaxDocumentBytes = 16L * 1024 * 1024,
        MaxTokenBytes = 64 * 1024,
        MaxElements = 1_000_000,
    };

    /// <summary>Drains <paramref name="destination"/>'s queue to the DICOMweb upstream <paramref name="upstream"/> until stopped.</summary>
    public async Task RunAsync(string destination, string upstream, CancellationToken stoppingToken)
    {
        DicomWebUpstreamClient origin = origins.Get(upstream);
        int failuresInARow = 0;
        DateTimeOffset nextDeadLetterSweep = DateTimeOffset.MinValue;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (time.GetUtcNow() >= nextDeadLetterSweep)
                {
                    await archive.Outbox.DeadLetterExpiredAsync(stoppingToken).ConfigureAwait(false);
                    nextDeadLetterSweep = time.GetUtcNow() + DeadLetterSweep;
                }

                var batch = new List<(OutboxLease Lease, ArchivedInstance Instance)>();
                try
                {
                    await LeaseBatchAsync(destination, batch, stoppingToken).ConfigureAwait(false);
                    if (batch.Count == 0)
                    {
                        await WaitQuietlyAsync(destination, stoppingToken).ConfigureAwait(false);
                        continue;
                    }

                    bool anyFailed = await SendAsync(origin, destination, batch, stoppingToken).ConfigureAwait(false);
                    failuresInARow = anyFailed ? failuresInARow + 1 : 0;
                }
                finally
                {
                    foreach ((_, ArchivedInstance instance) in batch)
                    {
                        await instance.DisposeAsync().ConfigureAwait(false);
                    }
                }

                if (failuresInARow >= CircuitThreshold)
                {
                    LogCircuitOpen(logger, destination, failuresInARow, CircuitRest.TotalSeconds);
                    await Task.Delay(CircuitRest, time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: leased items return to the queue when their lease runs out.
        }
    }

    // Leases due items and opens their Part 10 files; an item whose instance is gone is dead-lettered here.
    private async Task LeaseBatchAsync(string destination, List<(OutboxLease, ArchivedInstance)> batch, CancellationToken cancellationToken)
    {
        long bytes = 0;
        while (batch.Count < MaxBatchInstances && bytes < MaxBatchBytes)
        {
            if (await archive.Outbox.LeaseAsync(destination, Lease, cancellationToken).ConfigureAwait(false) is not { } lease)
            {
                return;
            }

            ArchivedInstance? instance;
            try
            {
                instance = await archive.OpenInstanceAsync(lease.SopInstanceUid, cancellationToken).ConfigureAwait(false);
            }
            catch (ArchiveIntegrityException ex)
            {
                // The DIMSE forwarder's rule: a failure to read is retried (an operator may restore the object).
                await FailAsync(destination, lease, ex.Message, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (instance is null)
            {
                await archive.Outbox.DeadLetterAsync(lease, "the instance is no longer in the archive", cancellationToken).ConfigureAwait(false);
                continue;
            }

            batch.Add((lease, instance));
            bytes += instance.Length;
        }
    }

    // One STOW-RS request; returns true when any item of it failed.
    private async Task<bool> SendAsync(DicomWebUpstreamClient origin, string destination, List<(OutboxLease Lease, ArchivedInstance Instance)> batch, CancellationToken stoppingToken)
    {
        Dictionary<string, Outcome>? outcomes = null;
        string error;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(origin.Timeout * Math.Max(1, batch.Count));
            using HttpRequestMessage request = origin.CreateRequest(HttpMethod.Post, "studies", "application/dicom+json");
            request.Content = new StowContent([.. batch.Select(b => b.Instance)]);
            using HttpResponseMessage response = await origin.SendAsync(request, timeout.Token).ConfigureAwait(false);
            error = $"the DICOMweb origin answered HTTP {(int)response.StatusCode}";
            if (IsTransient(response.StatusCode) || response.Content.Headers.ContentType?.MediaType is not ("application/dicom+json" or "application/json"))
            {
                // Nothing to settle item by item: the whole request failed, as a DIMSE failure status would.
                LogRequestFailed(logger, destination, batch.Count, error);
            }
            else
            {
                Stream body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    outcomes = Outcomes(await DicomJsonReader.ReadDatasetAsync(body, AnswerLimits, null, timeout.Token).ConfigureAwait(false));
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or DicomJsonException or ArchiveIntegrityException ||
                                   (ex is OperationCanceledException && !stoppingToken.IsCancellationRequested))
        {
            error = ex is OperationCanceledException ? "the DICOMweb origin did not answer in time" : ex.Message;
            LogRequestFailed(logger, destination, batch.Count, error);
        }

        bool anyFailed = false;
        foreach ((OutboxLease lease, _) in batch)
        {
            Outcome outcome = outcomes?.GetValueOrDefault(lease.SopInstanceUid) ?? new Outcome(Stored: false, null);
            if (outcome.Stored)
            {
                await archive.Outbox.MarkDeliveredAsync(lease, stoppingToken).ConfigureAwait(false);
                continue;
            }

            anyFailed = true;
            if (outcome.FailureReason is { } reason and not (>= 0xA700 and <= 0xA7FF))
            {
                // PS3.4 B.2.3: a refusal other than Out of Resources will be refused again.
                string refusal = $"the DICOMweb origin refused the instance: Failure Reason {reason:X4}";
                OutboxFailureOutcome dead = await archive.Outbox.DeadLetterAsync(lease, refusal, stoppingToken).ConfigureAwait(false);
                LogItemFailed(logger, destination, lease.Id, lease.Attempts + 1, dead, refusal);
                continue;
            }

            string why = outcome.FailureReason is { } busy ? $"the DICOMweb origin is out of resources: Failure Reason {busy:X4}"
                : outcomes is not null ? "the DICOMweb origin's answer does not mention the instance"
                : error;
            await FailAsync(destination, lease, why, stoppingToken).ConfigureAwait(false);
        }

        return anyFailed;
    }

    private async Task FailAsync(string destination, OutboxLease lease, string error, CancellationToken cancellationToken)
    {
        DateTimeOffset next = time.GetUtcNow() + Archive.Forwarder.Backoff(lease.Attempts + 1);
        OutboxFailureOutcome outcome = await archive.Outbox.MarkFailedAsync(lease, next, error, cancellationToken).ConfigureAwait(false);
        LogItemFailed(logger, destination, lease.Id, lease.Attempts + 1, outcome, error);
    }

    // RFC 9110: 408 and 429 ask for a retry, 5xx are the server's trouble; other 4xx carry a STOW-RS answer (409, 400) or none.
    private static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;

    // PS3.18 10.5.3: each instance is in the ReferencedSOPSequence (stored, maybe with a Warning Reason) or in the
    // FailedSOPSequence with a Failure Reason.
    internal static Dictionary<string, Outcome> Outcomes(DicomDataset answer)
    {
        var outcomes = new Dictionary<string, Outcome>(StringComparer.Ordinal);
        foreach (DicomDataset failed in answer.GetSequence(DicomTags.FailedSOPSequence)?.Items ?? [])
        {
            if (failed.GetString(DicomTags.ReferencedSOPInstanceUID)?.Trim() is { Length: > 0 } uid)
            {
                outcomes[uid] = new Outcome(Stored: false, failed.GetInt32(DicomTags.FailureReason) ?? (int)Gateway.DicomWeb.Stow.StowFailureReason.ProcessingFailure);
            }
        }

        foreach (DicomDataset stored in answer.GetSequence(DicomTags.ReferencedSOPSequence)?.Items ?? [])
        {
            if (stored.GetString(DicomTags.ReferencedSOPInstanceUID)?.Trim() is { Length: > 0 } uid)
            {
                outcomes[uid] = new Outcome(Stored: true, null);
            }
        }

        return outcomes;
    }

    private async Task WaitQuietlyAsync(string destination, CancellationToken cancellationToken)
    {
        try
        {
            await signal.WaitAsync(destination, Idle, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>What the origin said about one instance.</summary>
    /// <param name="Stored">In the ReferencedSOPSequence.</param>
    /// <param name="FailureReason">Its Failure Reason when in the FailedSOPSequence.</param>
    internal readonly record struct Outcome(bool Stored, int? FailureReason);

    [LoggerMessage(EventId = 2421, Level = LogLevel.Warning, Message = "Forwarding to {Destination} by STOW-RS: item {ItemId} failed (attempt {Attempt}, now {Outcome}): {Error}")]
    private static partial void LogItemFailed(ILogger logger, string destination, long itemId, int attempt, OutboxFailureOutcome outcome, string error);

    [LoggerMessage(EventId = 2422, Level = LogLevel.Warning, Message = "Forwarding to {Destination} by STOW-RS: a request of {Count} instances failed: {Error}")]
    private static partial void LogRequestFailed(ILogger logger, string destination, int count, string error);

    [LoggerMessage(EventId = 2423, Level = LogLevel.Warning, Message = "Forwarding to {Destination} by STOW-RS: {Failures} failed requests in a row, resting {Seconds} s")]
    private static partial void LogCircuitOpen(ILogger logger, string destination, int failures, double seconds);
}
