namespace Gateway.Policy;

/// <summary>An operation a rule may allow. The YAML name of each is given in its summary.</summary>
/// <remarks>Values are bit positions in a rule's operation mask: keep them below 64.</remarks>
public enum PolicyOperation : byte
{
    /// <summary><c>echo</c>: C-ECHO (Verification SOP class).</summary>
    Echo = 0,

    /// <summary><c>store</c>: C-STORE of one instance.</summary>
    Store = 1,

    /// <summary><c>find</c>: C-FIND with a query/retrieve information model.</summary>
    Find = 2,

    /// <summary><c>move</c>: C-MOVE, and each C-STORE sub-operation it causes.</summary>
    Move = 3,

    /// <summary><c>get</c>: C-GET, and each C-STORE sub-operation it causes.</summary>
    Get = 4,

    /// <summary><c>worklist</c>: C-FIND with the Modality Worklist information model.</summary>
    Worklist = 5,

    /// <summary><c>qido</c>: QIDO-RS search.</summary>
    Qido = 16,

    /// <summary><c>wado</c>: WADO-RS retrieve.</summary>
    Wado = 17,

    /// <summary><c>stow</c>: STOW-RS store.</summary>
    Stow = 18,

    /// <summary><c>policy-read</c>: read the loaded policy and its decisions.</summary>
    PolicyRead = 32,

    /// <summary><c>policy-write</c>: replace or reload the policy.</summary>
    PolicyWrite = 33,

    /// <summary><c>audit-read</c>: search the audit log.</summary>
    AuditRead = 34,

    /// <summary><c>audit-export</c>: export audit entries.</summary>
    AuditExport = 35,

    /// <summary><c>audit-verify</c>: verify the audit log's hash chain and signatures.</summary>
    AuditVerify = 36,

    /// <summary><c>backup-create</c>: take a snapshot.</summary>
    BackupCreate = 37,

    /// <summary><c>backup-restore</c>: restore from a snapshot.</summary>
    BackupRestore = 38,

    /// <summary><c>drill-run</c>: run a restore drill.</summary>
    DrillRun = 39,

    /// <summary><c>drill-read</c>: read restore drill reports.</summary>
    DrillRead = 40,

    /// <summary><c>queue-read</c>: read the forwarding queues, their figures and dead letters.</summary>
    QueueRead = 41,

    /// <summary><c>queue-retry</c>: send dead-lettered items again.</summary>
    QueueRetry = 42,
}
