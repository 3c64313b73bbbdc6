namespace Gateway.Backup;

/// <summary>A snapshot is not what was signed: its manifest is malformed or unsigned, or a file differs from the manifest.</summary>
public sealed class SnapshotIntegrityException : BackupException
{
    /// <summary>Creates the exception.</summary>
    public SnapshotIntegrityException()
    {
    }

    /// <summary>Creates the exception with a one-line message.</summary>
    public SnapshotIntegrityException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a one-line message and its cause.</summary>
    public SnapshotIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
