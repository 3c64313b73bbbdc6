using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.Dicom.Network.Interop.Tests.Support;

namespace Gateway.Segmentation.Tests.Support;

/// <summary>
/// Linux network namespaces through iproute2's <c>ip netns</c>: whether this machine lets the tests create them, running
/// programs inside one, and removing what an earlier, killed test run left behind.
/// </summary>
internal static partial class NetworkNamespaces
{
    /// <summary>Every namespace the tests create is named <c>gwseg-PID-...</c> after the test process that made it.</summary>
    public const string Prefix = "gwseg-";

    private static readonly Lazy<string?> Unavailable = new(Probe);

    /// <summary>Why network namespaces cannot be used here (the tests are then skipped with it), or null when they can.</summary>
    /// <remarks>
    /// Only a refusal of <c>ip netns add</c> itself (no root, no CAP_SYS_ADMIN, a kernel or container without network
    /// namespaces) is a reason to skip. A missing <c>ip</c> is not: iproute2 is a test dependency (./run-tests installs
    /// it), so the tests then fail saying so.
    /// </remarks>
    public static string? UnavailableReason => Unavailable.Value;

    /// <summary>Runs <c>ip ARGS</c> and throws with its output unless it succeeded.</summary>
    public static async Task IpAsync(params string[] arguments) => (await ExternalTool.RunAsync("ip", arguments)).EnsureSuccess();

    /// <summary>Runs <paramref name="program"/> inside <paramref name="name"/> (<c>ip netns exec</c>) and returns what it did.</summary>
    public static Task<ToolResult> ExecAsync(string name, string program, params string[] arguments) =>
        ExternalTool.RunAsync("ip", ["netns", "exec", name, program, .. arguments]);

    /// <summary>Whether a TCP connection from inside <paramref name="name"/> to <paramref name="address"/>:<paramref name="port"/> is accepted within 3 s.</summary>
    /// <remarks>Refused, unreachable and dropped (no answer within the 3 s) all count as not reachable.</remarks>
    public static async Task<bool> CanConnectAsync(string name, string address, int port)
    {
        ToolResult result = await ExecAsync(
            name, "timeout", "3", "bash", "-c", $"exec 3<>/dev/tcp/{address}/{port.ToString(CultureInfo.InvariantCulture)}");
        return result.ExitCode == 0;
    }

    /// <summary>Whether something listens on TCP <paramref name="port"/> inside <paramref name="name"/>.</summary>
    public static async Task<bool> IsListeningAsync(string name, int port)
    {
        ToolResult result = await ExecAsync(name, "ss", "-Hltn", $"sport = :{port.ToString(CultureInfo.InvariantCulture)}");
        return result.ExitCode == 0 && result.StandardOutput.Trim().Length > 0;
    }

    /// <summary>Kills (by process id) every process still running inside <paramref name="name"/>, then deletes it.</summary>
    /// <remarks>Only for namespaces these tests created: whatever runs inside one was started by them.</remarks>
    public static async Task DeleteAsync(string name)
    {
        ToolResult pids = await ExternalTool.RunAsync("ip", "netns", "pids", name);
        foreach (string line in pids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                try
                {
                    using Process process = Process.GetProcessById(pid);
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(TimeSpan.FromSeconds(10));
                }
                catch (ArgumentException)
                {
                    // It exited meanwhile.
                }
                catch (InvalidOperationException)
                {
                    // Likewise.
                }
            }
        }

        await ExternalTool.RunAsync("ip", "netns", "del", name);
    }

    /// <summary>Deletes the namespaces of test runs whose process is gone (a run killed before it could clean up).</summary>
    public static async Task DeleteStaleAsync()
    {
        ToolResult list = await ExternalTool.RunAsync("ip", "netns", "list");
        foreach (Match match in StaleName().Matches(list.StandardOutput))
        {
            int pid = int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture);
            if (pid != Environment.ProcessId && !File.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat"))
            {
                await DeleteAsync(match.Value);
            }
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces need Linux";
        }

        string name = $"{Prefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-probe";
        (int exit, string output) = Run("ip", "netns", "add", name);
        if (exit != 0)
        {
            return $"`ip netns add` is not permitted here (exit {exit.ToString(CultureInfo.InvariantCulture)}: {output.Trim()}); the segmentation tests need root or CAP_SYS_ADMIN and CAP_NET_ADMIN";
        }

        Run("ip", "netns", "del", name);
        return null;
    }

    // Synchronous: the probe runs while xunit discovers the tests (the skip reason is decided there).
    private static (int Exit, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill();
                return (-1, $"{program} did not finish within 30 s");
            }

            return (process.ExitCode, stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult());
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"`{program}` could not be started ({ex.Message}); install iproute2 (./run-tests does)", ex);
        }
    }

    [GeneratedRegex(@"^gwseg-(?<pid>\d+)-[a-z0-9-]+", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex StaleName();
}
