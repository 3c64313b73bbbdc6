using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Dicom.Network.Interop.Tests.Support;

namespace Gateway.Host.Tests.Support;

/// <summary>
/// The built gateway (<c>gateway.dll</c>, copied beside the tests by the project reference) run as a real child process
/// with <c>--config FILE</c>, so that a test can kill it with SIGKILL at any moment and start it again on the same data
/// directory and ports, as after a crash or a power cut. Killed (by its own process id) on dispose.
/// </summary>
internal sealed class GatewayChildProcess : IAsyncDisposable
{
    /// <summary>How long a start may take until the VLAN leg listens: generous, the test machines are shared and loaded.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    /// <summary>How long a graceful stop (SIGTERM) may take.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private const int OutputLines = 300;

    private readonly string _configFile;
    private readonly Queue<string> _output = new();
    private Process? _process;

    private GatewayChildProcess(string root, string configFile, int vlanPort, int clinicalPort, int httpsPort)
    {
        Root = root;
        _configFile = configFile;
        VlanPort = vlanPort;
        ClinicalPort = clinicalPort;
        HttpsPort = httpsPort;
    }

    public string Root { get; }

    public string DataDirectory => Path.Combine(Root, "data");

    public int VlanPort { get; }

    public int ClinicalPort { get; }

    public int HttpsPort { get; }

    /// <summary>True while the gateway process runs (it was started and has not exited, by itself or killed).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>How many times it was killed with SIGKILL.</summary>
    public int Kills { get; private set; }

    /// <summary>The last lines it printed, over all its runs, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join(Environment.NewLine, _output);
            }
        }
    }

    /// <summary>
    /// Writes the configuration file and the policy under <paramref name="root"/> (see <see cref="GatewayProcess.PrepareAsync"/>),
    /// starts the gateway and waits until its VLAN leg listens.
    /// </summary>
    public static async Task<GatewayChildProcess> StartAsync(string root, IDictionary<string, string?>? settings = null, string policy = GatewayProcess.DefaultPolicy)
    {
        (Dictionary<string, string?> all, int vlan, int clinical, int https) = await GatewayProcess.PrepareAsync(root, settings, policy);
        string configFile = Path.Combine(root, "gateway.json");
        await File.WriteAllTextAsync(configFile, ToJson(all));
        var gateway = new GatewayChildProcess(root, configFile, vlan, clinical, https);
        try
        {
            await gateway.StartAgainAsync();
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }

        return gateway;
    }

    /// <summary>Starts the gateway again (after <see cref="Kill"/> or <see cref="StopAsync"/>) and waits until its VLAN leg listens.</summary>
    /// <exception cref="InvalidOperationException">It exited, or did not listen within <see cref="StartTimeout"/> (its output is in the message).</exception>
    public async Task StartAgainAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("the gateway is running");
        }

        string dll = Path.Combine(AppContext.BaseDirectory, "gateway.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };
        foreach (string argument in new[] { dll, "--config", _configFile })
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("dotnet gateway.dll did not start");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        if (await WaitListeningAsync(VlanPort) is { } state)
        {
            Kill();
            throw new InvalidOperationException($"the gateway {state} on port {VlanPort}:{Environment.NewLine}{Output}");
        }
    }

    /// <summary>Waits until the HTTPS endpoint listens too (it comes up after the VLAN leg <see cref="StartAgainAsync"/> waits for).</summary>
    /// <exception cref="InvalidOperationException">The gateway exited, or the endpoint did not listen within <see cref="StartTimeout"/>.</exception>
    public async Task WaitForHttpsAsync()
    {
        if (await WaitListeningAsync(HttpsPort) is { } state)
        {
            throw new InvalidOperationException($"the gateway {state} on its HTTPS port {HttpsPort}:{Environment.NewLine}{Output}");
        }
    }

    // Null once the gateway listens on the port; otherwise what happened instead (it exited, or it did not listen in time).
    private async Task<string?> WaitListeningAsync(int port)
    {
        Process process = _process ?? throw new InvalidOperationException("the gateway is not running");
        DateTime end = DateTime.UtcNow + StartTimeout;
        while (!await FreePort.IsListeningAsync(port))
        {
            if (process.HasExited)
            {
                return $"exited with {process.ExitCode}";
            }

            if (DateTime.UtcNow > end)
            {
                return $"did not listen within {StartTimeout.TotalSeconds} s";
            }

            await Task.Delay(50);
        }

        return null;
    }

    /// <summary>Kills the gateway with SIGKILL (no chance to flush or clean up) and waits until it is gone.</summary>
    public void Kill()
    {
        Process? process = _process;
        if (process is null)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            // Process.Kill sends SIGKILL on Linux.
            process.Kill();
            Kills++;
        }

        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            throw new InvalidOperationException($"the gateway (pid {process.Id}) did not exit within 30 s of SIGKILL");
        }

        process.WaitForExit();
        process.Dispose();
    }

    /// <summary>Stops the gateway gracefully (SIGTERM, as systemd does) and waits until it exited.</summary>
    /// <returns>Its exit code.</returns>
    public async Task<int> StopAsync()
    {
        Process process = _process ?? throw new InvalidOperationException("the gateway is not running");
        (await ExternalTool.RunAsync("kill", "-TERM", process.Id.ToString(CultureInfo.InvariantCulture))).EnsureSuccess();
        return await WaitForExitAsync(StopTimeout);
    }

    /// <summary>Waits until the gateway exits by itself (it decided to stop) and returns its exit code.</summary>
    /// <exception cref="InvalidOperationException">It still runs after <paramref name="timeout"/> (then it is killed).</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        Process process = _process ?? throw new InvalidOperationException("the gateway is not running");
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new InvalidOperationException($"the gateway did not exit within {timeout.TotalSeconds} s:{Environment.NewLine}{Output}");
        }

        process.WaitForExit();
        int exitCode = process.ExitCode;
        _process = null;
        process.Dispose();
        return exitCode;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        return ValueTask.CompletedTask;
    }

    // "Gateway:Routing:ForwardTo:0" = "Pacs" becomes {"Gateway":{"Routing":{"ForwardTo":{"0":"Pacs"}}}}: the JSON
    // configuration provider flattens both to the same keys, and the binder reads "0", "1"... as list items.
    private static string ToJson(IDictionary<string, string?> settings)
    {
        var root = new JsonObject();
        foreach ((string key, string? value) in settings)
        {
            string[] path = key.Split(':');
            JsonObject node = root;
            foreach (string part in path[..^1])
            {
                if (node[part] is not JsonObject child)
                {
                    child = new JsonObject();
                    node[part] = child;
                }

                node = child;
            }

            node[path[^1]] = value;
        }

        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > OutputLines)
            {
                _output.Dequeue();
            }
        }
    }
}
