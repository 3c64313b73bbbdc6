namespace Gateway.Archive;

/// <summary>The archive is already open for writing (by a running gateway, or by another store in this process).</summary>
public sealed class ArchiveInUseException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ArchiveInUseException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ArchiveInUseException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ArchiveInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
