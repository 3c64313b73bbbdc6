namespace Gateway.Archive.Index;

/// <summary>The archive index cannot be used: missing, or written by a newer version.</summary>
public sealed class ArchiveIndexException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ArchiveIndexException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ArchiveIndexException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ArchiveIndexException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
