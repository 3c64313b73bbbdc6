using System.CommandLine;
using Gateway.Cli.Dicom;

namespace Gateway.Cli;

/// <summary>
/// Entry point of the natively compiled <c>gatewayctl dicom ...</c> commands, which <c>./gatewayctl</c> runs for every
/// command line that starts with <c>dicom</c>. The commands are the very same as in <c>gatewayctl</c> (src/Gateway.Cli).
/// </summary>
public static class Program
{
    /// <summary>Runs one <c>dicom</c> command and returns its exit code (<see cref="ExitCodes"/>).</summary>
    public static Task<int> Main(string[] args)
    {
        SocketContinuations.PreferInline();
        SystemTrustStore.Ignore();
        var root = new RootCommand("gatewayctl: operate the DICOM gateway (natively compiled: the dicom commands only).");
        root.Subcommands.Add(DicomCommands.Create(Console.Out, Console.Error));
        return CommandLine.RunAsync(root, args, Console.Out, Console.Error);
    }
}
