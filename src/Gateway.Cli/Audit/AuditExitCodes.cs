namespace Gateway.Cli.Audit;

/// <summary>The exit code of the audit commands beyond <see cref="ExitCodes"/>.</summary>
internal static class AuditExitCodes
{
    /// <summary>The log or bundle was read, and it did not verify: something was altered, removed or forged.</summary>
    public const int VerificationFailed = 4;
}
