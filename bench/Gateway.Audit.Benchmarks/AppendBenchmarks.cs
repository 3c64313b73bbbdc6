using BenchmarkDotNet.Attributes;

namespace Gateway.Audit.Benchmarks;

/// <summary>Durable appends (each awaited until fsynced) with 1 and 16 concurrent writers; one operation = one append.</summary>
[SimpleJob(warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class AppendBenchmarks
{
    private const int AppendsPerInvoke = 4000;
    private string _directory = string.Empty;
    private AuditLog? _log;
    private int _next;

    /// <summary>Concurrent writers, each awaiting its append before the next.</summary>
    [Params(1, 16)]
    public int Writers { get; set; }

    /// <summary>Opens a fresh log.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "audit-bench-" + Guid.NewGuid().ToString("N")[..8]);
        _log = AuditLog.Open(new AuditLogOptions { Directory = _directory, Origin = "bench.example/audit" });
    }

    /// <summary>Closes and deletes it.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _log!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary><see cref="AppendsPerInvoke"/> durable appends spread over <see cref="Writers"/> writers.</summary>
    [Benchmark(OperationsPerInvoke = AppendsPerInvoke)]
    public Task DurableAppend()
    {
        int each = AppendsPerInvoke / Writers;
        return Task.WhenAll(Enumerable.Range(0, Writers).Select(async _ =>
        {
            for (int i = 0; i < each; i++)
            {
                await _log!.AppendAsync(BenchRecords.Transfer(Interlocked.Increment(ref _next))).ConfigureAwait(false);
            }
        }));
    }
}
