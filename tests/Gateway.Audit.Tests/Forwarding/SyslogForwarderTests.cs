using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Audit.Forwarding;
using Gateway.Audit.Records;
using Gateway.Audit.Storage;
using Gateway.Audit.Tests.Support;

namespace Gateway.Audit.Tests.Forwarding;

/// <summary>Forwarding to a real rsyslog over TLS: records arrive, survive a repository restart, no gaps, duplicates bounded.</summary>
public sealed class SyslogForwarderTests : IDisposable
{
    private const int Batch = 10;
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Forward_RecordsArrive_SurviveARepositoryRestart_NoGaps_DuplicatesWithinOneBatch()
    {
        using var rsyslog = new RsyslogServer(_dir.Combine("rsyslog"));
        await rsyslog.StartAsync();
        string logDir = _dir.Combine("log");
        AuditLog log = AuditLog.Open(TestLogs.Options(logDir));
        await using (log)
        {
            await AppendAsync(log, 0, 30);
            using AuditDataKey key = AuditDataKey.Load(new AuditLogPaths(logDir).DataKey, create: false);
            AuditSyslogForwarder forwarder = Forwarder(logDir, key, rsyslog);

            while (await forwarder.ForwardOnceAsync() > 0)
            {
            }

            Assert.Equal(30, forwarder.Cursor);
            List<long> received = await rsyslog.WaitForAsync(r => r.Count >= 30);
            Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), received);

            // The repository goes down: forwarding fails, the cursor does not move, nothing is lost.
            await rsyslog.StopAsync();
            await AppendAsync(log, 30, 25);
            await Assert.ThrowsAnyAsync<Exception>(() => forwarder.ForwardOnceAsync());
            Assert.Equal(30, forwarder.Cursor);

            // It comes back: the forwarder catches up from its cursor.
            await rsyslog.StartAsync();
            using (var running = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                Task run = forwarder.RunAsync(running.Token);
                while (forwarder.Cursor < 55 && !running.IsCancellationRequested)
                {
                    await Task.Delay(100);
                }

                await running.CancelAsync();
                await run;
            }

            Assert.Equal(55, forwarder.Cursor);
            received = await rsyslog.WaitForAsync(r => r.Distinct().Count() >= 55);
            Assert.Equal(Enumerable.Range(0, 55).Select(i => (long)i), received.Distinct().Order());
            Assert.True(received.Count - 55 <= Batch, $"{received.Count - 55} duplicates, more than one batch");

            // A restart of the forwarder resumes from the durable cursor: nothing already delivered is sent again.
            await AppendAsync(log, 55, 5);
            int before = received.Count;
            AuditSyslogForwarder restarted = Forwarder(logDir, key, rsyslog);
            Assert.Equal(55, restarted.Cursor);
            Assert.Equal(5, await restarted.ForwardOnceAsync());
            received = await rsyslog.WaitForAsync(r => r.Count >= before + 5);
            Assert.Equal(Enumerable.Range(55, 5).Select(i => (long)i), received.Skip(before));
        }

        string[] lines = rsyslog.ReceivedLines();
        Assert.Contains("[gw-audit@32473 index=\"0\" origin=\"test.example/audit\"]", lines[0], StringComparison.Ordinal);
        Assert.Contains("<AuditMessage><EventIdentification EventActionCode=\"C\"", lines[0], StringComparison.Ordinal);
        Assert.Contains("csd-code=\"110104\"", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forward_UntrustedRepositoryCertificate_IsRefused()
    {
        using var rsyslog = new RsyslogServer(_dir.Combine("rsyslog"));
        await rsyslog.StartAsync();
        string logDir = await TestLogs.CreateAsync(_dir.Combine("log"), 2);
        using AuditDataKey key = AuditDataKey.Load(new AuditLogPaths(logDir).DataKey, create: false);
        using var otherCa = new RsyslogServer(_dir.Combine("other"));
        var forwarder = new AuditSyslogForwarder(logDir, key, new AuditSyslogOptions
        {
            Host = "127.0.0.1",
            Port = rsyslog.Port,
            TargetName = "localhost",
            TrustedRoots = [otherCa.Ca],
            Timeout = TimeSpan.FromSeconds(10),
        });

        await Assert.ThrowsAnyAsync<System.Security.Authentication.AuthenticationException>(() => forwarder.ForwardOnceAsync());
        Assert.Equal(0, forwarder.Cursor);
    }

    [Fact]
    public void SyslogMessage_IsRfc5424WithOctetCounting()
    {
        byte[] message = SyslogMessage.Format(7, SampleRecords.Denied(1), "o.example/log", "gw host", "gateway");
        string text = Encoding.UTF8.GetString(message);

        Assert.StartsWith("<84>1 2025-03-04T05:06:08.000Z gwhost gateway ", text, StringComparison.Ordinal);
        Assert.Contains(" IHE+RFC-3881 [gw-audit@32473 index=\"7\" origin=\"o.example/log\"] \uFEFF<AuditMessage>", text, StringComparison.Ordinal);
        byte[] frame = SyslogMessage.Frame(message);
        Assert.StartsWith(message.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ", Encoding.ASCII.GetString(frame[..8]), StringComparison.Ordinal);
    }

    private static AuditSyslogForwarder Forwarder(string logDir, AuditDataKey key, RsyslogServer rsyslog) => new(logDir, key, new AuditSyslogOptions
    {
        Host = "127.0.0.1",
        Port = rsyslog.Port,
        TargetName = "localhost",
        TrustedRoots = new X509Certificate2Collection(rsyslog.Ca),
        MaxBatchRecords = Batch,
        PollInterval = TimeSpan.FromMilliseconds(100),
        RetryDelay = TimeSpan.FromMilliseconds(200),
        MaxRetryDelay = TimeSpan.FromSeconds(1),
        Timeout = TimeSpan.FromSeconds(10),
        HostName = "gateway-test",
    });

    private static async Task AppendAsync(AuditLog log, int from, int count)
    {
        for (int i = from; i < from + count; i++)
        {
            await log.AppendAsync(SampleRecords.Transfer(i));
        }
    }
}
