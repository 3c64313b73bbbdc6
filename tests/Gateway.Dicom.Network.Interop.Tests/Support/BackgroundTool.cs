using System.Diagnostics;
using System.Text;

namespace Gateway.Dicom.Network.Interop.Tests.Support;

/// <summary>A DCMTK server (storescp) running in the background for one test; killed (by its own process id) on dispose.</summary>
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

    /// <summary>Starts <c>storescp -v -aet AE -od DIR PORT</c> and waits until it listens.</summary>
    public static async Task<BackgroundTool> StartStorescpAsync(string aeTitle, string directory, int port)
    {
        var tool = new BackgroundTool(ExternalTool.Start("storescp", "-v", "-aet", aeTitle, "-od", directory, port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await FreePort.WaitListeningAsync(port, TimeSpan.FromSeconds(10));
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
