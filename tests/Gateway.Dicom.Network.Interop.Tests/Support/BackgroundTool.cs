using System.Diagnostics;
using System.Text;

namespace Gateway.Dicom.Network.Interop.Tests.Support;

/// <summary>A peer server (storescp, dcmqrscp, wlmscpfs, Orthanc) running in the background for one test; killed (by its own process id, with its children) on dispose.</summary>
internal sealed class BackgroundTool : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private BackgroundTool(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>What it printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>storescp -v -aet AE -od DIR [ARGS...] PORT</c> and waits until it listens.</summary>
    public static Task<BackgroundTool> StartStorescpAsync(string aeTitle, string directory, int port, params string[] arguments) =>
        StartAsync("storescp", port, ["-v", "-aet", aeTitle, "-od", directory, .. arguments, port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    /// <summary>Starts <paramref name="program"/> and waits until something listens on <paramref name="port"/>.</summary>
    /// <exception cref="InvalidOperationException">It exited, or did not listen within 15 s (its output is in the message).</exception>
    public static Task<BackgroundTool> StartAsync(string program, int port, params string[] arguments) =>
        StartAsync(program, arguments, () => FreePort.IsListeningAsync(port), TimeSpan.FromSeconds(15), $"listen on port {port}");

    /// <summary>Starts <paramref name="program"/> and waits until <paramref name="isReady"/> says it is ready.</summary>
    /// <param name="program">The program.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="isReady">Asked every 50 ms until it answers true.</param>
    /// <param name="timeout">How long it may take.</param>
    /// <param name="readiness">What being ready means, for the failure message ("listen on port 104").</param>
    /// <exception cref="InvalidOperationException">It exited, or was not ready within <paramref name="timeout"/> (its output is in the message).</exception>
    public static async Task<BackgroundTool> StartAsync(string program, string[] arguments, Func<Task<bool>> isReady, TimeSpan timeout, string readiness)
    {
        var tool = new BackgroundTool(ExternalTool.Start(program, arguments));
        DateTime end = DateTime.UtcNow + timeout;
        while (!await isReady())
        {
            if (tool._process.HasExited || DateTime.UtcNow > end)
            {
                string state = tool._process.HasExited ? $"exited with {tool._process.ExitCode}" : $"did not {readiness} within {timeout.TotalSeconds} s";
                await tool.DisposeAsync();
                throw new InvalidOperationException($"{program} {state}:{Environment.NewLine}{tool.Output}");
            }

            await Task.Delay(50);
        }

        return tool;
    }

    /// <summary>Waits until the output holds <paramref name="text"/>.</summary>
    public async Task<bool> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        DateTime end = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > end)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(timeout.Token);
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
