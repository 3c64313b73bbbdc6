namespace Gateway.Audit;

/// <summary>
/// The audit log cannot do what was asked: a record could not be made durable, the log is damaged or locked, or a key
/// is missing or wrong. An append that throws this did not happen (as far as the caller may assume): refuse the operation.
/// </summary>
public sealed class AuditLogException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AuditLogException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public AuditLogException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public AuditLogException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
