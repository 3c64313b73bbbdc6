using BenchmarkDotNet.Running;

namespace Gateway.Policy.Benchmarks;

/// <summary>
/// Runs the policy benchmarks: <c>dotnet run -c Release --project bench/Gateway.Policy.Benchmarks -- --filter '*' --job short</c>.
/// </summary>
/// <remarks>
/// <c>-- latency</c> instead times one million single decisions per scenario and prints p50/p90/p99/p99.9 and bytes
/// allocated per decision. <c>-- write-site DIR</c> writes the synthetic 1,000-peer policy to DIR (to lint or explain it).
/// </remarks>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static void Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length >= 1 && args[0] == "latency")
        {
            LatencyHarness.Run(Console.Out);
            return;
        }

        if (args.Length == 2 && args[0] == "write-site")
        {
            Directory.CreateDirectory(args[1]);
            foreach (Gateway.Policy.Loading.PolicySource source in SyntheticSite.Sources())
            {
                File.WriteAllText(Path.Combine(args[1], source.Name), source.Text);
            }

            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
