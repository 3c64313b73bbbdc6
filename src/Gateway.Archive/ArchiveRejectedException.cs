namespace Gateway.Archive;

/// <summary>The archive refused an instance it cannot index; nothing of it remains on disk.</summary>
public sealed class ArchiveRejectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ArchiveRejectedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ArchiveRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ArchiveRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="reason"/>.</summary>
    public ArchiveRejectedException(ArchiveRejectReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>Why the instance was refused.</summary>
    public ArchiveRejectReason Reason { get; }
}
