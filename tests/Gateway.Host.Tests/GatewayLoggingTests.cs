using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;

namespace Gateway.Host.Tests;

/// <summary>Each gateway writes its operational log to its own data directory, also with several in one process.</summary>
public sealed class GatewayLoggingTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task TwoGatewaysInOneProcess_StoppingOne_TheOtherKeepsLoggingToItsOwnFiles()
    {
        // Regression: the static Serilog logger was shared, so the last gateway started received every gateway's events
        // and stopping it silenced the others.
        string first = _temp.Sub("first");
        string second = _temp.Sub("second");
        await using GatewayProcess running = await GatewayProcess.StartAsync(first);
        await using (GatewayProcess stopped = await GatewayProcess.StartAsync(second))
        {
            Assert.NotEqual(running.VlanPort, stopped.VlanPort);
        }

        ToolResult stranger = await ExternalTool.RunAsync("echoscu", [.. running.Vlan("STRANGER1"), "127.0.0.1", running.VlanPortText]);
        Assert.NotEqual(0, stranger.ExitCode);

        string firstLogs = await GatewayLogs.WaitForAsync(first, "STRANGER1", TimeSpan.FromSeconds(15));
        Assert.Contains("STRANGER1", firstLogs, StringComparison.Ordinal);
        Assert.DoesNotContain("STRANGER1", await GatewayLogs.ReadAsync(second), StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task LogDirectory_IsNotReadableByOtherLocalUsers()
    {
        string root = _temp.Sub("modes");
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(root);
        await GatewayLogs.WaitForAsync(root, "Now listening", TimeSpan.FromSeconds(15));

        UnixFileMode mode = File.GetUnixFileMode(Path.Combine(root, "data", "logs"));
        Assert.Equal(UnixFileMode.None, mode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, mode & (UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(root, "data", "logs")));
    }
}
