using Gateway.Audit;
using Gateway.Audit.Records;

namespace Gateway.Host.Audit;

/// <summary>
/// The audit log as the gateway's services see it (<see cref="IAuditLog"/>): the first record the log refuses stops the
/// gateway with exit code <see cref="ExitCode"/>, so that the service manager starts it again.
/// </summary>
/// <remarks>
/// A failed write or fsync poisons the audit log (a full volume, an I/O error): it refuses every later record until it
/// is reopened, which repairs a torn tail. A gateway that stayed up would refuse every C-STORE and query from then on,
/// even after the cause is gone, while its health checks pass. So it stops instead (fail-stop, as a database does when
/// its write-ahead log cannot be written), and the next start reopens and repairs the log. Nothing acknowledged is lost:
/// the operation whose record was refused was refused too, and everything before it is durable.
/// </remarks>
public sealed partial class FailStopAuditLog(AuditLog log, IHostApplicationLifetime lifetime, ILogger<FailStopAuditLog> logger) : IAuditLog
{
    /// <summary>The process exit code after the audit log failed: EX_TEMPFAIL (sysexits.h), worth a restart.</summary>
    public const int ExitCode = 75;

    private int _stopping;

    /// <inheritdoc />
    public async ValueTask<long> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        try
        {
            return await log.AppendAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (AuditLogException ex) when (!lifetime.ApplicationStopping.IsCancellationRequested)
        {
            if (Interlocked.Exchange(ref _stopping, 1) == 0)
            {
                LogStopping(logger, ex, ExitCode);
                Environment.ExitCode = ExitCode;
                lifetime.StopApplication();
            }

            throw;
        }
    }

    [LoggerMessage(EventId = 2011, Level = LogLevel.Critical, Message = "The audit log refused a record and refuses all records until it is reopened: the gateway stops (exit code {ExitCode}) so that a restart repairs it")]
    private static partial void LogStopping(ILogger logger, Exception exception, int exitCode);
}
