using System.Diagnostics.Metrics;
using Gateway.Archive;
using Gateway.Archive.Outbox;
using Gateway.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Archive;

/// <summary>
/// The queueing figures of each forwarding destination, as metrics of the <see cref="GatewayApplication.MeterName"/> meter:
/// arrival rate λ, service rate μ, utilisation ρ = λ/μ and predicted wait 1/(μ − λ) over a sliding window
/// (<see cref="ArchiveOutbox.GetFlowAsync"/>), queue depth and dead letters; a warning when ρ rises above the threshold.
/// </summary>
/// <remarks>
/// The figures are computed every <see cref="QueueMetricsOptions.Interval"/> in the background and the gauges report the
/// latest, so a scrape of /metrics never waits for the index. μ is unknown while nothing was delivered in the window (no
/// μ, ρ or wait is reported then); the wait is +Inf when μ ≤ λ (the queue grows without bound).
/// </remarks>
public sealed partial class QueueFigures : BackgroundService
{
    private const string DestinationTag = "destination";
    private readonly ArchiveStore _archive;
    private readonly Func<IReadOnlyList<string>> _destinations;
    private readonly QueueMetricsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<QueueFigures> _logger;
    private readonly UtilisationAlarm _alarm;
    private volatile IReadOnlyList<DestinationFigures> _latest = [];

    /// <summary>Creates the instruments.</summary>
    public QueueFigures(ArchiveStore archive, ForwardingRoutes routes, IOptions<QueueMetricsOptions> options, TimeProvider time, ILogger<QueueFigures> logger, IMeterFactory meters)
        : this(archive, (routes ?? throw new ArgumentNullException(nameof(routes))).AllDestinations, options, time, logger, meters)
    {
    }

    /// <summary>Creates the instruments; <paramref name="destinations"/> lists the configured destinations (shown even before any traffic).</summary>
    internal QueueFigures(ArchiveStore archive, Func<IReadOnlyList<string>> destinations, IOptions<QueueMetricsOptions> options, TimeProvider time, ILogger<QueueFigures> logger, IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meters);
        _archive = archive;
        _destinations = destinations;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _alarm = new UtilisationAlarm(_options.UtilisationWarning);
        Meter meter = meters.Create(GatewayApplication.MeterName);
        meter.CreateObservableGauge("gateway.outbox.arrival_rate", () => Measure(f => f.ArrivalRate), "{item}/s", "lambda: items queued per second for the destination over the window");
        meter.CreateObservableGauge("gateway.outbox.service_rate", () => Measure(f => f.ServiceRate), "{item}/s", "mu: items delivered per second of forwarding time over the window");
        meter.CreateObservableGauge("gateway.outbox.utilisation", () => Measure(f => f.Utilisation), description: "rho = lambda/mu over the window; above 1 the queue grows");
        meter.CreateObservableGauge("gateway.outbox.predicted_wait", () => Measure(f => f.PredictedWaitSeconds), "s", "1/(mu - lambda): the M/M/1 time an item spends queued and in service; +Inf when mu <= lambda");
        meter.CreateObservableGauge("gateway.outbox.depth", () => Measure(f => f.Depth), "{item}", "Items pending or in flight for the destination");
        meter.CreateObservableGauge("gateway.outbox.dead_letters", () => Measure(f => f.DeadLetters), "{item}", "Items the destination never accepted, waiting for an operator (gatewayctl queue retry)");
    }

    /// <summary>The figures of the last refresh, one per destination.</summary>
    public IReadOnlyList<DestinationFigures> Latest => _latest;

    /// <summary>Computes the figures now (also what the background loop does every interval).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        IReadOnlyList<OutboxCounts> counts = await _archive.Outbox.GetCountsAsync(cancellationToken).ConfigureAwait(false);
        IEnumerable<string> destinations = _destinations().Concat(counts.Select(c => c.Destination)).Distinct(StringComparer.Ordinal);
        var figures = new List<DestinationFigures>();
        foreach (string destination in destinations)
        {
            OutboxFlow flow = await _archive.Outbox.GetFlowAsync(destination, now - _options.Window, now, cancellationToken).ConfigureAwait(false);
            long deadLetters = counts.FirstOrDefault(c => c.Destination == destination)?.DeadLetter ?? 0;
            var figure = DestinationFigures.From(flow, deadLetters);
            figures.Add(figure);
            switch (_alarm.Observe(destination, figure.Utilisation))
            {
                case UtilisationCrossing.Raised:
                    LogUtilisationHigh(_logger, destination, figure.Utilisation!.Value, _alarm.Threshold, figure.ArrivalRate, figure.ServiceRate!.Value, figure.Depth);
                    break;
                case UtilisationCrossing.Cleared:
                    LogUtilisationNormal(_logger, destination, figure.Utilisation!.Value, _alarm.Threshold);
                    break;
            }
        }

        _latest = figures;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, _time);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Metrics fail open: the last figures stay, forwarding is not affected.
                LogRefreshFailed(_logger, ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private IEnumerable<Measurement<double>> Measure(Func<DestinationFigures, double?> value)
    {
        foreach (DestinationFigures figure in _latest)
        {
            if (value(figure) is { } v)
            {
                yield return new Measurement<double>(v, new KeyValuePair<string, object?>(DestinationTag, figure.Destination));
            }
        }
    }

    [LoggerMessage(EventId = 2321, Level = LogLevel.Warning, Message = "Forwarding to {Destination}: utilisation {Utilisation:F2} passed {Threshold:F2} (arrivals {ArrivalRate:F3}/s, service {ServiceRate:F3}/s, {Depth} queued); the queue will grow if this lasts")]
    private static partial void LogUtilisationHigh(ILogger logger, string destination, double utilisation, double threshold, double arrivalRate, double serviceRate, long depth);

    [LoggerMessage(EventId = 2322, Level = LogLevel.Information, Message = "Forwarding to {Destination}: utilisation {Utilisation:F2} back below {Threshold:F2}")]
    private static partial void LogUtilisationNormal(ILogger logger, string destination, double utilisation, double threshold);

    [LoggerMessage(EventId = 2323, Level = LogLevel.Warning, Message = "Queue figures could not be computed; the metrics keep the previous figures")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
