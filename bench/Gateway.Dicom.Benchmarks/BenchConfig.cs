using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Environments;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Gateway.Dicom.Benchmarks;

/// <summary>
/// The suite's job: .NET 10, one launch, 3 warmup and 10 measured iterations (a ShortRun with more iterations),
/// so the whole suite finishes in a few minutes. Adds allocation figures and the median.
/// </summary>
public class BenchConfig : ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public BenchConfig()
    {
        AddJob(Job.Default
            .WithRuntime(CoreRuntime.Core10_0)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithId("Short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.Min);

        // The generated benchmark project is built before the run; on a busy 2-core machine that can take
        // longer than the default 2 minutes.
        BuildTimeout = TimeSpan.FromMinutes(10);
    }
}

/// <summary><see cref="BenchConfig"/> plus the CT file's throughput (<see cref="ThroughputColumn"/>).</summary>
public sealed class ThroughputConfig : BenchConfig
{
    /// <summary>Creates the configuration.</summary>
    public ThroughputConfig()
    {
        AddColumn(new ThroughputColumn());
    }
}

/// <summary>MB/s (10^6 bytes per second) of the CT file's size over the mean time of one operation.</summary>
public sealed class ThroughputColumn : IColumn
{
    /// <inheritdoc />
    public string Id => nameof(ThroughputColumn);

    /// <inheritdoc />
    public string ColumnName => "File MB/s";

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc />
    public int PriorityInCategory => 0;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string Legend => "Input file bytes (Part 10, explicit VR LE CT) processed per second, in 10^6 bytes/s, from the mean";

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        ArgumentNullException.ThrowIfNull(summary);
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (meanNs is not > 0)
        {
            return "NA";
        }

        double mbps = CtImage.File.Length / (meanNs.Value / 1e9) / 1e6;
        return mbps.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
