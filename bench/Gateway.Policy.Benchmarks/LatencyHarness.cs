using System.Diagnostics;
using System.Globalization;

namespace Gateway.Policy.Benchmarks;

/// <summary>
/// Per-decision latency percentiles, which BenchmarkDotNet does not give (it times batches of invocations): each of
/// 1,000,000 decisions per scenario is timed alone with <see cref="Stopwatch.GetTimestamp"/> (whose own cost, about
/// 20-40 ns, is included), and the bytes allocated on the thread are counted.
/// </summary>
internal static class LatencyHarness
{
    public static void Run(TextWriter output, int decisions = 1_000_000)
    {
        var benchmarks = new PolicyEvaluatorBenchmarks();
        benchmarks.Setup();
        PolicyEvaluator evaluator = benchmarks.Evaluator;
        output.WriteLine($"1,000 peers, 5,000 flows; {decisions:N0} decisions per scenario, each timed alone; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        output.WriteLine($"{"scenario",-28} {"p50",9} {"p90",9} {"p99",9} {"p99.9",9} {"max",10} {"bytes/decision",15}");
        long[] ticks = new long[decisions];
        foreach ((string name, PolicyRequest[] requests) in benchmarks.Scenarios())
        {
            for (int i = 0; i < 200_000; i++)
            {
                _ = evaluator.Evaluate(requests[i & 1023]);
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < decisions; i++)
            {
                long start = Stopwatch.GetTimestamp();
                _ = evaluator.Evaluate(requests[i & 1023]);
                ticks[i] = Stopwatch.GetTimestamp() - start;
            }

            double bytesPerDecision = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)decisions;
            Array.Sort(ticks);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-28} {Us(ticks, 0.50),9} {Us(ticks, 0.90),9} {Us(ticks, 0.99),9} {Us(ticks, 0.999),9} {Us(ticks, 1.0),10} {bytesPerDecision,15:0.##}"));
        }
    }

    private static string Us(long[] sorted, double p)
    {
        long t = sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
        return (t * 1e6 / Stopwatch.Frequency).ToString("0.000", CultureInfo.InvariantCulture) + "us";
    }
}
