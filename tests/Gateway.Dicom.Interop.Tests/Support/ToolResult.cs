using System.Text;

namespace Gateway.Dicom.Interop.Tests.Support;

/// <summary>What an external program did: its command line, exit code and captured output.</summary>
internal sealed record ToolResult(string CommandLine, int ExitCode, byte[] StandardOutputBytes, string StandardError)
{
    /// <summary>Standard output decoded as UTF-8.</summary>
    public string StandardOutput => Encoding.UTF8.GetString(StandardOutputBytes);

    /// <summary>The lines of standard error that DCMTK's logger marks as fatal, error or warning ("F: ", "E: ", "W: ").</summary>
    public IReadOnlyList<string> DiagnosticLines =>
        [.. StandardError.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("F: ", StringComparison.Ordinal) || l.StartsWith("E: ", StringComparison.Ordinal) || l.StartsWith("W: ", StringComparison.Ordinal))];

    /// <summary>Throws unless the program exited with 0.</summary>
    public ToolResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException($"`{CommandLine}` exited with {ExitCode}:{Environment.NewLine}{StandardError}");
        }

        return this;
    }
}
