using Gateway.Audit.Records;

namespace Gateway.Audit.Export;

/// <summary>A record found by <see cref="AuditSearch"/>, with its index in the log.</summary>
/// <param name="Index">The record's index.</param>
/// <param name="Record">The decrypted record.</param>
public sealed record AuditSearchHit(long Index, AuditRecord Record);
