using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Audit;
using Gateway.Audit.Forwarding;
using Gateway.Audit.Storage;
using Gateway.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Audit;

/// <summary>
/// Forwards the gateway's audit log to the audit record repository (syslog over TLS, see <see cref="AuditSyslogForwarder"/>),
/// from the durable cursor on, for as long as the gateway runs.
/// </summary>
/// <remarks>
/// The forwarder only reads the log: a repository that is down, slow or refusing never holds up or fails an append, so
/// DIMSE operations go on and records wait in the local log (the record of truth) until the repository is back. Every
/// failure is retried with a doubling delay; nothing but stopping the gateway ends the loop.
/// </remarks>
public sealed partial class AuditSyslogService : BackgroundService
{
    private readonly AuditLog _log;
    private readonly SyslogForwardingOptions _options;
    private readonly AuditDataKey _key;
    private readonly AuditSyslogForwarder _forwarder;
    private readonly TimeProvider _time;
    private readonly ILogger<AuditSyslogService> _logger;
    private volatile AuditSyslogStatus _status;
    private int _disposed;

    /// <summary>Loads the TLS material and the cursor; a missing or unreadable file stops the gateway at start.</summary>
    /// <exception cref="GatewayStartupException">A certificate, key or the cursor cannot be used.</exception>
    public AuditSyslogService(
        AuditLog log,
        IOptions<SyslogForwardingOptions> options,
        GatewayTls tls,
        IHostEnvironment environment,
        TimeProvider time,
        ILoggerFactory loggers,
        IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tls);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentNullException.ThrowIfNull(meters);
        _log = log;
        _options = options.Value;
        _time = time;
        _logger = loggers.CreateLogger<AuditSyslogService>();
        Target = $"{_options.Host}:{_options.Port.ToString(CultureInfo.InvariantCulture)}";
        _status = new AuditSyslogStatus(AuditSyslogState.Starting, time.GetUtcNow(), null);
        AuditSyslogOptions forwarding = ForwardingOptions(_options, tls, environment.ContentRootPath);
        try
        {
            _key = AuditDataKey.Load(log.Paths.DataKey, create: false);
            _forwarder = new AuditSyslogForwarder(log.Paths.Root, _key, forwarding, time, loggers.CreateLogger("Gateway.Audit.Forwarding"));
        }
        catch (Exception ex) when (ex is AuditLogException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new GatewayStartupException($"{SyslogForwardingOptions.Section}: audit forwarding cannot start: {ex.Message}", ex);
        }

