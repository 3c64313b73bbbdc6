namespace Gateway.Host.Tests.Support;

/// <summary>Reads a stopped gateway's audit log through <c>gatewayctl audit</c>, as an operator would.</summary>
internal static class GatewayAuditLog
{
    /// <summary>DICOM Instances Transferred (110104).</summary>
    public const string InstancesTransferred = "110104";

    /// <summary>Import (110107).</summary>
    public const string Import = "110107";

    /// <summary>Query (110112).</summary>
    public const string Query = "110112";

    /// <summary>Security Alert (110113).</summary>
    public const string SecurityAlert = "110113";

    /// <summary>The records of one event id (one JSON line each), after checking that the log verifies.</summary>
    public static async Task<IReadOnlyList<string>> SearchAsync(string dataDirectory, string eventId)
    {
        string audit = Path.Combine(dataDirectory, "audit");
        (int verified, string verifyOutput) = await GatewayctlAsync("audit", "verify", "--dir", audit, "--decrypt");
        Assert.True(verified == 0, verifyOutput);
        (int searched, string lines) = await GatewayctlAsync("audit", "search", "--dir", audit, "--event", eventId, "--format", "jsonl");
        Assert.True(searched == 0, lines);
        return lines.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static async Task<(int Exit, string Output)> GatewayctlAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = await Gateway.Cli.Program.RunAsync(args, stdout, stderr);
        return (exit, exit == 0 ? stdout.ToString() : stdout.ToString() + stderr.ToString());
    }
}
