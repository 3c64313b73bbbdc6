using System.Globalization;
using Gateway.Audit;
using Gateway.Audit.Tests.Forwarding;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Host.Tests;

/// <summary>
/// The running gateway forwards its audit log to a real rsyslog over TLS on loopback (RFC 5424 + RFC 5425): the records of
/// an echo/store flow arrive in order, forwarding resumes from its durable cursor after a restart, and a repository that
/// is down never fails a C-STORE: readiness turns Degraded, the metrics count the records behind, and they catch up.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class GatewayAuditForwardingTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task EchoAndStoreFlow_RecordsReachRsyslogOverTls_AndARestartResumesFromTheCursorWithoutResending()
    {
        using var rsyslog = new RsyslogServer(_temp.Sub("rsyslog"));
        await rsyslog.StartAsync();
        string root = _temp.Sub("gateway");
        string source = _temp.Sub("source");
        await TestStudies.WriteAllAsync(source);

        long firstRun;
        await using (GatewayProcess gateway = await GatewayProcess.StartAsync(root, Syslog(rsyslog)))
        {
            (await ExternalTool.RunAsync("echoscu", [.. gateway.Vlan(), "127.0.0.1", gateway.VlanPortText])).EnsureSuccess();
            ToolResult stranger = await ExternalTool.RunAsync("echoscu", [.. gateway.Vlan("STRANGER"), "127.0.0.1", gateway.VlanPortText]);
            (await ExternalTool.RunAsync("storescu", [.. gateway.Vlan(), "+sd", "127.0.0.1", gateway.VlanPortText, source])).EnsureSuccess();
            Assert.NotEqual(0, stranger.ExitCode);

            // Eight Imports and the stranger's Security Alert (appended without holding up the refusal).
            AuditLog log = gateway.Services.GetRequiredService<AuditLog>();
            await WaitAsync(() => log.Size >= TestStudies.All.Count + 1);
            firstRun = log.Size;
            List<long> received = await rsyslog.WaitForAsync(r => r.Count >= firstRun);
            Assert.Equal(Indexes(0, firstRun), received);

            using var https = new GatewayHttps(gateway);
            Assert.Equal("Healthy", await https.ReadyAsync());
            string metrics = await https.WaitForMetricsAsync(m => GatewayHttps.Sample(m, "gateway_audit_syslog_records_behind", Target(rsyslog)) == 0, Patience);
            Assert.Equal(0, GatewayHttps.Sample(metrics, "gateway_audit_syslog_records_behind", Target(rsyslog)));
            Assert.Equal(0, GatewayHttps.Sample(metrics, "gateway_audit_syslog_failing", Target(rsyslog)));
        }

        string[] lines = rsyslog.ReceivedLines();
        Assert.Equal(TestStudies.All.Count, lines.Count(l => l.Contains("csd-code=\"110107\"", StringComparison.Ordinal)));
        Assert.Single(lines, l => l.Contains("csd-code=\"110113\"", StringComparison.Ordinal) && l.Contains("STRANGER", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Contains("<AuditMessage>", l, StringComparison.Ordinal));
        string cursor = Path.Combine(root, "data", "audit", "forward", "syslog.cursor");
        Assert.Equal(firstRun.ToString(CultureInfo.InvariantCulture), (await File.ReadAllTextAsync(cursor)).Trim());

        // A new run of the gateway sends only what is new: nothing delivered before is sent again.
        await using (GatewayProcess gateway = await GatewayProcess.StartAsync(root, Syslog(rsyslog)))
        {
            string one = _temp.Sub("one");
            await (TestStudies.All[0] with { SopInstanceUid = TestStudies.Root + ".8.1" }).WriteAsync(one);
            (await ExternalTool.RunAsync("storescu", [.. gateway.Vlan(), "+sd", "127.0.0.1", gateway.VlanPortText, one])).EnsureSuccess();
            AuditLog log = gateway.Services.GetRequiredService<AuditLog>();
            long total = log.Size;
            Assert.True(total > firstRun, "the second run wrote no record");
            List<long> received = await rsyslog.WaitForAsync(r => r.Count >= total);
            Assert.Equal(Indexes(0, total), received);
        }
    }

    [Fact]
    public async Task RepositoryDown_StoresSucceed_ReadinessIsDegradedWithRecordsBehind_AndTheyCatchUpWhenItIsBack()
    {
        using var rsyslog = new RsyslogServer(_temp.Sub("rsyslog"));
        string source = _temp.Sub("source");
        await TestStudies.WriteAllAsync(source);
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(_temp.Sub("gateway"), Syslog(rsyslog));
        using var https = new GatewayHttps(gateway);

        // The repository is not running: the devices do not notice.
        (await ExternalTool.RunAsync("storescu", [.. gateway.Vlan(), "+sd", "127.0.0.1", gateway.VlanPortText, source])).EnsureSuccess();
        Assert.Equal("Degraded", await https.WaitForReadyAsync("Degraded", Patience));
        string metrics = await https.WaitForMetricsAsync(m => GatewayHttps.Sample(m, "gateway_audit_syslog_records_behind", Target(rsyslog)) >= TestStudies.All.Count, Patience);
        Assert.True(GatewayHttps.Sample(metrics, "gateway_audit_syslog_records_behind", Target(rsyslog)) >= TestStudies.All.Count, metrics);
        Assert.Equal(1, GatewayHttps.Sample(metrics, "gateway_audit_syslog_failing", Target(rsyslog)));
        Assert.Empty(rsyslog.ReceivedIndexes());

        await rsyslog.StartAsync();

        long size = gateway.Services.GetRequiredService<AuditLog>().Size;
        List<long> received = await rsyslog.WaitForAsync(r => r.Count >= size);
        Assert.Equal(Indexes(0, size), received);
        Assert.Equal("Healthy", await https.WaitForReadyAsync("Healthy", Patience));
        metrics = await https.WaitForMetricsAsync(m => GatewayHttps.Sample(m, "gateway_audit_syslog_records_behind", Target(rsyslog)) == 0, Patience);
        Assert.Equal(0, GatewayHttps.Sample(metrics, "gateway_audit_syslog_records_behind", Target(rsyslog)));
        Assert.Equal(0, GatewayHttps.Sample(metrics, "gateway_audit_syslog_failing", Target(rsyslog)));
    }

    [Fact]
    public async Task Start_WithAnUnreadableRepositoryCa_FailsNamingTheSetting()
    {
        GatewayStartupException error = await Assert.ThrowsAsync<GatewayStartupException>(() => GatewayProcess.StartAsync(_temp.Sub("gateway"), new Dictionary<string, string?>
        {
            ["Gateway:Audit:Syslog:Host"] = "127.0.0.1",
            ["Gateway:Audit:Syslog:TrustedCa:0"] = Path.Combine(_temp.Path, "missing-ca.pem"),
        }));

        Assert.Contains("Gateway:Audit:Syslog", error.Message, StringComparison.Ordinal);
        Assert.Contains("missing-ca.pem", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoSyslogHost_ForwardingIsOff_ReadinessDoesNotDependOnIt()
    {
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(_temp.Sub("gateway"));
        using var https = new GatewayHttps(gateway);

        Assert.Null(gateway.Services.GetService<Gateway.Host.Audit.AuditSyslogService>());
        Assert.Equal("Healthy", await https.ReadyAsync());
        Assert.Null(GatewayHttps.Sample(await https.MetricsAsync(), "gateway_audit_syslog_records_behind"));
    }

    // The label of this test's repository (gateways of other tests in this process export the same meter).
    private static string Target(RsyslogServer rsyslog) => $"target=\"127.0.0.1:{rsyslog.Port.ToString(CultureInfo.InvariantCulture)}\"";

    private static Dictionary<string, string?> Syslog(RsyslogServer rsyslog) => new()
    {
        ["Gateway:Audit:Syslog:Host"] = "127.0.0.1",
        ["Gateway:Audit:Syslog:Port"] = rsyslog.Port.ToString(CultureInfo.InvariantCulture),
        ["Gateway:Audit:Syslog:TargetName"] = "localhost",
        ["Gateway:Audit:Syslog:TrustedCa:0"] = Path.Combine(Path.GetDirectoryName(rsyslog.ReceivedPath)!, "ca.pem"),
        ["Gateway:Audit:Syslog:MaxBatchRecords"] = "4",
        ["Gateway:Audit:Syslog:PollInterval"] = "00:00:00.100",
        ["Gateway:Audit:Syslog:RetryDelay"] = "00:00:00.200",
        ["Gateway:Audit:Syslog:MaxRetryDelay"] = "00:00:00.500",
        ["Gateway:Audit:Syslog:Timeout"] = "00:00:05",
    };

    private static IEnumerable<long> Indexes(long from, long count)
    {
        for (long i = from; i < from + count; i++)
        {
            yield return i;
        }
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        DateTime end = DateTime.UtcNow + Patience;
        while (!condition() && DateTime.UtcNow < end)
        {
            await Task.Delay(100);
        }

        Assert.True(condition(), "timed out");
    }
}
