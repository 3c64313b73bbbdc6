using System.Diagnostics;
using Gateway.Archive.Outbox;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;
using Xunit.Abstractions;

namespace Gateway.Host.Tests.Faults;

/// <summary>
/// Issue 6, disk-full test: the gateway's data directory (archive, index, outbox, audit log, logs) on a small tmpfs,
/// filled by C-STOREs while the PACS is down so that nothing leaves. The volume itself refuses (no free-space headroom
/// configured): every further C-STORE must get Out of Resources (A7xx) on an association that goes on, the gateway must
/// stay up, and once the volume grows, new stores succeed and everything accepted reaches the PACS intact.
/// </summary>
/// <remarks>Mounting a tmpfs needs root, as the project's machines and CI run; elsewhere this test fails saying so.</remarks>
public sealed class GatewayDiskFullTests(ITestOutputHelper output) : IDisposable
{
    // 512 x 512 x 16 bit: half a megabyte per instance, a CT slice; about 25 fit on the volume next to the gateway's files.
    private const int ImageSize = 512;
    private const int Instances = 60;
    private const int BatchSize = 5;
    private const string VolumeSize = "16m";
    private const string GrownVolumeSize = "96m";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    // The forwarder's log line (event 2315) when the outbox failed under it.
    private const string ForwarderLoopFailed = "failed outside a delivery";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Storescu_DataVolumeRunsFull_RefusedOutOfResources_NothingAcceptedLost_RecoversWhenSpaceReturns()
    {
        var clock = Stopwatch.StartNew();
        string root = _temp.Sub("gateway");
        using Tmpfs volume = Tmpfs.Mount(Path.Combine(root, "data"), VolumeSize);
        await using OrthancServer pacs = await TestPacs.StartAsync(_temp.Sub("orthanc"), root);
        await pacs.StopAsync();
        IReadOnlyList<(string Uid, string File)> instances = await FaultInstances.WriteAsync(_temp.Sub("source"), Instances, ImageSize);
        var settings = Delivery.ForwardingTo(pacs);
        settings["Gateway:Backpressure:MinimumFreeBytes"] = "0";
        await using GatewayChildProcess gateway = await GatewayChildProcess.StartAsync(root, settings);
        output.WriteLine($"gateway up with {volume.FreeBytes} bytes free on the {VolumeSize} volume");

        // Fill: batches on one association each, storescu going on after a refusal (-nh), until the volume has refused
        // two whole batches in a row.
        var accepted = new List<(string Uid, string File)>();
        var refused = new List<(string Uid, string File)>();
        var statuses = new HashSet<string>(StringComparer.Ordinal);
        int next = 0;
        for (int wholeBatchesRefused = 0; next < Instances && wholeBatchesRefused < 2; next += BatchSize)
        {
            (string Uid, string File)[] batch = [.. instances.Skip(next).Take(BatchSize)];
            StorescuBatch result = await StorescuBatch.SendAsync(gateway.VlanPort, [.. batch.Select(b => b.File)], noHalt: true);
            Assert.True(
                result.Associated && result.Responses.Count == batch.Length,
                $"every C-STORE gets a response, even on a full volume: {result.Tool}{Environment.NewLine}{gateway.Output}");
            foreach ((string uid, string file) in batch)
            {
                string status = result.Responses[file];
                (status == "Success" ? accepted : refused).Add((uid, file));
                if (status != "Success")
                {
                    statuses.Add(status);
                }
            }

            wholeBatchesRefused = result.Acknowledged.Count == 0 ? wholeBatchesRefused + 1 : 0;
        }

        output.WriteLine(
            $"{accepted.Count} accepted, {refused.Count} refused ({string.Join(", ", statuses)}) after {clock.Elapsed.TotalSeconds:F1} s; {volume.FreeBytes} bytes free");
        Assert.True(accepted.Count >= 5, $"only {accepted.Count} instances fit before the volume was full");
        Assert.True(refused.Count >= 2 * BatchSize, $"the {VolumeSize} volume never ran full: {accepted.Count} accepted");
        Assert.All(statuses, s => Assert.Contains("OutOfResources", s, StringComparison.Ordinal));
        Delivery.AssertAlive(gateway);
        Assert.Equal(0, (await ExternalTool.RunAsync("echoscu", "-aet", "MODALITY", "-aec", GatewayProcess.AETitle, "127.0.0.1", gateway.VlanPort.ToString(System.Globalization.CultureInfo.InvariantCulture))).ExitCode);

        // Not a byte left (something else on the volume takes the rest), and the PACS comes back before space does: the
        // forwarder goes back to work (after its rest) on an outbox that cannot record anything, and the gateway must
        // live through that. Regression: SQLITE_FULL from the outbox ended the forwarder, and with it the gateway.
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
        Assert.Equal("Refused: OutOfResources", Assert.Single(stillFull.Responses).Value);

        // Space returns (the operator removes what filled the volume and grows it): the refused instances and the rest
        // now go in, and everything accepted, before and after, reaches the PACS intact and once.
        File.Delete(Path.Combine(volume.Path, "ballast"));
        volume.Resize(GrownVolumeSize);
        (string Uid, string File)[] after = [.. refused, .. instances.Skip(next)];
        for (int i = 0; i < after.Length; i += BatchSize)
        {
            string[] batch = [.. after.Skip(i).Take(BatchSize).Select(a => a.File)];
            StorescuBatch result = await StorescuBatch.SendAsync(gateway.VlanPort, batch);
            Assert.True(result.Acknowledged.Count == batch.Length, $"after the volume grew: {result.Tool}{Environment.NewLine}{gateway.Output}");
        }

        await Delivery.WaitForPacsCountAsync(pacs, Instances, Timeout, gateway);
        OutboxCounts drained = Assert.Single(await Delivery.WaitForDrainedOutboxAsync(gateway, Timeout));
        output.WriteLine($"drained after {clock.Elapsed.TotalSeconds:F1} s: {drained}");
        Assert.Equal(instances.Select(i => i.Uid).Order(StringComparer.Ordinal), await Delivery.PacsUidsAsync(pacs));
        Assert.Equal(Instances, drained.Delivered);
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
