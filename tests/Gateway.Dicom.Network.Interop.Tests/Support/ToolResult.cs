namespace Gateway.Dicom.Network.Interop.Tests.Support;

/// <summary>What an external program did: its command line, exit code and captured output.</summary>
internal sealed record ToolResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Both streams, for assertions on DCMTK tools that log to stderr (findscu prints its answers there).</summary>
    public string Output => StandardOutput + StandardError;

    /// <summary>Throws unless the program exited with 0.</summary>
    public ToolResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException($"`{CommandLine}` exited with {ExitCode}:{Environment.NewLine}{Output}");
        }

        return this;
    }

    /// <inheritdoc />
    public override string ToString() => $"`{CommandLine}` exit {ExitCode}{Environment.NewLine}{Output}";
}
