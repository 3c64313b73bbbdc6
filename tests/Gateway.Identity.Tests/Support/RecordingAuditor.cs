using System.Collections.Concurrent;
using Gateway.Identity.Auditing;

namespace Gateway.Identity.Tests.Support;

/// <summary>Keeps every audit event; can be told to refuse (an audit log that cannot write).</summary>
internal sealed class RecordingAuditor : IIdentityAuditor
{
    private readonly ConcurrentQueue<IdentityAuditEvent> _events = new();

    public bool Fail { get; set; }

    public IReadOnlyList<IdentityAuditEvent> Events => [.. _events];

    public ValueTask RecordAsync(IdentityAuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        if (Fail)
        {
            throw new Gateway.Audit.AuditLogException("test: the audit log refuses");
        }

        _events.Enqueue(auditEvent);
        return ValueTask.CompletedTask;
    }
}
