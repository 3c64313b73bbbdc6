namespace Gateway.Host.Audit;

/// <summary>One side of a transfer as the audit log names it: an AE title and, when known, its network address.</summary>
/// <param name="AETitle">The AE title.</param>
/// <param name="Address">The IP address (or host name), or null.</param>
public readonly record struct AuditParty(string AETitle, string? Address);
