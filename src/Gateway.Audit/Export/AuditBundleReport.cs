using Gateway.Audit.Checkpoints;

namespace Gateway.Audit.Export;

/// <summary>The result of checking an export bundle offline.</summary>
public sealed record AuditBundleReport
{
    /// <summary>Records whose inclusion and contents were proven.</summary>
    public required int VerifiedRecords { get; init; }

    /// <summary>The checkpoint the proofs lead to, when its signature verified.</summary>
    public Checkpoint? Checkpoint { get; init; }

    /// <summary>Whether the checkpoint was checked with a key the caller trusts (not the bundle's own copy).</summary>
    public required bool KeyTrusted { get; init; }

    /// <summary>What is wrong; empty when the bundle verified.</summary>
    public required IReadOnlyList<string> Problems { get; init; }

    /// <summary>Whether every record is included in the signed log and untouched.</summary>
    public bool IsValid => Problems.Count == 0;
}
