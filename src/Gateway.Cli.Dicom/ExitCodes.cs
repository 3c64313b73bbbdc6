namespace Gateway.Cli;

/// <summary>The exit codes of <c>gatewayctl</c>.</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The command line itself was wrong (unknown command, missing argument).</summary>
    public const int Usage = 1;

    /// <summary>The input was bad: unreadable, malformed, or not convertible as asked.</summary>
    public const int BadInput = 2;

    /// <summary>A network operation failed: no connection, association rejected or aborted, or a DIMSE failure status.</summary>
    public const int OperationFailed = 3;
}
