using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Gateway.Archive.Outbox;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Audit;
using Gateway.Host.Tests.DicomWeb;
using Gateway.Host.Tests.Support;
using Xunit.Abstractions;

namespace Gateway.Host.Tests.Faults;

/// <summary>
/// Issue 6, disk-full tests: the gateway's data directory (archive, index, outbox, audit log, logs) on a small tmpfs,
/// filled while the PACS is down so that nothing leaves. C-STOREs that do not fit are refused with Out of Resources
/// (A7xx) on associations that go on, nothing accepted is lost or damaged, and once space returns new stores succeed
/// and everything accepted reaches the PACS once.
/// </summary>
/// <remarks>Mounting a tmpfs needs root, as the project's machines and CI run; elsewhere these tests fail saying so.</remarks>
public sealed class GatewayDiskFullTests(ITestOutputHelper output) : IDisposable
{
    private const int BatchSize = 5;
    private const string GrownVolumeSize = "96m";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    // Longer than the audit log's checkpoint interval (10 s, the gateway's default).
    private static readonly TimeSpan CheckpointLetThrough = TimeSpan.FromSeconds(12);

    // The forwarder's log line (event 2315) when the outbox failed under it.
    private const string ForwarderLoopFailed = "failed outside a delivery";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>
    /// The archive fills the volume up to the free-space headroom a site configures (scaled down here: 2 MiB of 16), then
    /// something else takes the last byte while the PACS comes back: the gateway stays up and keeps refusing cleanly.
    /// </summary>
    [Fact]
    public async Task Storescu_DataVolumeRunsFull_RefusedOutOfResources_NothingAcceptedLost_RecoversWhenSpaceReturns()
    {
        var clock = Stopwatch.StartNew();
        string root = _temp.Sub("gateway");
        using Tmpfs volume = Tmpfs.Mount(Path.Combine(root, "data"), "16m");
        await using OrthancServer pacs = await TestPacs.StartAsync(_temp.Sub("orthanc"), root);
        await pacs.StopAsync();

        // 512 x 512 x 16 bit: half a megabyte per instance, a CT slice; about 25 fit above the headroom.
        IReadOnlyList<(string Uid, string File)> instances = await FaultInstances.WriteAsync(_temp.Sub("source"), 60, size: 512);
        Dictionary<string, string?> settings = Delivery.ForwardingTo(pacs);
        settings["Gateway:Backpressure:MinimumFreeBytes"] = (2 << 20).ToString(CultureInfo.InvariantCulture);
        await using GatewayChildProcess gateway = await GatewayChildProcess.StartAsync(root, settings);
        output.WriteLine($"gateway up with {volume.FreeBytes} bytes free");

        (List<(string Uid, string File)> accepted, List<(string Uid, string File)> refused, int next) = await FillAsync(gateway, instances);
        TimeSpan lastAccepted = clock.Elapsed;
        output.WriteLine($"{accepted.Count} accepted, {refused.Count} refused after {clock.Elapsed.TotalSeconds:F1} s; {volume.FreeBytes} bytes free");
        Assert.True(accepted.Count >= 5, $"only {accepted.Count} instances fit before the volume was full");
        Assert.True(refused.Count >= 2 * BatchSize, $"the volume never ran full: {accepted.Count} accepted");
        Delivery.AssertAlive(gateway);
        Assert.Equal(0, (await ExternalTool.RunAsync("echoscu", "-aet", "MODALITY", "-aec", GatewayProcess.AETitle, "127.0.0.1", gateway.VlanPort.ToString(CultureInfo.InvariantCulture))).ExitCode);

        // Not a byte left (something else on the volume takes the rest), and the PACS comes back before space does: the
        // forwarder goes back to work (after its rest) on an outbox that cannot record anything, and the gateway must
        // live through that. Regression: SQLITE_FULL from the outbox ended the forwarder, and with it the gateway.
        // First the audit log's time-based checkpoint (10 s after the last record) is let through: with nothing accepted
        // while the volume is full, nothing needs the audit log then (that case is the next test's).
        TimeSpan sinceLastRecord = clock.Elapsed - lastAccepted;
        if (sinceLastRecord < CheckpointLetThrough)
        {
            await Task.Delay(CheckpointLetThrough - sinceLastRecord);
        }

        long ballast = volume.Fill("ballast");
        await pacs.StartAgainAsync();
        DateTime end = DateTime.UtcNow + Timeout;
        while (!gateway.Output.Contains(ForwarderLoopFailed, StringComparison.Ordinal) && await Delivery.PacsCountAsync(pacs) == 0)
        {
            Delivery.AssertAlive(gateway);
            Assert.True(DateTime.UtcNow < end, $"the forwarder neither delivered nor failed on the full volume within {Timeout.TotalSeconds} s:{Environment.NewLine}{gateway.Output}");
            await Task.Delay(250);
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        output.WriteLine($"{ballast} bytes of ballast; the PACS holds {await Delivery.PacsCountAsync(pacs)} after {clock.Elapsed.TotalSeconds:F1} s with the volume still full");
        Delivery.AssertAlive(gateway);
        StorescuBatch stillFull = await StorescuBatch.SendAsync(gateway.VlanPort, [refused[0].File]);
        Assert.Equal(OutOfResources, Assert.Single(stillFull.Responses).Value);

        // Space returns (the operator removes what filled the volume and grows it).
        File.Delete(Path.Combine(volume.Path, "ballast"));
        volume.Resize(GrownVolumeSize);
        await RecoverAsync(gateway, pacs, instances, accepted, [.. refused, .. instances.Skip(next)]);
        output.WriteLine($"drained after {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>
    /// The audit log itself meets the full volume (a query must be recorded before it leaves): it refuses the record and
    /// every later one until reopened, so the gateway stops with exit code 75 instead of refusing everything forever; the
    /// restart (the service manager's) repairs the log, and nothing accepted before is lost.
    /// </summary>
    [Fact]
    public async Task Findscu_AuditLogFailsOnAFullVolume_GatewayStopsAndARestartRecoversEverything()
    {
        string root = _temp.Sub("gateway");
        using Tmpfs volume = Tmpfs.Mount(Path.Combine(root, "data"), "8m");
        await using OrthancServer pacs = await TestPacs.StartAsync(_temp.Sub("orthanc"), root);
        await pacs.StopAsync();
        IReadOnlyList<(string Uid, string File)> instances = await FaultInstances.WriteAsync(_temp.Sub("source"), 20, size: 64);
        Dictionary<string, string?> settings = Delivery.ForwardingTo(pacs);
        settings["Gateway:Routing:QueryRetrieve"] = "Pacs";
        settings["Gateway:Backpressure:MinimumFreeBytes"] = "0";

        // The zeros written ahead of the audit records are a reserve on a full volume: the default 1 MiB would hold
        // several hundred Query records. 16 KiB keeps the mechanism and runs out within a few dozen queries.
        settings["Gateway:Audit:SegmentPreallocationBytes"] = "16384";
        await using GatewayChildProcess gateway = await GatewayChildProcess.StartAsync(root, settings);
        (string Uid, string File)[] accepted = [.. instances.Take(10)];
        StorescuBatch stored = await StorescuBatch.SendAsync(gateway.VlanPort, [.. accepted.Select(a => a.File)]);
        Assert.True(stored.Acknowledged.Count == accepted.Length, stored.Tool.ToString());

        long ballast = volume.Fill("ballast");
        int queries = 0;
        for (; queries < 100 && gateway.IsRunning; queries++)
        {
            // The Query record is appended before the query goes upstream (where the PACS is down anyway).
            await ExternalTool.RunAsync(
                "findscu", "-S", "-aet", "MODALITY", "-aec", GatewayProcess.AETitle, "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID",
                "127.0.0.1", gateway.VlanPort.ToString(CultureInfo.InvariantCulture));
        }

        int exitCode = await gateway.WaitForExitAsync(Timeout);
        output.WriteLine($"{ballast} bytes of ballast; the gateway stopped after {queries} queries with exit code {exitCode}");
        Assert.True(gateway.Output.Contains("the gateway stops (exit code 75)", StringComparison.Ordinal), gateway.Output);
        Assert.Equal(FailStopAuditLog.ExitCode, exitCode);

        // Space returns; the service manager starts the gateway again.
        File.Delete(Path.Combine(volume.Path, "ballast"));
        volume.Resize(GrownVolumeSize);
        await gateway.StartAgainAsync();
        await pacs.StartAgainAsync();
        await RecoverAsync(gateway, pacs, instances, accepted, [.. instances.Skip(accepted.Length)]);
    }

    /// <summary>
    /// Issue 7: a QIDO-RS search is answered only once its Query record is durable, and the record is appended while the
    /// PACS answers. When the audit log meets the full volume, the PACS's answer is dropped and the caller gets 503 with
    /// none of it; the gateway then stops (exit code 75) and every answer it gave before has its record after the restart.
    /// </summary>
    [Fact]
    public async Task Qido_AuditLogFailsOnAFullVolume_503WithNothingOfThePacsAnswer_EveryAnswerGivenHasItsRecord()
    {
        string root = _temp.Sub("gateway");
        using Tmpfs volume = Tmpfs.Mount(Path.Combine(root, "data"), "8m");
        await using OrthancServer pacs = await TestPacs.StartAsync(_temp.Sub("orthanc"), root);
        string source = _temp.Sub("source");
        await TestStudies.WriteAllAsync(source);
        await TestPacs.UploadAsync(pacs, source);
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:DicomWeb:Origin"] = $"http://127.0.0.1:{pacs.HttpPort}/dicom-web/",
            ["Gateway:Backpressure:MinimumFreeBytes"] = "0",
        };
        await using GatewayChildProcess gateway = await GatewayChildProcess.StartAsync(root, settings, GatewayDicomWebTests.Policy);
        await gateway.WaitForHttpsAsync();
        using var https = new GatewayHttps(Path.Combine(root, "certs"), gateway.HttpsPort);
        string secret = await GatewayTokens.AddClientAsync(gateway.DataDirectory, root, "viewer-app");
        string token = await GatewayTokens.TokenAsync(https.Http, "viewer-app", secret);

        long ballast = volume.Fill("ballast");
        int answered = 0;
        (HttpStatusCode Status, string Body)? refusal = null;
        DateTime end = DateTime.UtcNow + Timeout;
        while (refusal is null && gateway.IsRunning && DateTime.UtcNow < end)
        {
            using var search = new HttpRequestMessage(HttpMethod.Get, $"dicom-web/studies?StudyInstanceUID={TestStudies.Study1}");
            search.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            search.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/dicom+json"));
            HttpResponseMessage response;
            try
            {
                response = await https.Http.SendAsync(search);
            }
            catch (HttpRequestException) when (!gateway.IsRunning)
            {
                break;
            }

            using (response)
            {
                string body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Assert.Contains(TestStudies.Study1, body, StringComparison.Ordinal);
                    answered++;
                    await Task.Delay(20);
                }
                else
                {
                    refusal = (response.StatusCode, body);
                }
            }
        }

        output.WriteLine($"{ballast} bytes of ballast; {answered} searches answered, then {refusal?.Status.ToString() ?? "no answer"}");
        Assert.True(refusal is not null, $"no search was refused in {Timeout.TotalMinutes} min ({answered} answered):{Environment.NewLine}{gateway.Output}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refusal.Value.Status);
        Assert.DoesNotContain(TestStudies.Study1, refusal.Value.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("0020000D", refusal.Value.Body, StringComparison.Ordinal);
        Assert.Equal(FailStopAuditLog.ExitCode, await gateway.WaitForExitAsync(Timeout));

        // Space returns; the restart repairs the log, which holds a Query record for every answer given.
        File.Delete(Path.Combine(volume.Path, "ballast"));
        volume.Resize(GrownVolumeSize);
        await gateway.StartAgainAsync();
        int stopped = await gateway.StopAsync();
        Assert.True(stopped == 0, $"exit code {stopped}:{Environment.NewLine}{gateway.Output}");
        string audit = Path.Combine(gateway.DataDirectory, "audit");
        (int verified, string verifyOutput) = await Gatewayctl.RunAsync("audit", "verify", "--dir", audit);
        Assert.True(verified == 0, verifyOutput);
        IReadOnlyList<string> queries = await GatewayAuditLog.SearchAsync(gateway.DataDirectory, GatewayAuditLog.Query);
        int recorded = queries.Count(q => q.Contains("viewer-app", StringComparison.Ordinal));
        Assert.True(recorded >= answered, $"{answered} answers given, {recorded} Query records");
    }

    private const string OutOfResources = "Refused: OutOfResources";

    // Batches on one association each, storescu going on after a refusal (-nh), until the volume has refused two whole
    // batches in a row. Every C-STORE gets a response: Success, or Out of Resources.
    private static async Task<(List<(string Uid, string File)> Accepted, List<(string Uid, string File)> Refused, int Next)> FillAsync(
        GatewayChildProcess gateway, IReadOnlyList<(string Uid, string File)> instances)
    {
        var accepted = new List<(string Uid, string File)>();
        var refused = new List<(string Uid, string File)>();
        int next = 0;
        for (int wholeBatchesRefused = 0; next < instances.Count && wholeBatchesRefused < 2; next += BatchSize)
        {
            (string Uid, string File)[] batch = [.. instances.Skip(next).Take(BatchSize)];
            StorescuBatch result = await StorescuBatch.SendAsync(gateway.VlanPort, [.. batch.Select(b => b.File)], noHalt: true);
            Assert.True(
                result.Associated && result.Responses.Count == batch.Length,
                $"every C-STORE gets a response, even on a full volume: {result.Tool}{Environment.NewLine}{gateway.Output}");
            foreach ((string uid, string file) in batch)
            {
                string status = result.Responses[file];
                Assert.True(status is "Success" or OutOfResources, $"{status} for {uid}{Environment.NewLine}{gateway.Output}");
                (status == "Success" ? accepted : refused).Add((uid, file));
            }

            wholeBatchesRefused = result.Acknowledged.Count == 0 ? wholeBatchesRefused + 1 : 0;
        }

        return (accepted, refused, next);
    }

    // With space back and the PACS up: the rest goes in, every instance reaches the PACS once, the accepted ones intact,
    // no item is left or dead, and after a clean stop the audit log verifies.
    private async Task RecoverAsync(
        GatewayChildProcess gateway, OrthancServer pacs, IReadOnlyList<(string Uid, string File)> instances,
        IReadOnlyList<(string Uid, string File)> accepted, IReadOnlyList<(string Uid, string File)> rest)
    {
        for (int i = 0; i < rest.Count; i += BatchSize)
        {
            string[] batch = [.. rest.Skip(i).Take(BatchSize).Select(a => a.File)];
            StorescuBatch result = await StorescuBatch.SendAsync(gateway.VlanPort, batch);
            Assert.True(result.Acknowledged.Count == batch.Length, $"after space returned: {result.Tool}{Environment.NewLine}{gateway.Output}");
        }

        await Delivery.WaitForPacsCountAsync(pacs, instances.Count, Timeout, gateway);
        OutboxCounts drained = Assert.Single(await Delivery.WaitForDrainedOutboxAsync(gateway, Timeout));
        output.WriteLine($"drained: {drained}");
        Assert.Equal(instances.Select(i => i.Uid).Order(StringComparer.Ordinal), await Delivery.PacsUidsAsync(pacs));
        Assert.Equal(instances.Count, drained.Delivered);
        Assert.Equal(0, drained.DeadLetter);
        string scratch = _temp.Sub("scratch");
        foreach ((_, string file) in accepted)
        {
            await Delivery.AssertSameAtPacsAsync(pacs, file, scratch);
        }

        Assert.Equal(0, await gateway.StopAsync());
        (int verified, string verifyOutput) = await Gatewayctl.RunAsync("audit", "verify", "--dir", Path.Combine(gateway.DataDirectory, "audit"));
        Assert.True(verified == 0, verifyOutput);
    }
}
