namespace Gateway.Host.Tests.Support;

/// <summary>Runs <c>gatewayctl</c> in-process (its <c>Program.RunAsync</c>), as an operator would on the gateway host.</summary>
internal static class Gatewayctl
{
    /// <summary>Exit code and output (stdout, plus stderr when it failed).</summary>
    public static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = await Gateway.Cli.Program.RunAsync(args, stdout, stderr);
        return (exit, exit == 0 ? stdout.ToString() : stdout.ToString() + stderr.ToString());
    }

    /// <summary>
    /// <c>gatewayctl audit search --dir AUDIT [FILTERS]</c>: one summary line per record, as
    /// (index, event id, the whole line); fails the test when the command fails.
    /// </summary>
    public static async Task<IReadOnlyList<(long Index, int EventId, string Line)>> AuditSearchAsync(string auditDirectory, params string[] filters)
    {
        (int exit, string output) = await RunAsync(["audit", "search", "--dir", auditDirectory, .. filters]);
        Assert.True(exit == 0, output);
        return
        [
            .. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(line => line.Split(' '))
                .Where(parts => parts.Length > 2 && long.TryParse(parts[0], out _))
                .Select(parts => (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), string.Join(' ', parts))),
        ];
    }
}
