namespace Gateway.Archive;

/// <summary>
/// An archived object or key failed verification: a chunk whose tag does not verify (tampering, a swapped chunk or file,
/// truncation), a malformed header, a data key that does not unwrap, or a key version that is not available.
/// </summary>
/// <remarks>No plaintext of an unverified chunk is ever returned before this is thrown.</remarks>
public sealed class ArchiveIntegrityException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ArchiveIntegrityException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ArchiveIntegrityException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ArchiveIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
