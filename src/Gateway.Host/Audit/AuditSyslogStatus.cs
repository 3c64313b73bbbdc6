namespace Gateway.Host.Audit;

/// <summary>The state of audit forwarding, since when, and the last failure (for health).</summary>
/// <param name="State">The state.</param>
/// <param name="Since">When it entered that state.</param>
/// <param name="LastError">The last failure while unreachable (no PHI: network and TLS errors).</param>
public sealed record AuditSyslogStatus(AuditSyslogState State, DateTimeOffset Since, string? LastError);
