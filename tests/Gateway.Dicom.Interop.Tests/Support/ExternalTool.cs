using System.ComponentModel;
using System.Diagnostics;

namespace Gateway.Dicom.Interop.Tests.Support;

/// <summary>Runs an external program with a timeout and captures its output.</summary>
internal static class ExternalTool
{
    /// <summary>The longest any one tool may run; the inputs are tiny, so this only catches hangs.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/> (no shell) and waits for it.</summary>
    /// <exception cref="TimeoutException">The program ran longer than <see cref="Timeout"/>; it was killed.</exception>
    /// <exception cref="InvalidOperationException">The program could not be started (not installed, not on PATH).</exception>
    public static async Task<ToolResult> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        string commandLine = program + " " + string.Join(' ', arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"`{commandLine}` did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"`{commandLine}` could not be started: {ex.Message}", ex);
        }

        using (process)
        {
            var standardOutput = new MemoryStream();
            Task copyOutput = process.StandardOutput.BaseStream.CopyToAsync(standardOutput);
            Task<string> readError = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"`{commandLine}` did not finish within {Timeout.TotalSeconds} s and was killed.");
            }

            await copyOutput.ConfigureAwait(false);
            string standardError = await readError.ConfigureAwait(false);
            return new ToolResult(commandLine, process.ExitCode, standardOutput.ToArray(), standardError);
        }
    }
}
