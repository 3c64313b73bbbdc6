namespace Gateway.Backup;

/// <summary>A snapshot was asked to be deleted before its retention date, which is never allowed.</summary>
public sealed class RetentionException : BackupException
{
    /// <summary>Creates the exception.</summary>
    public RetentionException()
    {
    }

    /// <summary>Creates the exception with a one-line message.</summary>
    public RetentionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a one-line message and its cause.</summary>
    public RetentionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
