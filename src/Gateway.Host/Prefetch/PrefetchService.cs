using System.Net;
using Gateway.Dicom;
using Gateway.Host.Archive;
using Gateway.Host.Configuration;
using Gateway.Host.Dimse;
using Gateway.Policy;
using Gateway.Policy.Model;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Prefetch;

/// <summary>
/// Worklist-driven prefetch ("warm the cache before the patient arrives"): every <see cref="PrefetchOptions.Interval"/>
/// it asks the worklist upstream which procedures are scheduled from the start of today until the lead time from now,
/// finds each patient's prior studies on the PACS (Study Root C-FIND), keeps the most recent ones whose series match
/// the modality and body part filters, retrieves them by C-GET into the archive and queues them on the destination
/// device's prefetch lane, from where the forwarder pushes them in plain DIMSE.
/// </summary>
/// <remarks>
/// <para>The policy decides as if the destination device queried the Q/R service and retrieved the priors to itself:
/// once per look (find and move), again per retrieve, and per instance with its storage class. Denials are audited as
/// Security Alerts; queries, imports and each retrieve's outcome are audited.</para>
/// <para>Prefetch never holds up live traffic: it starts a retrieve only when no live C-STORE is in flight or recent,
/// waits (up to 20 s per instance, so the PACS does not time out) whenever live C-STOREs start during a retrieve, works
/// one study at a time on one association, and its items travel on their own outbox lane whose forwarder steps aside
/// for live traffic and for the device's push lane (<see cref="LiveTraffic"/>, <see cref="DeviceLanes"/>).</para>
/// <para>A study whose instances were all archived (or refused by the policy) is remembered by keyed hash
/// (<see cref="PrefetchLedger"/>) and not fetched for the same device again; one with failures is tried at the next look.</para>
/// </remarks>
public sealed partial class PrefetchService(
    IOptions<GatewayOptions> options,
    IHostEnvironment environment,
    Upstreams upstreams,
    Policy.GatewayPolicy policy,
    Audit.GatewayAudit audit,
    ArchiveStoreService store,
    LiveTraffic traffic,
    TimeProvider time,
    ILogger<PrefetchService> logger) : BackgroundService
{
    private PrefetchLedger? _ledger;
    private int _cycles;
    private int _yielding;

    /// <summary>Looks at the worklist completed since start (successful or not).</summary>
    internal int CyclesCompleted => Volatile.Read(ref _cycles);

    /// <summary>True while a retrieve is ready to start and waits for live traffic to be quiet.</summary>
    internal bool YieldingToLiveTraffic => Volatile.Read(ref _yielding) > 0;

    /// <inheritdoc />
    /// <exception cref="GatewayStartupException">Prefetch is enabled and names services the policy does not have.</exception>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        PrefetchOptions prefetch = options.Value.Prefetch;
        if (prefetch.Enabled)
        {
            if (policy.Model.FindService(prefetch.Service ?? string.Empty) is not { IsDimse: true, AETitle: not null })
            {
                throw new GatewayStartupException($"Gateway:Prefetch:Service '{prefetch.Service}' is not a DIMSE service of the policy");
            }

            if (prefetch.WorklistService is { } worklist && policy.Model.FindService(worklist) is not { Kind: ServiceKind.Worklist, AETitle: not null })
            {
                throw new GatewayStartupException($"Gateway:Prefetch:WorklistService '{worklist}' is not a worklist service of the policy");
            }

            string data = Path.GetFullPath(options.Value.DataDirectory, environment.ContentRootPath);
            _ledger = PrefetchLedger.Open(Path.Combine(data, "prefetch"), prefetch.RememberFor, time);
        }

        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _ledger?.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_ledger is not { } ledger)
        {
            return;
        }

        PrefetchOptions prefetch = options.Value.Prefetch;
        LogEnabled(logger, prefetch.Destination!, prefetch.Service!, prefetch.Interval, prefetch.LeadTime, prefetch.MostRecent);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                PrefetchSummary summary = await RunOnceAsync(ledger, stoppingToken).ConfigureAwait(false);
                LogCycle(logger, summary.Procedures, summary.Studies, summary.Instances, summary.Skipped, summary.Failed);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The next look tries again; nothing was remembered for what did not complete.
                LogCycleFailed(logger, ex);
            }

            Interlocked.Increment(ref _cycles);
            try
            {
                await Task.Delay(prefetch.Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task<PrefetchSummary> RunOnceAsync(PrefetchLedger ledger, CancellationToken cancellationToken)
    {
        PrefetchOptions prefetch = options.Value.Prefetch;
        var summary = new PrefetchSummary();

        // The policy may have been reloaded since start: everything is looked up again each time.
        if (Resolve(prefetch) is not { } route)
        {
            return summary;
        }

        IPAddress? address = await AddressOfAsync(route.Device, cancellationToken).ConfigureAwait(false);
        var requester = new PrefetchRequester(route.Device, address, route.ServiceAE);
        if (!Allowed(requester, PolicyOperation.Find, DicomUids.StudyRootQueryRetrieveInformationModelFind.Value)
            || !Allowed(requester, PolicyOperation.Move, DicomUids.StudyRootQueryRetrieveInformationModelMove.Value))
        {
            LogDenied(logger, route.Device, route.ServiceAE);
            return summary;
        }

        IReadOnlyList<ScheduledProcedure> procedures = await QueryWorklistAsync(route.Worklist, prefetch, cancellationToken).ConfigureAwait(false);
        summary.Procedures = procedures.Count;
        foreach (ScheduledProcedure procedure in procedures)
        {
            try
            {
                await PrefetchPatientAsync(ledger, route, requester, procedure, prefetch, summary, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One patient's failure (the PACS refused, an upstream went away) does not stop the others'.
                summary.Failed++;
                LogPatientFailed(logger, ex, route.Pacs.AETitle);
            }
        }

        return summary;
    }

    private async Task PrefetchPatientAsync(PrefetchLedger ledger, PrefetchRoute route, PrefetchRequester requester, ScheduledProcedure procedure, PrefetchOptions prefetch, PrefetchSummary summary, CancellationToken cancellationToken)
    {
        IReadOnlyList<PriorChoice> priors = await FindPriorsAsync(route.Pacs, procedure, prefetch, cancellationToken).ConfigureAwait(false);
        foreach (PriorChoice prior in priors)
        {
            if (ledger.Contains(route.Device, prior.StudyInstanceUid))
            {
                summary.Skipped++;
                continue;
            }

            RetrieveOutcome outcome = await RetrieveAsync(route.Pacs, requester, prior, cancellationToken).ConfigureAwait(false);
            summary.Instances += outcome.Archived;
            if (outcome.Complete)
            {
                ledger.Remember(route.Device, prior.StudyInstanceUid);
                summary.Studies++;
            }
            else
            {
                summary.Failed++;
            }
        }
    }

    private PrefetchRoute? Resolve(PrefetchOptions prefetch)
    {
        string device = prefetch.Destination!;
        if (policy.Model.FindService(prefetch.Service!) is not { IsDimse: true, AETitle: { } serviceAE })
        {
            LogNotConfigured(logger, $"the policy has no DIMSE service '{prefetch.Service}'");
            return null;
        }

        string? worklistAE = prefetch.WorklistService is { } name ? policy.Model.FindService(name)?.AETitle : null;
        UpstreamTarget? pacs = upstreams.Resolve(serviceAE, options.Value.Routing.QueryRetrieve);
        UpstreamTarget? ris = upstreams.Resolve(worklistAE ?? string.Empty, options.Value.Routing.Worklist);
        if (pacs is null || ris is null)
        {
            LogNotConfigured(logger, pacs is null ? $"service '{prefetch.Service}' has no upstream and Gateway:Routing:QueryRetrieve is not set" : "no worklist upstream (Gateway:Prefetch:WorklistService or Gateway:Routing:Worklist)");
            return null;
        }

        return new PrefetchRoute(device, serviceAE, pacs, ris);
    }

    private bool Allowed(PrefetchRequester requester, PolicyOperation operation, string sopClass) =>
        policy.Decide(requester.Device, requester.Address, requester.ServiceAE, operation, sopClass, operation == PolicyOperation.Move ? requester.Device : null).IsAllowed;

    // The policy knows devices by address: the configured host, resolved when it is a name.
    private async Task<IPAddress?> AddressOfAsync(string device, CancellationToken cancellationToken)
    {
        string host = options.Value.Devices[device].Host;
        if (IPAddress.TryParse(host, out IPAddress? address))
        {
            return address;
        }

        try
        {
            IPAddress[] addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            return addresses.FirstOrDefault();
        }
        catch (System.Net.Sockets.SocketException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 2701, Level = LogLevel.Information, Message = "Prefetch to {Device} from service {Service}: every {Interval}, procedures up to {LeadTime} ahead, {MostRecent} most recent prior(s)")]
    private static partial void LogEnabled(ILogger logger, string device, string service, TimeSpan interval, TimeSpan leadTime, int mostRecent);

    [LoggerMessage(EventId = 2702, Level = LogLevel.Information, Message = "Prefetch look done: {Procedures} scheduled procedure(s), {Studies} prior(s) fetched ({Instances} instance(s)), {Skipped} already fetched, {Failed} to try again")]
    private static partial void LogCycle(ILogger logger, int procedures, int studies, int instances, int skipped, int failed);

    [LoggerMessage(EventId = 2703, Level = LogLevel.Warning, Message = "Prefetch look failed; trying again at the next one")]
    private static partial void LogCycleFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2704, Level = LogLevel.Warning, Message = "Prefetch to {Device}: the policy does not let it query and retrieve from {ServiceAE} to itself; nothing fetched")]
    private static partial void LogDenied(ILogger logger, string device, string serviceAE);

    [LoggerMessage(EventId = 2711, Level = LogLevel.Warning, Message = "Prefetch for one scheduled patient failed (PACS {Upstream}); trying again at the next look")]
    private static partial void LogPatientFailed(ILogger logger, Exception exception, string upstream);

    [LoggerMessage(EventId = 2705, Level = LogLevel.Warning, Message = "Prefetch skipped: {Reason}")]
    private static partial void LogNotConfigured(ILogger logger, string reason);

    /// <summary>The device the priors go to, where it is, and the service it would ask.</summary>
    private sealed record PrefetchRequester(string Device, IPAddress? Address, string ServiceAE);

    /// <summary>Where one look goes.</summary>
    private sealed record PrefetchRoute(string Device, string ServiceAE, UpstreamTarget Pacs, UpstreamTarget Worklist);

    /// <summary>A prior to fetch: the whole study, or only the listed series.</summary>
    private sealed record PriorChoice(string StudyInstanceUid, IReadOnlyList<string> SeriesInstanceUids);

    /// <summary>What one retrieve achieved.</summary>
    private sealed record RetrieveOutcome(int Archived, bool Complete);

    /// <summary>Counts of one look.</summary>
    private sealed class PrefetchSummary
    {
        public int Procedures { get; set; }

        public int Studies { get; set; }

        public int Instances { get; set; }

        public int Skipped { get; set; }

        public int Failed { get; set; }
    }
}
