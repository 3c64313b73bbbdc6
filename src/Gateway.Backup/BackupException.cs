namespace Gateway.Backup;

/// <summary>A backup operation could not be done: the repository or the data directory is unusable, or a rule refuses it.</summary>
public class BackupException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BackupException()
    {
    }

    /// <summary>Creates the exception with a one-line message (no PHI: paths, ids, hashes and counts only).</summary>
    public BackupException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a one-line message and its cause.</summary>
    public BackupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
