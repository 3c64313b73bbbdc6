using Gateway.Archive;
using Gateway.Archive.Outbox;
using Gateway.Dicom;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Services;
using Gateway.Host.Dimse;

namespace Gateway.Host.Archive;

/// <summary>
/// Drains the outbox: one loop per destination leases the next due item, sends it over one association kept open while
/// there is work and for <c>Gateway:Routing:AssociationCloseDelay</c> after (TLS to the clinical network; device lanes
/// close at once), and marks it delivered only after the destination's Success (or a warning). A failure is retried
/// with exponential backoff and jitter; after several failures in a row the destination rests (circuit open) before the
/// next attempt; items older than the dead-letter age are dead-lettered. Each item is sent at least once; the
/// destination dedupes by SOP Instance UID, so it sees each instance once.
/// </summary>
/// <remarks>
/// Device lanes (<see cref="DeviceLanes"/>) go in plain DIMSE to the VLAN device, and each delivery to a device is
/// recorded in the audit log (DICOM Instances Transferred) before the item counts as delivered. A prefetch lane steps
/// aside, closing its association, whenever live traffic runs (<see cref="LiveTraffic"/>). A destination that is a
/// DICOMweb origin is drained by <see cref="Bridge.StowForwarder"/> instead.
/// </remarks>
public sealed partial class Forwarder(
    ArchiveStore archive,
    ForwardingRoutes routes,
    Upstreams upstreams,
    ForwarderSignal signal,
    LiveTraffic traffic,
    Audit.GatewayAudit audit,
    Bridge.StowForwarder stow,
    TimeProvider time,
    ILogger<Forwarder> logger) : BackgroundService
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CircuitRest = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DeadLetterSweep = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan LoopFailureRest = TimeSpan.FromSeconds(5);
    private const int CircuitThreshold = 5;

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(routes.AllDestinations().Select(d => Task.Run(() => SuperviseAsync(d, stoppingToken), stoppingToken)));

    // A destination's loop outlives a failing outbox (SQLITE_FULL or ENOSPC on a full volume, an I/O error): it rests and
    // starts again instead of ending the gateway (a BackgroundService that throws stops the host). Nothing is lost: an
    // item leased when the failure struck is due again once its lease runs out, and the destination dedupes a resend.
    private async Task SuperviseAsync(string destination, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A DICOMweb origin is sent to by STOW-RS, in batches, by the same outbox rules.
                await (routes.Resolve(destination) is { DicomWeb: { } origin }
                    ? stow.RunAsync(destination, origin, stoppingToken)
                    : RunAsync(destination, stoppingToken)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogLoopFailed(logger, ex, destination, LoopFailureRest.TotalSeconds);
                try
                {
                    await Task.Delay(LoopFailureRest, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                }
            }
        }
    }

    private async Task RunAsync(string destination, CancellationToken stoppingToken)
    {
        DicomAssociation? association = null;
        int failuresInARow = 0;
        string? device = routes.DeviceOfLane(destination);
        bool prefetchLane = DeviceLanes.IsPrefetchLane(destination);
        DateTimeOffset nextDeadLetterSweep = DateTimeOffset.MinValue;
        // An old device may take one association at a time: its lanes close at once.
        TimeSpan closeDelay = device is null ? routes.AssociationCloseDelay : TimeSpan.Zero;
        DateTimeOffset? idleSince = null; // the open association ran out of work then
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (time.GetUtcNow() >= nextDeadLetterSweep)
                {
                    await archive.Outbox.DeadLetterExpiredAsync(stoppingToken).ConfigureAwait(false);
                    nextDeadLetterSweep = time.GetUtcNow() + DeadLetterSweep;
                }

                if (prefetchLane && !traffic.IsQuiet(device))
                {
                    association = await CloseAsync(association).ConfigureAwait(false);
                    await traffic.WaitUntilQuietAsync(device, Timeout.InfiniteTimeSpan, stoppingToken).ConfigureAwait(false);
                }

                OutboxLease? lease = await archive.Outbox.LeaseAsync(destination, Lease, stoppingToken).ConfigureAwait(false);
                if (device is not null && !prefetchLane)
                {
                    traffic.SetPushLaneBusy(device, lease is not null);
                }

                if (lease is null)
                {
                    if (association is not null)
                    {
                        // Kept open a while for the next instance: a new TLS handshake and association per short burst
                        // cost more CPU than the instances themselves.
                        idleSince ??= time.GetUtcNow();
                        TimeSpan left = idleSince.Value + closeDelay - time.GetUtcNow();
                        if (left > TimeSpan.Zero && IsOpen(association))
                        {
                            await WaitQuietlyAsync(destination, left < Idle ? left : Idle, stoppingToken).ConfigureAwait(false);
                            continue;
                        }

                        association = await CloseAsync(association).ConfigureAwait(false);
                    }

                    idleSince = null;
                    await WaitQuietlyAsync(destination, Idle, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                bool waited = idleSince is not null;
                idleSince = null;
                string? error = null;
                try
                {
                    // A class or syntax the open association cannot carry: a new association proposing it (not a failure).
                    // Nor one the upstream ended while it waited for work.
                    if (association is not null
                        && (!IsOpen(association) || DicomStoreSender.ChooseContext(association, lease.SopClassUid, DicomTransferSyntax.Parse(lease.TransferSyntaxUid)) is null))
                    {
                        association = await CloseAsync(association).ConfigureAwait(false);
                    }

                    association ??= await ConnectAsync(destination, lease, stoppingToken).ConfigureAwait(false);
                    DimseResponse? response;
                    try
                    {
                        response = await SendAsync(association, lease, stoppingToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (waited && ex is not OperationCanceledException)
                    {
                        // The upstream ended the waiting association just as we used it (its own idle timeout): once
                        // more on a new association, and only a failure if that fails too.
                        LogReconnect(logger, destination, ex.Message);
                        association = await CloseAsync(association).ConfigureAwait(false);
                        association = await ConnectAsync(destination, lease, stoppingToken).ConfigureAwait(false);
                        response = await SendAsync(association, lease, stoppingToken).ConfigureAwait(false);
                    }

                    if (response is null)
                    {
                        error = "the instance is no longer in the archive";
                        await archive.Outbox.DeadLetterAsync(lease, error, stoppingToken).ConfigureAwait(false);
                        continue;
                    }

                    if (response.Status.Category is DimseStatusCategory.Success or DimseStatusCategory.Warning)
                    {
                        if (device is not null)
                        {
                            // Fails closed: an unrecorded delivery is retried, and the device dedupes.
                            await RecordDeliveryAsync(association, device, lease, prefetchLane, stoppingToken).ConfigureAwait(false);
                        }

                        await archive.Outbox.MarkDeliveredAsync(lease, stoppingToken).ConfigureAwait(false);
                        failuresInARow = 0;
                        continue;
                    }

                    error = $"the destination answered {response.Status}";
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    error = ex.Message;
                    association = await CloseAsync(association).ConfigureAwait(false);
                }

                failuresInARow++;
                DateTimeOffset next = time.GetUtcNow() + Backoff(lease.Attempts + 1);
                OutboxFailureOutcome outcome = await archive.Outbox.MarkFailedAsync(lease, next, error, stoppingToken).ConfigureAwait(false);
                LogFailed(logger, destination, lease.Id, lease.Attempts + 1, outcome, error ?? string.Empty);
                if (failuresInARow >= CircuitThreshold)
                {
                    LogCircuitOpen(logger, destination, failuresInARow, CircuitRest.TotalSeconds);
                    association = await CloseAsync(association).ConfigureAwait(false);
                    await Task.Delay(CircuitRest, time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: leased items return to the queue when their lease runs out.
        }
        finally
        {
            await CloseAsync(association).ConfigureAwait(false);
        }
    }

    // 2^attempt seconds, capped at 5 minutes, with +-20 % jitter so that many items do not retry in step.
    internal static TimeSpan Backoff(int attempt)
    {
        double seconds = Math.Min(300, Math.Pow(2, Math.Min(attempt, 16)));
        return TimeSpan.FromSeconds(seconds * (0.8 + (0.4 * Random.Shared.NextDouble())));
    }

    private async Task<DicomAssociation> ConnectAsync(string destination, OutboxLease lease, CancellationToken cancellationToken)
    {
        UpstreamTarget target = routes.Resolve(destination)
            ?? throw new InvalidOperationException($"destination {destination} is not configured any more");

        // Propose the item's class in its own syntax and the uncompressed ones; a new class later opens a new association.
        PresentationContextProposalSpec[] contexts =
        [
            .. PresentationContextProposalSpec.ForStoring(lease.SopClassUid, DicomTransferSyntax.Parse(lease.TransferSyntaxUid)),
            .. RetrieveRelay.MoveStorageClasses.Where(c => c != lease.SopClassUid).Select(c => new PresentationContextProposalSpec(c, PresentationContextProposalSpec.Uncompressed)),
        ];
        return await upstreams.ConnectAsync(target, [], extra: contexts, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    // Sends the leased instance; null when it is no longer in the archive.
    private async Task<DimseResponse?> SendAsync(DicomAssociation association, OutboxLease lease, CancellationToken cancellationToken)
    {
        ArchivedInstance? instance = await archive.OpenDataSetAsync(lease.SopInstanceUid, cancellationToken).ConfigureAwait(false);
        if (instance is null)
        {
            return null;
        }

        await using (instance.ConfigureAwait(false))
        {
            return await DicomStoreSender.StoreAsync(association, instance.SopClassUid, instance.SopInstanceUid, instance.TransferSyntax, instance.Stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsOpen(DicomAssociation association) =>
        association.State == AssociationState.Sta6Established && !association.Completion.IsCompleted;

    private static async Task<DicomAssociation?> CloseAsync(DicomAssociation? association)
    {
        if (association is not null)
        {
            await Upstreams.ReleaseQuietlyAsync(association).ConfigureAwait(false);
            await association.DisposeAsync().ConfigureAwait(false);
        }

        return null;
    }

    private async Task RecordDeliveryAsync(DicomAssociation association, string device, OutboxLease lease, bool prefetch, CancellationToken cancellationToken)
    {
        Gateway.Archive.Index.ArchivedInstanceInfo info = await archive.GetInstanceAsync(lease.SopInstanceUid, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("the instance's index row is gone");
        await audit.RecordTransferAsync(
            Gateway.Audit.Records.AuditEventId.DicomInstancesTransferred,
            Gateway.Audit.Records.AuditEventAction.Read,
            Gateway.Audit.Records.AuditEventOutcome.Success,
            new Audit.AuditParty(association.CallingAE, null),
            new Audit.AuditParty(device, (association.RemoteEndPoint as System.Net.IPEndPoint)?.Address.ToString()),
            sourceIsRequestor: true,
            null,
            [Gateway.Audit.Records.AuditRecords.Study(info.StudyInstanceUid, [new Gateway.Audit.Records.AuditSopClass(lease.SopClassUid, 1)])],
            (prefetch ? "prefetch" : "push") + " delivered to " + device,
            association.Id,
            cancellationToken).ConfigureAwait(false);
    }

    private async Task WaitQuietlyAsync(string destination, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await signal.WaitAsync(destination, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 2311, Level = LogLevel.Warning, Message = "Forwarding to {Destination}: item {ItemId} failed (attempt {Attempt}, now {Outcome}): {Error}")]
    private static partial void LogFailed(ILogger logger, string destination, long itemId, int attempt, OutboxFailureOutcome outcome, string error);

    [LoggerMessage(EventId = 2315, Level = LogLevel.Error, Message = "Forwarding to {Destination} failed outside a delivery (the outbox could not be read or updated); resting {Seconds} s, then again")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception, string destination, double seconds);

    [LoggerMessage(EventId = 2316, Level = LogLevel.Information, Message = "Forwarding to {Destination}: the waiting association failed ({Error}); sending again on a new one")]
    private static partial void LogReconnect(ILogger logger, string destination, string error);

    [LoggerMessage(EventId = 2312, Level = LogLevel.Warning, Message = "Forwarding to {Destination}: {Failures} failures in a row, resting {Seconds} s")]
    private static partial void LogCircuitOpen(ILogger logger, string destination, int failures, double seconds);
}
