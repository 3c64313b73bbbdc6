namespace Gateway.Cli.Tests.Support;

/// <summary>What one run of gatewayctl did.</summary>
internal sealed record CliResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>The non-empty lines of standard error.</summary>
    public IReadOnlyList<string> ErrorLines => [.. StandardError.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];

    /// <inheritdoc />
    public override string ToString() => $"exit {ExitCode}{Environment.NewLine}stdout: {StandardOutput}{Environment.NewLine}stderr: {StandardError}";
}
