using System.Diagnostics;
using System.Globalization;
using Gateway.Audit.Checkpoints;
using Gateway.Audit.Verification;

namespace Gateway.Audit.Benchmarks;

/// <summary>Direct measurement of durable appends per second (1 and 16 writers) and of verifying a large log.</summary>
internal static class QuickBench
{
    // AUDIT_BENCH_SYNCS overrides AuditLogOptions.MaxConcurrentSyncs (to compare settings).
    private static int Syncs => int.Parse(Environment.GetEnvironmentVariable("AUDIT_BENCH_SYNCS") ?? new AuditLogOptions().MaxConcurrentSyncs.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static async Task RunAsync(string root, int verifyRecords)
    {
        // AUDIT_BENCH_WRITERS="16" (comma-separated) measures other writer counts; default 1 and 16.
        int[] writerCounts = (Environment.GetEnvironmentVariable("AUDIT_BENCH_WRITERS") ?? "1,16")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray();
        foreach (int writers in writerCounts)
        {
            string directory = Path.Combine(root, "audit-quick-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                int total = writers == 1 ? 5_000 : 100_000;
                AuditLog log = AuditLog.Open(new AuditLogOptions { Directory = directory, Origin = "bench.example/audit", MaxConcurrentSyncs = Syncs });
                await using (log.ConfigureAwait(false))
                {
                    // Warm-up: a fifth of the measured records (20,000 with 16 writers), enough for tiered compilation to
                    // finish; with 1,000 the JIT still took 11 % of a 16-writer run's samples. The gateway runs for months:
                    // the steady state is the figure that matters.
                    await AppendAsync(log, writers, Math.Max(1_000, total / 5)).ConfigureAwait(false);
                    long commitsBefore = log.CommitCount;
                    (TimeSpan idleBefore, TimeSpan syncBefore) = log.CommitterTimes;
                    TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    var watch = Stopwatch.StartNew();
                    await AppendAsync(log, writers, total).ConfigureAwait(false);
                    watch.Stop();
                    TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
                    long commits = log.CommitCount - commitsBefore;
                    (TimeSpan idleAfter, TimeSpan syncAfter) = log.CommitterTimes;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"durable appends, {writers,2} writer(s): {total / watch.Elapsed.TotalSeconds,9:N0} records/s ({total} records in {watch.Elapsed.TotalSeconds:N2} s, {commits} fsync commits, {(double)total / commits:N1} records per fsync, {watch.Elapsed.TotalMilliseconds * 1000 / commits:N0} us per commit, {cpu.TotalMilliseconds * 1000 / total:N1} us CPU per record; committer per commit: {(syncAfter - syncBefore).TotalMicroseconds / commits:N0} us in fdatasync, {(idleAfter - idleBefore).TotalMicroseconds / commits:N0} us waiting for records)"));
                }
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        if (verifyRecords <= 0)
        {
            return;
        }

        string big = Path.Combine(root, "audit-quick-verify-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var fill = Stopwatch.StartNew();
            NoteVerifier verifier = await FillAsync(big, verifyRecords).ConfigureAwait(false);
            fill.Stop();
            long bytes = Directory.EnumerateFiles(big, "*.seg", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {verifyRecords:N0} records ({bytes / 1048576.0:N0} MiB of segments) in {fill.Elapsed.TotalSeconds:N1} s"));
            foreach (bool withFrontier in new[] { true, false })
            {
                if (!withFrontier)
                {
                    File.Delete(new Storage.AuditLogPaths(big).Frontier);
                }

                var open = Stopwatch.StartNew();
                AuditLog reopened = AuditLog.Open(new AuditLogOptions { Directory = big, Origin = "bench.example/audit" });
                open.Stop();
                long read = reopened.RecordsReadAtOpen;
                await reopened.DisposeAsync().ConfigureAwait(false);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"open {(withFrontier ? "with the saved frontier" : "without a frontier (whole log read)")}: {open.Elapsed.TotalMilliseconds:N0} ms, {read:N0} records read"));
            }

            Verify(big, 3);
        }
        finally
        {
            Directory.Delete(big, recursive: true);
        }
    }

    /// <summary>Verifies the log in <paramref name="directory"/> <paramref name="runs"/> times, printing wall and CPU time.</summary>
    public static void Verify(string directory, int runs)
    {
        NoteVerifier verifier = new Storage.AuditLogReader(new Storage.AuditLogPaths(directory)).StoredVerifier();
        for (int run = 1; run <= runs; run++)
        {
            TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            AuditVerificationReport report = AuditLogVerifier.Verify(directory, verifier);
            watch.Stop();
            TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"verify run {run}: {report.RecordCount:N0} records, {report.ValidCheckpointCount} checkpoints, valid={report.IsValid} in {watch.Elapsed.TotalSeconds:N2} s wall, {cpu.TotalSeconds:N2} s CPU ({report.RecordCount / watch.Elapsed.TotalSeconds:N0} records/s)"));
        }
    }

    /// <summary>Writes <paramref name="records"/> records with 64 writers; returns the log's verifier key.</summary>
    public static async Task<NoteVerifier> FillAsync(string directory, int records)
    {
        AuditLog log = AuditLog.Open(new AuditLogOptions { Directory = directory, Origin = "bench.example/audit", CheckpointEveryRecords = 10_000 });
        await using (log.ConfigureAwait(false))
        {
            await AppendAsync(log, 64, records).ConfigureAwait(false);
            return log.Verifier;
        }
    }

    private static Task AppendAsync(AuditLog log, int writers, int total)
    {
        int next = -1;
        return Task.WhenAll(Enumerable.Range(0, writers).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < total)
            {
                await log.AppendAsync(BenchRecords.Transfer(n)).ConfigureAwait(false);
            }
        }));
    }
}
