using Gateway.Audit.Checkpoints;

namespace Gateway.Audit.Export;

/// <summary>What an export wrote.</summary>
/// <param name="RecordCount">Records in the bundle.</param>
/// <param name="Checkpoint">The signed checkpoint the bundle's proofs lead to.</param>
/// <param name="AuditRecordIndex">The index of the Audit Log Used record that recorded this export.</param>
/// <param name="OutputPath">The bundle written.</param>
public sealed record AuditExportResult(int RecordCount, Checkpoint Checkpoint, long AuditRecordIndex, string OutputPath);
