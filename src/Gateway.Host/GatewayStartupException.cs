namespace Gateway.Host;

/// <summary>The gateway cannot start as configured (a port in use, a missing file); the message says what to fix.</summary>
public sealed class GatewayStartupException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GatewayStartupException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public GatewayStartupException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public GatewayStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
