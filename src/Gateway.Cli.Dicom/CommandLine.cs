using System.CommandLine;

namespace Gateway.Cli;

/// <summary>Parses and runs one gatewayctl command line; shared by gatewayctl and its natively compiled DICOM commands.</summary>
public static class CommandLine
{
    /// <summary>
    /// Parses <paramref name="args"/> against <paramref name="root"/> and runs the command. A command line that does not
    /// parse prints one <c>error:</c> line per problem and returns <see cref="ExitCodes.Usage"/>; otherwise the command's
    /// own exit code is returned. SIGINT and SIGTERM cancel the running command.
    /// </summary>
    public static async Task<int> RunAsync(RootCommand root, string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ParseResult result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError error in result.Errors)
            {
                await stderr.WriteLineAsync("error: " + error.Message).ConfigureAwait(false);
            }

            return ExitCodes.Usage;
        }

        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        return await result.InvokeAsync(config).ConfigureAwait(false);
    }
}
