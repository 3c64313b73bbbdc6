namespace Gateway.Segmentation.Tests.Support;

/// <summary>Reads the running gateway's Security Alerts through <c>gatewayctl audit search</c>, as a security team would.</summary>
internal static class GatewayAuditAlerts
{
    /// <summary>Security Alert (DCM 110113).</summary>
    public const string SecurityAlert = "110113";

    /// <summary>
    /// Waits until a Security Alert record (one JSON line) satisfies <paramref name="match"/> and returns it. Alerts are
    /// appended beside the refusal, not before it, so one may land a moment after the peer saw the rejection.
    /// </summary>
    public static async Task<string> WaitForAsync(string dataDirectory, Func<string, bool> match, TimeSpan timeout)
    {
        string audit = Path.Combine(dataDirectory, "audit");
        DateTime end = DateTime.UtcNow + timeout;
        string last;
        while (true)
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            int exit = await Gateway.Cli.Program.RunAsync(["audit", "search", "--dir", audit, "--event", SecurityAlert, "--format", "jsonl"], stdout, stderr);
            last = exit == 0 ? stdout.ToString() : $"exit {exit}: {stderr}";
            string? found = exit == 0 ? last.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(match) : null;
            if (found is not null)
            {
                return found;
            }

            if (DateTime.UtcNow > end)
            {
                throw new Xunit.Sdk.XunitException($"no matching Security Alert within {timeout.TotalSeconds} s; the search gave:{Environment.NewLine}{last}");
            }

            await Task.Delay(250);
        }
    }
}
