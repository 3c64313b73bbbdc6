using Gateway.Audit.Records;

namespace Gateway.Audit.Export;

/// <summary>What to export, where, and who asks (recorded in the Audit Log Used record).</summary>
public sealed record AuditExportRequest
{
    /// <summary>Which records.</summary>
    public AuditFilter Filter { get; init; } = new();

    /// <summary>The records file's format.</summary>
    public AuditExportFormat Format { get; init; } = AuditExportFormat.Jsonl;

    /// <summary>The bundle: a directory that must not exist yet (or be empty), or a path ending in <c>.zip</c>.</summary>
    public required string OutputPath { get; init; }

    /// <summary>The person or process exporting (the requestor of the Audit Log Used record).</summary>
    public required AuditActiveParticipant Requestor { get; init; }

    /// <summary>The audit source of the Audit Log Used record.</summary>
    public required AuditSource Source { get; init; }
}