        Meter meter = meters.Create(GatewayApplication.MeterName);
        var target = new KeyValuePair<string, object?>("target", Target);
        meter.CreateObservableGauge("gateway.audit.syslog.records_behind", () => new Measurement<long>(RecordsBehind, target), "{record}", "Audit records written but not yet confirmed by the audit record repository");
        meter.CreateObservableGauge("gateway.audit.syslog.failing", () => new Measurement<int>(_status.State == AuditSyslogState.Unreachable ? 1 : 0, target), description: "1 while the audit record repository is unreachable or refuses records, else 0");
    }

    /// <summary>The repository as <c>host:port</c>.</summary>
    public string Target { get; }

    /// <summary>The state of forwarding now.</summary>
    public AuditSyslogStatus Status => _status;

    /// <summary>Records in the log that the repository has not confirmed yet.</summary>
    public long RecordsBehind => Math.Max(0, _log.Size - _forwarder.Cursor);

    /// <summary>The index of the next record to deliver (everything before it was confirmed).</summary>
    public long Cursor => _forwarder.Cursor;

    /// <inheritdoc />
    public override void Dispose()
    {
        // Registered as itself and as a hosted service: the container disposes it twice, the key only once.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        base.Dispose();
        _key.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarting(_logger, Target, _forwarder.Cursor, RecordsBehind);
        TimeSpan delay = _options.RetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            int delivered;
            try
            {
                // The forwarder reads and decrypts segment files synchronously: off the host's start-up path.
                delivered = await Task.Run(() => _forwarder.ForwardOnceAsync(stoppingToken), stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Whatever went wrong (network, TLS, the repository, a record it could not render), the gateway goes on.
                Failed(ex);
                await WaitAsync(delay, stoppingToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
                continue;
            }

            delay = _options.RetryDelay;
            if (delivered > 0)
            {
                Delivered();
            }
            else
            {
                // Caught up: nothing was sent, so nothing is known about the repository; the state stays as it was.
                await WaitAsync(_options.PollInterval, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private static AuditSyslogOptions ForwardingOptions(SyslogForwardingOptions options, GatewayTls tls, string contentRoot)
    {
        string host = options.Host!.Trim();
        IEnumerable<string> caFiles = options.TrustedCa.Count > 0 ? options.TrustedCa.Select(f => Path.GetFullPath(f, contentRoot)) : tls.TrustedCaFiles;
        var roots = new X509Certificate2Collection();
        X509Certificate2? client = null;
        try
        {
            foreach (string file in caFiles)
            {
                int before = roots.Count;
                roots.ImportFromPemFile(file);
                if (roots.Count == before)
                {
                    throw new GatewayStartupException($"{SyslogForwardingOptions.Section}: {file} holds no PEM certificate");
                }
            }

            bool hasCertificate = !string.IsNullOrWhiteSpace(options.ClientCertificate);
            if (hasCertificate != !string.IsNullOrWhiteSpace(options.ClientPrivateKey))
            {
                throw new GatewayStartupException($"{SyslogForwardingOptions.Section}: set both ClientCertificate and ClientPrivateKey, or neither");
            }

            if (hasCertificate)
            {
                client = X509Certificate2.CreateFromPemFile(Path.GetFullPath(options.ClientCertificate!, contentRoot), Path.GetFullPath(options.ClientPrivateKey!, contentRoot));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new GatewayStartupException($"{SyslogForwardingOptions.Section}: cannot read the TLS files: {ex.Message}", ex);
        }

        if (roots.Count == 0)
        {
            throw new GatewayStartupException($"{SyslogForwardingOptions.Section}: no CA to trust the repository with (set TrustedCa or Gateway:Tls:TrustedCa)");
        }

        return new AuditSyslogOptions
        {
            Host = host,
            Port = options.Port,
            TargetName = string.IsNullOrWhiteSpace(options.TargetName) ? host : options.TargetName,
            TrustedRoots = roots,
            ClientCertificate = client,
            Name = options.Name,
            HostName = string.IsNullOrWhiteSpace(options.HostName) ? Environment.MachineName : options.HostName,
            AppName = options.AppName,
            MaxBatchRecords = options.MaxBatchRecords,
            PollInterval = options.PollInterval,
            RetryDelay = options.RetryDelay,
            MaxRetryDelay = options.MaxRetryDelay,
            Timeout = options.Timeout,
        };
    }

    private void Delivered()
    {
        AuditSyslogStatus previous = _status;
        if (previous.State != AuditSyslogState.Delivering)
        {
            _status = new AuditSyslogStatus(AuditSyslogState.Delivering, _time.GetUtcNow(), null);
            if (previous.State == AuditSyslogState.Unreachable)
            {
                LogResumed(_logger, Target, RecordsBehind);
            }
        }
    }

    private void Failed(Exception ex)
    {
        AuditSyslogStatus previous = _status;
        string reason = ex.GetType().Name + ": " + ex.Message;
        if (previous.State != AuditSyslogState.Unreachable)
        {
            // Once per outage at warning level; the retries in between only at debug level.
            _status = new AuditSyslogStatus(AuditSyslogState.Unreachable, _time.GetUtcNow(), reason);
            LogUnreachable(_logger, Target, _forwarder.Cursor, reason);
        }
        else
        {
            _status = previous with { LastError = reason };
            LogStillUnreachable(_logger, Target, RecordsBehind, reason);
        }
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 2021, Level = LogLevel.Information, Message = "Audit forwarding to {Target} starts at record {Cursor} ({Behind} records behind)")]
    private static partial void LogStarting(ILogger logger, string target, long cursor, long behind);

    [LoggerMessage(EventId = 2022, Level = LogLevel.Warning, Message = "Audit forwarding to {Target} failed at record {Cursor}; records stay in the local audit log and are sent when it is back: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, string target, long cursor, string reason);

    [LoggerMessage(EventId = 2023, Level = LogLevel.Debug, Message = "Audit forwarding to {Target} still failing, {Behind} records behind: {Reason}")]
    private static partial void LogStillUnreachable(ILogger logger, string target, long behind, string reason);

    [LoggerMessage(EventId = 2024, Level = LogLevel.Information, Message = "Audit forwarding to {Target} resumed ({Behind} records behind)")]
    private static partial void LogResumed(ILogger logger, string target, long behind);
}
