using Gateway.Cli;

namespace Gateway.Dicom.Network.Interop.Tests.Support;

/// <summary>
/// Runs one <c>gatewayctl</c> command as an operator would type it, and captures what it printed: in-process, or, when
/// the environment variable <c>GATEWAYCTL_DICOM</c> names a program, as that program. <c>./run-tests</c> sets it to the
/// natively compiled DICOM commands that <c>./gatewayctl dicom ...</c> runs, so that these tests prove what ships.
/// </summary>
internal static class Gatewayctl
{
    /// <summary>The <c>gatewayctl</c> program under test, or null to run the commands in-process.</summary>
    public static string? Executable { get; } = Environment.GetEnvironmentVariable("GATEWAYCTL_DICOM") is { Length: > 0 } path ? path : null;

    public static async Task<ToolResult> RunAsync(params string[] arguments)
    {
        if (Executable is not null)
        {
            ToolResult result = await ExternalTool.RunAsync(Executable, arguments);
            return result with { CommandLine = "gatewayctl " + string.Join(' ', arguments) };
        }

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = await Program.RunAsync(arguments, stdout, stderr);
        return new ToolResult("gatewayctl " + string.Join(' ', arguments), exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Starts <c>gatewayctl</c> as a process (the program under test, else the built gatewayctl.dll with dotnet).</summary>
    public static System.Diagnostics.Process Start(params string[] arguments) =>
        Executable is not null
            ? ExternalTool.Start(Executable, arguments)
            : ExternalTool.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "gatewayctl.dll"), .. arguments]);
}
