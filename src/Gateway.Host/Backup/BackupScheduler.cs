using Gateway.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Backup;

/// <summary>
/// Runs the scheduled snapshot every <see cref="BackupOptions.SnapshotInterval"/> and the scheduled restore drill every
/// <see cref="BackupOptions.DrillInterval"/>, through <see cref="GatewayBackups"/>.
/// </summary>
/// <remarks>
/// The first run comes one interval after start, then on a fixed grid (start + n × interval). A run that takes longer
/// than its interval, or that waits for an operation an administrator started, makes the slots it overlapped pass: missed
/// runs are never queued up and run back to back. A failed run is logged and audited by <see cref="GatewayBackups"/> and
/// the next slot tries again; nothing here stops the gateway.
/// </remarks>
public sealed partial class BackupScheduler(GatewayBackups backups, IOptions<GatewayOptions> options, TimeProvider time, ILogger<BackupScheduler> logger) : BackgroundService
{
    private int _snapshots;

    /// <summary>Scheduled snapshots completed since start (successful or not).</summary>
    internal int SnapshotsRun => Volatile.Read(ref _snapshots);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!backups.IsConfigured)
        {
            return;
        }

        BackupOptions backup = options.Value.Backup;
        try
        {
            await backups.LoadStateAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var runs = new List<Task>();
        if (backup.SnapshotInterval is { } snapshotEvery && BackupOptionsValidation.IsScheduled(snapshotEvery))
        {
            LogScheduled(logger, "snapshot", snapshotEvery);
            runs.Add(RunEveryAsync(snapshotEvery, async ct =>
            {
                BackupOperationResult<BackupSnapshotResult> result = await backups.ScheduledSnapshotAsync(ct).ConfigureAwait(false);
                Interlocked.Increment(ref _snapshots);
                return result.Status;
            }, "snapshot", stoppingToken));
        }

        if (backup.DrillInterval is { } drillEvery && BackupOptionsValidation.IsScheduled(drillEvery))
        {
            LogScheduled(logger, "drill", drillEvery);
            runs.Add(RunEveryAsync(drillEvery, async ct => (await backups.ScheduledDrillAsync(ct).ConfigureAwait(false)).Status, "drill", stoppingToken));
        }

        await Task.WhenAll(runs).ConfigureAwait(false);
    }

    private async Task RunEveryAsync(TimeSpan interval, Func<CancellationToken, Task<BackupOperationStatus>> run, string what, CancellationToken stoppingToken)
    {
        DateTimeOffset start = time.GetUtcNow();
        long slot = 0;
        try
        {
            while (true)
            {
                DateTimeOffset now = time.GetUtcNow();
                slot = NextSlot(start, now, interval, slot);
                await Task.Delay(start + (interval * slot) - now, time, stoppingToken).ConfigureAwait(false);
                try
                {
                    BackupOperationStatus status = await run(stoppingToken).ConfigureAwait(false);
                    if (status != BackupOperationStatus.Completed)
                    {
                        LogRunNotCompleted(logger, what, status);
                    }
                }
                catch (OperationCanceledException)
                {
                    // GatewayBackups cancels only when the gateway stops (possibly before this service's own token).
                    return;
                }
                catch (Exception ex)
                {
                    // GatewayBackups turns failures into results; this is a bug, and the schedule goes on.
                    LogRunFailed(logger, ex, what);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: a run in progress was cancelled and published nothing.
        }
    }

    /// <summary>
    /// The next slot of the grid <c>start + n × interval</c> that is still ahead of <paramref name="now"/> and after
    /// <paramref name="previous"/>: slots that passed during a long run are skipped, not caught up.
    /// </summary>
    internal static long NextSlot(DateTimeOffset start, DateTimeOffset now, TimeSpan interval, long previous) =>
        Math.Max(previous + 1, (long)Math.Floor((now - start) / interval) + 1);

    [LoggerMessage(EventId = 2621, Level = LogLevel.Information, Message = "Scheduled backup {What} every {Interval}, the first one interval from now")]
    private static partial void LogScheduled(ILogger logger, string what, TimeSpan interval);

    [LoggerMessage(EventId = 2622, Level = LogLevel.Warning, Message = "Scheduled backup {What} did not complete ({Status}); the next slot tries again")]
    private static partial void LogRunNotCompleted(ILogger logger, string what, BackupOperationStatus status);

    [LoggerMessage(EventId = 2623, Level = LogLevel.Error, Message = "Scheduled backup {What} failed unexpectedly; the next slot tries again")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string what);
}
