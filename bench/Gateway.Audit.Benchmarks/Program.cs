using BenchmarkDotNet.Running;

namespace Gateway.Audit.Benchmarks;

/// <summary>
/// Audit log benchmarks: <c>dotnet run -c Release --project bench/Gateway.Audit.Benchmarks -- --filter '*'</c>
/// (BenchmarkDotNet), or <c>-- quick [DIR]</c> for the durable-append and verify figures measured directly
/// (what bench/audit-bench.sh runs).
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static async Task Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length >= 1 && args[0] == "quick")
        {
            await QuickBench.RunAsync(args.Length > 1 ? args[1] : Path.GetTempPath(), args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000).ConfigureAwait(false);
            return;
        }

        if (args.Length >= 1 && args[0] == "profile")
        {
            ProfileBench.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000);
            return;
        }

        if (args.Length >= 3 && args[0] == "fill")
        {
            // fill DIR RECORDS: a log to measure repeatedly (verify DIR).
            await QuickBench.FillAsync(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false);
            return;
        }

        if (args.Length >= 2 && args[0] == "verify")
        {
            QuickBench.Verify(args[1], args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
