using System.CommandLine;
using System.Globalization;
using System.Text;
using Gateway.Policy;
using Gateway.Policy.Analysis;
using Gateway.Policy.Loading;

namespace Gateway.Cli.Policy;

/// <summary>
/// <c>gatewayctl policy lint|explain|diff|simulate|learn</c>: write and review the allowed-flows policy offline, on the
/// files of a policy directory (default <c>policies</c>).
/// </summary>
/// <remarks>
/// Exit codes: 0 success; 1 usage error, or <c>lint</c> found errors (with <c>--strict</c>, also warnings); 2 bad input
/// (a directory or file that cannot be read, an invalid policy given to explain/diff/simulate, a malformed recorded-requests
/// file).
/// </remarks>
internal static class PolicyCommands
{
    public const string DefaultDirectory = "policies";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var policy = new Command("policy", "Lint, explain, diff, simulate and learn the allowed-flows policy (policies/*.yaml).");
        policy.Subcommands.Add(CreateLint(stdout, stderr));
        policy.Subcommands.Add(PolicyExplainCommand.Create(stdout, stderr));
        policy.Subcommands.Add(CreateDiff(stdout, stderr));
        policy.Subcommands.Add(CreateSimulate(stdout, stderr));
        policy.Subcommands.Add(CreateLearn(stdout, stderr));
        return policy;
    }

    public static Argument<string> DirectoryArgument(string name = "DIR") => new(name)
    {
        Description = "The policy directory (its *.yaml files).",
        Arity = ArgumentArity.ZeroOrOne,
        DefaultValueFactory = _ => DefaultDirectory,
    };

    private static Command CreateLint(TextWriter stdout, TextWriter stderr)
    {
        var directory = DirectoryArgument();
        var strict = new Option<bool>("--strict") { Description = "Exit 1 on warnings too." };
        var command = new Command("lint", "Check a policy: every load error with file and line, then warnings (overlapping peers, shadowed flows, over-broad grants, plain DIMSE on a clinical leg, unused definitions). Exits 1 on errors.")
        {
            directory,
            strict,
        };
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            string dir = result.GetValue(directory)!;
            PolicyLoadResult loaded = PolicyLoader.LoadDirectory(dir);
            if (loaded.IsUnreadable)
            {
                await WriteErrorsAsync(stderr, loaded.Diagnostics).ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            IReadOnlyList<PolicyDiagnostic> findings = PolicyLinter.Lint(loaded);
            foreach (PolicyDiagnostic finding in findings)
            {
                await stdout.WriteLineAsync(Sanitize(finding.ToString())).ConfigureAwait(false);
            }

            int errors = findings.Count(f => f.IsError);
            int warnings = findings.Count - errors;
            int files = loaded.Files.Count;
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{dir}: {files} file{(files == 1 ? string.Empty : "s")}, {errors} error{(errors == 1 ? string.Empty : "s")}, {warnings} warning{(warnings == 1 ? string.Empty : "s")}")).ConfigureAwait(false);
            await stdout.FlushAsync(ct).ConfigureAwait(false);
            return errors > 0 || (warnings > 0 && result.GetValue(strict)) ? ExitCodes.Usage : ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateDiff(TextWriter stdout, TextWriter stderr)
    {
        var oldDir = new Argument<string>("OLD") { Description = "The policy directory in effect." };
        var newDir = new Argument<string>("NEW") { Description = "The proposed policy directory." };
        var command = new Command("diff", "Say what NEW grants, takes away or changes compared with OLD, one sentence per change.") { oldDir, newDir };
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            PolicyEvaluator? before = await LoadAsync(stderr, result.GetValue(oldDir)!).ConfigureAwait(false);
            PolicyEvaluator? after = await LoadAsync(stderr, result.GetValue(newDir)!).ConfigureAwait(false);
            if (before is null || after is null)
            {
                return ExitCodes.BadInput;
            }

            IReadOnlyList<PolicyChange> changes = PolicyDiffer.Compare(before.Model, after.Model);
            await WriteTextAsync(stdout, PolicyDiffer.ToText(changes, result.GetValue(oldDir)!, result.GetValue(newDir)!)).ConfigureAwait(false);
            await stdout.FlushAsync(ct).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateSimulate(TextWriter stdout, TextWriter stderr)
    {
        var newDir = new Argument<string>("NEW") { Description = "The proposed policy directory." };
        var from = new Option<string>("--from") { Description = "Recorded requests: a JSON-lines file (format in policies/README.md).", Required = true };
        var oldDir = new Option<string?>("--old") { Description = "Compare with this policy instead of the decisions recorded in the file." };
        var command = new Command("simulate", "Replay recorded requests against NEW and list every request whose outcome would change.") { newDir, from, oldDir };
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            PolicyEvaluator? after = await LoadAsync(stderr, result.GetValue(newDir)!).ConfigureAwait(false);
            PolicyEvaluator? before = null;
            if (result.GetValue(oldDir) is { } old)
            {
                before = await LoadAsync(stderr, old).ConfigureAwait(false);
                if (before is null)
                {
                    return ExitCodes.BadInput;
                }
            }

            if (after is null)
            {
                return ExitCodes.BadInput;
            }

            var errors = new List<PolicyDiagnostic>();
            SimulationReport report;
            string path = result.GetValue(from)!;
            using (StreamReader reader = OpenRecorded(path))
            {
                report = PolicySimulator.Simulate(after, RecordedRequestReader.Read(reader, path, errors), before);
            }

            if (errors.Count > 0)
            {
                await WriteErrorsAsync(stderr, errors).ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            await WriteTextAsync(stdout, PolicySimulator.ToText(report)).ConfigureAwait(false);
            await stdout.FlushAsync(ct).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateLearn(TextWriter stdout, TextWriter stderr)
    {
        var from = new Option<string>("--from") { Description = "Recorded requests: a JSON-lines file (format in policies/README.md).", Required = true };
        var output = new Option<string?>("--output", "-o") { Description = "Write the proposal to this file instead of standard output." };
        var mode = new Option<string>("--mode") { Description = "Mode of the proposal: observe (default) or enforce.", DefaultValueFactory = _ => "observe" };
        mode.AcceptOnlyFromAmong("observe", "enforce");
        var includeDenied = new Option<bool>("--include-denied") { Description = "Also learn from requests recorded as denied." };
        var command = new Command("learn", "Propose a least-privilege policy that allows exactly the recorded requests, grouped into peers and flows to review.")
        {
            from,
            output,
            mode,
            includeDenied,
        };
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            string path = result.GetValue(from)!;
            var errors = new List<PolicyDiagnostic>();
            string yaml;
            using (StreamReader reader = OpenRecorded(path))
            {
                var options = new PolicyLearnOptions
                {
                    Mode = result.GetValue(mode) == "enforce" ? PolicyMode.Enforce : PolicyMode.Observe,
                    IncludeDenied = result.GetValue(includeDenied),
                    SourceName = Path.GetFileName(path),
                };
                yaml = PolicyLearner.Learn(RecordedRequestReader.Read(reader, path, errors), options);
            }

            if (errors.Count > 0)
            {
                await WriteErrorsAsync(stderr, errors).ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            if (result.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file, yaml, new UTF8Encoding(false), ct).ConfigureAwait(false);
            }
            else
            {
                await stdout.WriteAsync(yaml).ConfigureAwait(false);
                await stdout.FlushAsync(ct).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Loads and compiles a policy directory; on errors writes them and returns null.</summary>
    public static async Task<PolicyEvaluator?> LoadAsync(TextWriter stderr, string directory)
    {
        PolicyLoadResult loaded = PolicyLoader.LoadDirectory(directory);
        if (loaded.Model is null)
        {
            await WriteErrorsAsync(stderr, loaded.Diagnostics).ConfigureAwait(false);
            await stderr.WriteLineAsync(Sanitize($"error: the policy in '{directory}' is not valid ({loaded.Errors.Count()} errors); run gatewayctl policy lint {directory}")).ConfigureAwait(false);
            return null;
        }

        return new PolicyEvaluator(loaded.Model);
    }

    /// <summary>Runs a command body, mapping bad input to exit code 2 and one <c>error:</c> line without a stack trace.</summary>
    public static async Task<int> RunGuardedAsync(TextWriter stderr, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (CliInputException ex)
        {
            await stderr.WriteLineAsync("error: " + Sanitize(ex.Message)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            await stderr.WriteLineAsync("error: " + Sanitize(ex.Message)).ConfigureAwait(false);
        }

        return ExitCodes.BadInput;
    }

    /// <summary>Replaces control characters (other than line breaks handled by the caller) with \xNN so input cannot drive the terminal.</summary>
    public static string Sanitize(string text)
    {
        var line = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (char.IsControl(c))
            {
                line.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else
            {
                line.Append(c);
            }
        }

        return line.ToString();
    }

    /// <summary>Writes multi-line text, each line sanitised.</summary>
    public static async Task WriteTextAsync(TextWriter writer, string text)
    {
        string[] lines = text.Split('\n');
        int count = text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        for (int i = 0; i < count; i++)
        {
            await writer.WriteLineAsync(Sanitize(lines[i])).ConfigureAwait(false);
        }
    }

    private static async Task WriteErrorsAsync(TextWriter stderr, IEnumerable<PolicyDiagnostic> diagnostics)
    {
        foreach (PolicyDiagnostic diagnostic in diagnostics)
        {
            string where = diagnostic.Location is { } l ? l + ": " : string.Empty;
            await stderr.WriteLineAsync(Sanitize($"error: {where}{diagnostic.Code}: {diagnostic.Message}")).ConfigureAwait(false);
        }
    }

    private static StreamReader OpenRecorded(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliInputException($"recorded requests file '{path}' does not exist");
        }

        return new StreamReader(path, new UTF8Encoding(false, true), detectEncodingFromByteOrderMarks: true);
    }
}
