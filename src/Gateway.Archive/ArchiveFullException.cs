namespace Gateway.Archive;

/// <summary>
/// Backpressure: the archive refused a new instance before committing anything (the host answers a C-STORE with an
/// out-of-resources status, A7xx). Nothing of the refused instance remains on disk.
/// </summary>
public sealed class ArchiveFullException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ArchiveFullException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ArchiveFullException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ArchiveFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="reason"/>.</summary>
    public ArchiveFullException(ArchiveFullReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>Which limit was reached.</summary>
    public ArchiveFullReason Reason { get; }
}
