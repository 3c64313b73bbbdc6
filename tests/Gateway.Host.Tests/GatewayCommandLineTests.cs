using Gateway.Dicom.Network.Interop.Tests.Support;

namespace Gateway.Host.Tests;

/// <summary><c>./gateway --help</c> and <c>--version</c> answer and exit; they never start the gateway.</summary>
public sealed class GatewayCommandLineTests
{
    private static string GatewayDll => Path.Combine(AppContext.BaseDirectory, "gateway.dll");

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_PrintsUsageAndExitsZero_WithoutStarting(string flag)
    {
        // A port that is taken would stop a real start with exit code 1: --help must not even try.
        ToolResult help = await ExternalTool.RunAsync("dotnet", GatewayDll, flag, "--Gateway:Vlan:Port=1");

        Assert.Equal(0, help.ExitCode);
        Assert.StartsWith("Usage: gateway", help.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("--config FILE", help.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("README", help.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Audit:Syslog", help.StandardOutput, StringComparison.Ordinal);
        Assert.Empty(help.StandardError);
    }

    [Fact]
    public async Task Version_PrintsTheAssemblyVersionAndExitsZero()
    {
        ToolResult version = await ExternalTool.RunAsync("dotnet", GatewayDll, "--version");

        Assert.Equal(0, version.ExitCode);
        Assert.Equal("gateway " + GatewayCommandLine.Version, version.StandardOutput.Trim());
        Assert.Matches(@"^gateway \d+\.\d+\.\d+", version.StandardOutput);
    }

    [Fact]
    public void TryHandle_HelpAsTheValueOfConfig_IsAFileNameNotAFlag()
    {
        using var output = new StringWriter();

        Assert.False(GatewayCommandLine.TryHandle(["--config", "--help"], output));
        Assert.False(GatewayCommandLine.TryHandle(["--Gateway:Vlan:Port=104"], output));
        Assert.True(GatewayCommandLine.TryHandle(["--config", "site.json", "-h"], output));
        Assert.StartsWith("Usage: gateway", output.ToString(), StringComparison.Ordinal);
    }
}
