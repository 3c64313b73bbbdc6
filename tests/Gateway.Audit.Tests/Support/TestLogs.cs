namespace Gateway.Audit.Tests.Support;

/// <summary>Opens logs in test directories.</summary>
internal static class TestLogs
{
    public static AuditLogOptions Options(string directory, int checkpointEvery = 1000) => new()
    {
        Directory = directory,
        Origin = "test.example/audit",
        CheckpointEveryRecords = checkpointEvery,
        CheckpointInterval = TimeSpan.FromMinutes(10),
    };

    /// <summary>Creates a log with <paramref name="count"/> transfer records, closed (so fully signed).</summary>
    public static async Task<string> CreateAsync(string directory, int count, int checkpointEvery = 1000, long segmentMaxBytes = 64L << 20)
    {
        AuditLog log = AuditLog.Open(Options(directory, checkpointEvery) with { SegmentMaxBytes = segmentMaxBytes });
        await using (log)
        {
            for (int i = 0; i < count; i++)
            {
                await log.AppendAsync(i % 5 == 4 ? SampleRecords.Denied(i) : SampleRecords.Transfer(i, patientId: "PID-" + (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        return directory;
    }
}
