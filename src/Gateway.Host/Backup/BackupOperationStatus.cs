namespace Gateway.Host.Backup;

/// <summary>How a request to <see cref="GatewayBackups"/> ended.</summary>
public enum BackupOperationStatus
{
    /// <summary>The operation ran to its end; its value says what it found (a drill can complete and fail its checks).</summary>
    Completed,

    /// <summary>Refused at once: another backup operation (snapshot, drill, study restore, archive verification) is running.</summary>
    Busy,

    /// <summary>Refused: no <c>Gateway:Backup:Repository</c> is configured.</summary>
    NotConfigured,

    /// <summary>The request was invalid, or the operation failed; the message says why, and a failure is in the audit log.</summary>
    Failed,
}
