using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;

namespace Gateway.Policy.Benchmarks;

/// <summary>Adds allocation figures, the median and P95 (of iteration means) to whatever job is chosen on the command line.</summary>
public sealed class BenchConfig : ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public BenchConfig()
    {
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.P95, StatisticColumn.Max);

        // The generated benchmark project is built before the run; on a busy 2-core machine that can take a while.
        BuildTimeout = TimeSpan.FromMinutes(10);
    }
}
