using System.Text;
using Gateway.Audit.Export;
using Gateway.Audit.Records;
using Gateway.Audit.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Gateway.Audit.Tests.Storage;

/// <summary>No plaintext PHI at rest: a canary patient goes through every library path; no file the log writes and no log line holds it.</summary>
public sealed class PhiCanaryTests : IDisposable
{
    private const string CanaryName = "CANARY^ZEBEDIAH^QUIXOTE";
    private const string CanaryId = "CANARY-PID-93817";
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task CanaryPatient_NeverAppearsInPlaintext_InAnyFileOrLogLine()
    {
        var logLines = new List<string>();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new ListLoggerProvider(logLines)));
        string logDir = _dir.Combine("log");
        AuditLog log = AuditLog.Open(TestLogs.Options(logDir, checkpointEvery: 3), logger: loggers.CreateLogger("audit"));
        await using (log)
        {
            for (int i = 0; i < 10; i++)
            {
                await log.AppendAsync(SampleRecords.Transfer(i, patientId: CanaryId, patientName: CanaryName) with { OutcomeDescription = "for " + CanaryName });
            }

            await log.AppendAsync(SampleRecords.Transfer(10) with
            {
                ParticipantObjects = [AuditRecords.QueryObject("1.2.840.10008.5.1.4.1.2.2.1", Encoding.UTF8.GetBytes("(0010,0010) " + CanaryName))],
            });
            await log.CheckpointAsync();
        }

        // Reopen (recovery scan) and forward cursor paths write too.
        AuditLog reopened = AuditLog.Open(TestLogs.Options(logDir), logger: loggers.CreateLogger("audit"));
        await reopened.DisposeAsync();

        // Sanity: the canary is in the log, encrypted.
        using Gateway.Audit.Storage.AuditDataKey key = Gateway.Audit.Storage.AuditDataKey.Load(new Gateway.Audit.Storage.AuditLogPaths(logDir).DataKey, create: false);
        Assert.Equal(10, AuditSearch.Search(logDir, key, new AuditFilter { PatientId = CanaryId }).Count());

        string[] needles = [CanaryName, CanaryId, "ZEBEDIAH", "93817"];
        foreach (string file in Directory.EnumerateFiles(logDir, "*", SearchOption.AllDirectories))
        {
            byte[] bytes = await File.ReadAllBytesAsync(file);
            foreach (string needle in needles)
            {
                Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(needle)), $"{needle} in plaintext in {file}");
                Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(needle)), $"{needle} (UTF-16) in {file}");
                Assert.False(Contains(bytes, Encoding.ASCII.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(needle))[..8])), $"{needle} (base64) in {file}");
            }
        }

        Assert.NotEmpty(logLines);
        Assert.DoesNotContain(logLines, l => needles.Any(n => l.Contains(n, StringComparison.Ordinal)));
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private sealed class ListLoggerProvider(List<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ListLogger(lines);

        public void Dispose()
        {
        }

        private sealed class ListLogger(List<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (lines)
                {
                    lines.Add(formatter(state, exception) + exception);
                }
            }
        }
    }
}
