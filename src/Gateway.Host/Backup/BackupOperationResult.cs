namespace Gateway.Host.Backup;

/// <summary>The outcome of a backup operation, for display: a status, one line of text (no PHI), and the result when it completed.</summary>
/// <typeparam name="T">What the operation produces.</typeparam>
public sealed record BackupOperationResult<T>
    where T : class
{
    /// <summary>How it ended.</summary>
    public required BackupOperationStatus Status { get; init; }

    /// <summary>One line for the operator: what was done, or why not.</summary>
    public required string Message { get; init; }

    /// <summary>The result; set only when <see cref="Status"/> is <see cref="BackupOperationStatus.Completed"/>.</summary>
    public T? Value { get; init; }
}
