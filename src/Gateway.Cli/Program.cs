using System.CommandLine;
using Gateway.Cli.Archive;
using Gateway.Cli.Audit;
using Gateway.Cli.Backup;
using Gateway.Cli.Dicom;
using Gateway.Cli.Identity;
using Gateway.Cli.Policy;

namespace Gateway.Cli;

/// <summary>Entry point of <c>gatewayctl</c>, the operators' command-line tool.</summary>
public static class Program
{
    /// <summary>Runs one command and returns its exit code (<see cref="ExitCodes"/>).</summary>
    public static Task<int> Main(string[] args) => RunAsync(args, Console.In, Console.Out, Console.Error);

    /// <summary>Runs one command with the given output writers (used by tests).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr) => RunAsync(args, Console.In, stdout, stderr);

    /// <summary>Runs one command with the given input and output (used by tests; passwords come from <paramref name="stdin"/>).</summary>
    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = new RootCommand("gatewayctl: operate the DICOM gateway.");
        root.Subcommands.Add(DicomCommands.Create(stdout, stderr));
        root.Subcommands.Add(PolicyCommands.Create(stdout, stderr));
        root.Subcommands.Add(AuditCommands.Create(stdout, stderr));
        root.Subcommands.Add(IdentityCommands.Create(stdin, stdout, stderr));
        foreach (Command command in ArchiveCommands.Create(stdout, stderr))
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(BackupCommands.Create(stdout, stderr));
        root.Subcommands.Add(BackupCommands.CreateArchive(stdout, stderr));

        return await CommandLine.RunAsync(root, args, stdout, stderr).ConfigureAwait(false);
    }
}
