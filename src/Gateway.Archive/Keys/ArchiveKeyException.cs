namespace Gateway.Archive.Keys;

/// <summary>A key of the archive is missing, malformed, or not protected (a key file readable by group or others).</summary>
public sealed class ArchiveKeyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ArchiveKeyException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ArchiveKeyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ArchiveKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
