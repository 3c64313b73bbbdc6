using System.Collections.Frozen;

namespace Gateway.Policy;

/// <summary>Names, protocols and masks of <see cref="PolicyOperation"/> values.</summary>
public static class PolicyOperations
{
    private static readonly (PolicyOperation Operation, string Name)[] Table =
    [
        (PolicyOperation.Echo, "echo"),
        (PolicyOperation.Store, "store"),
        (PolicyOperation.Find, "find"),
        (PolicyOperation.Move, "move"),
        (PolicyOperation.Get, "get"),
        (PolicyOperation.Worklist, "worklist"),
        (PolicyOperation.Qido, "qido"),
        (PolicyOperation.Wado, "wado"),
        (PolicyOperation.Stow, "stow"),
        (PolicyOperation.PolicyRead, "policy-read"),
        (PolicyOperation.PolicyWrite, "policy-write"),
        (PolicyOperation.AuditRead, "audit-read"),
        (PolicyOperation.AuditExport, "audit-export"),
        (PolicyOperation.AuditVerify, "audit-verify"),
        (PolicyOperation.BackupCreate, "backup-create"),
        (PolicyOperation.BackupRestore, "backup-restore"),
        (PolicyOperation.DrillRun, "drill-run"),
        (PolicyOperation.DrillRead, "drill-read"),
        (PolicyOperation.QueueRead, "queue-read"),
        (PolicyOperation.QueueRetry, "queue-retry"),
    ];

    // Bit per defined operation; IsDefined is on the hot path of every decision.
    private static readonly ulong DefinedMask = Table.Aggregate(0UL, (mask, t) => mask | (1UL << (int)t.Operation));

    private static readonly FrozenDictionary<string, PolicyOperation> ByName =
        Table.ToFrozenDictionary(t => t.Name, t => t.Operation, StringComparer.Ordinal);

    /// <summary>Every operation, in declaration order.</summary>
    public static IReadOnlyList<PolicyOperation> All { get; } = [.. Table.Select(t => t.Operation)];

    /// <summary>The YAML name of an operation (<c>store</c>, <c>policy-read</c> ...).</summary>
    public static string Name(PolicyOperation operation)
    {
        foreach ((PolicyOperation op, string name) in Table)
        {
            if (op == operation)
            {
                return name;
            }
        }

        return ((int)operation).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Parses a YAML operation name (lower case, exact).</summary>
    public static bool TryParse(string name, out PolicyOperation operation) => ByName.TryGetValue(name, out operation);

    /// <summary>The protocol an operation belongs to.</summary>
    public static PolicyProtocol ProtocolOf(PolicyOperation operation) => (int)operation switch
    {
        < 16 => PolicyProtocol.Dimse,
        < 32 => PolicyProtocol.DicomWeb,
        _ => PolicyProtocol.Admin,
    };

    /// <summary>The bit of an operation in a rule's operation mask.</summary>
    public static ulong Mask(PolicyOperation operation) => 1UL << (int)operation;

    /// <summary>True for a defined value of the enum.</summary>
    public static bool IsDefined(PolicyOperation operation) => (int)operation < 64 && (DefinedMask & (1UL << (int)operation)) != 0;
}
