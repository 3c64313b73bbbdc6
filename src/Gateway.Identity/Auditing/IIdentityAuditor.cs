namespace Gateway.Identity.Auditing;

/// <summary>Where authentication events go: the host provides it (normally <see cref="AuditLogIdentityAuditor"/> over the audit log).</summary>
public interface IIdentityAuditor
{
    /// <summary>Records <paramref name="auditEvent"/>; returns once it is durable.</summary>
    /// <remarks>
    /// Fail closed: when this throws for a successful login or token issuance, the identity refuses it (no cookie, no
    /// token). A failure event that cannot be recorded is logged, and the refusal stands.
    /// </remarks>
    ValueTask RecordAsync(IdentityAuditEvent auditEvent, CancellationToken cancellationToken = default);
}
