using BenchmarkDotNet.Attributes;
using Gateway.Audit.Checkpoints;
using Gateway.Audit.Verification;

namespace Gateway.Audit.Benchmarks;

/// <summary>Full verification (every leaf hash, the chain, the roots at every checkpoint, every signature) of a log.</summary>
[SimpleJob(warmupCount: 1, iterationCount: 3, invocationCount: 1)]
public class VerifyBenchmarks
{
    private string _directory = string.Empty;
    private NoteVerifier? _verifier;

    /// <summary>Records in the log.</summary>
    [Params(1_000_000)]
    public int Records { get; set; }

    /// <summary>Writes the log once (16 writers).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "audit-verify-bench-" + Guid.NewGuid().ToString("N")[..8]);
        _verifier = QuickBench.FillAsync(_directory, Records).GetAwaiter().GetResult();
    }

    /// <summary>Deletes it.</summary>
    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    /// <summary>Verifies the whole log.</summary>
    [Benchmark]
    public AuditVerificationReport Verify()
    {
        AuditVerificationReport report = AuditLogVerifier.Verify(_directory, _verifier!);
        return report.IsValid ? report : throw new InvalidOperationException(report.Problems[0].ToString());
    }
}
