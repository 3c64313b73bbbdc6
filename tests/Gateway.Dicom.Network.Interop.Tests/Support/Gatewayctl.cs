using Gateway.Cli;

namespace Gateway.Dicom.Network.Interop.Tests.Support;

/// <summary>Runs one <c>gatewayctl</c> command in-process, as an operator would type it, and captures what it printed.</summary>
internal static class Gatewayctl
{
    public static async Task<ToolResult> RunAsync(params string[] arguments)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = await Program.RunAsync(arguments, stdout, stderr);
        return new ToolResult("gatewayctl " + string.Join(' ', arguments), exit, stdout.ToString(), stderr.ToString());
    }
}
