using System.ComponentModel;
using System.Diagnostics;

namespace Gateway.Dicom.Network.Interop.Tests.Support;

/// <summary>Runs DCMTK tools (and gatewayctl) as real processes with a timeout, with Nagle off as DCMTK needs it.</summary>
internal static class ExternalTool
{
    /// <summary>The longest one tool may run: the exchanges are a few small instances, so this only catches hangs.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="program"/> (no shell) and waits for it.</summary>
    /// <exception cref="TimeoutException">It ran longer than <see cref="Timeout"/> and was killed.</exception>
    /// <exception cref="InvalidOperationException">It could not be started (not installed, not on PATH).</exception>
    public static async Task<ToolResult> RunAsync(string program, params string[] arguments)
    {
        using Process process = Start(program, arguments);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{CommandLine(program, arguments)}` did not finish within {Timeout.TotalSeconds} s and was killed.");
        }

        return new ToolResult(CommandLine(program, arguments), process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Starts <paramref name="program"/> with redirected output and TCP_NODELAY=1 (see /work/shared/peers/README.md).</summary>
    public static Process Start(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["TCP_NODELAY"] = "1";
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException($"`{CommandLine(program, arguments)}` did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"`{CommandLine(program, arguments)}` could not be started: {ex.Message}", ex);
        }
    }

    private static string CommandLine(string program, string[] arguments) =>
        program + " " + string.Join(' ', arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));
}
