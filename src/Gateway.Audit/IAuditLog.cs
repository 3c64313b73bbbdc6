using Gateway.Audit.Records;

namespace Gateway.Audit;

/// <summary>The audit log as the rest of the gateway sees it: append a record, get its index once it is durable.</summary>
public interface IAuditLog
{
    /// <summary>
    /// Appends <paramref name="record"/> and returns its index once the record is on disk (written and fsynced).
    /// </summary>
    /// <remarks>
    /// Fail closed: when this throws, the caller must refuse the operation the record describes. Concurrent appends are
    /// committed together (group commit), so many callers share one fsync. Cancelling only stops waiting: a record that
    /// was already queued may still be written.
    /// </remarks>
    /// <exception cref="ArgumentException">The record is invalid (see <see cref="AuditRecordLimits"/>).</exception>
    /// <exception cref="AuditLogException">The record could not be made durable, or the log is closed or failed.</exception>
    ValueTask<long> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default);
}
