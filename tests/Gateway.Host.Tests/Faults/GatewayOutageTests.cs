using System.Diagnostics;
using Gateway.Archive.Outbox;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;
using Xunit.Abstractions;

namespace Gateway.Host.Tests.Faults;

/// <summary>
/// Issue 6, outage test: the PACS (Orthanc over mutual TLS) stops in the middle of a stream of C-STOREs. The devices must
/// not notice (every C-STORE still gets Success, the instances wait in the outbox), and when the PACS returns the queue
/// drains with every instance delivered once.
/// </summary>
public sealed class GatewayOutageTests(ITestOutputHelper output) : IDisposable
{
    private const int Instances = 150;
    private const int BatchSize = 10;
    private const int StopAfter = 50;

    // Long enough for several failed attempts and the forwarder's rest after five failures in a row.
    private static readonly TimeSpan MinimumOutage = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Storescu_PacsStoppedMidStream_IngestContinuesAndTheQueueDrainsOnceWhenItReturns()
    {
        var clock = Stopwatch.StartNew();
        string root = _temp.Sub("gateway");
        await using OrthancServer pacs = await TestPacs.StartAsync(_temp.Sub("orthanc"), root);
        IReadOnlyList<(string Uid, string File)> instances = await FaultInstances.WriteAsync(_temp.Sub("source"), Instances);
        await using GatewayChildProcess gateway = await GatewayChildProcess.StartAsync(root, Delivery.ForwardingTo(pacs));

        long heldAtStop = -1;
        TimeSpan stoppedAt = TimeSpan.Zero;
        for (int sent = 0; sent < Instances; sent += BatchSize)
        {
            if (sent == StopAfter)
            {
                await pacs.StopAsync();
                stoppedAt = clock.Elapsed;
                heldAtStop = (await Delivery.OutboxAsync(gateway.DataDirectory)).Sum(c => c.Delivered);
            }

            string[] batch = [.. instances.Skip(sent).Take(BatchSize).Select(i => i.File)];
            StorescuBatch result = await StorescuBatch.SendAsync(gateway.VlanPort, batch);
            Assert.True(result.Acknowledged.Count == batch.Length, $"files {sent}-{sent + batch.Length - 1}, PACS {(sent >= StopAfter ? "down" : "up")}: {result.Tool}");
        }

        output.WriteLine($"{Instances} acknowledged after {clock.Elapsed.TotalSeconds:F1} s; PACS stopped at {stoppedAt.TotalSeconds:F1} s with {heldAtStop} delivered");

        // The outage is real for the gateway: items wait, and the forwarder has tried and failed.
        IReadOnlyList<OutboxCounts> during = await WaitForFailedAttemptAsync(gateway);
        while (clock.Elapsed - stoppedAt < MinimumOutage)
        {
            await Task.Delay(100);
        }

        OutboxCounts waiting = Assert.Single(await Delivery.OutboxAsync(gateway.DataDirectory));
        Assert.True(waiting.Undelivered >= Instances - StopAfter, $"only {waiting.Undelivered} items wait while the PACS is down: {waiting}");
        output.WriteLine($"PACS down for {(clock.Elapsed - stoppedAt).TotalSeconds:F1} s: {string.Join("; ", during)} -> {waiting}");

        await pacs.StartAgainAsync();
        TimeSpan returnedAt = clock.Elapsed;
        await Delivery.WaitForPacsCountAsync(pacs, Instances, Timeout, gateway);
        OutboxCounts drained = Assert.Single(await Delivery.WaitForDrainedOutboxAsync(gateway, Timeout));
        output.WriteLine($"drained {(clock.Elapsed - returnedAt).TotalSeconds:F1} s after the PACS returned: {drained}");

        Assert.Equal(instances.Select(i => i.Uid).Order(StringComparer.Ordinal), await Delivery.PacsUidsAsync(pacs));
        Assert.Equal(Instances, drained.Delivered);
        Assert.Equal(0, drained.DeadLetter);
        string scratch = _temp.Sub("scratch");
        foreach ((_, string file) in new[] { instances[0], instances[StopAfter], instances[^1] })
        {
            await Delivery.AssertSameAtPacsAsync(pacs, file, scratch);
        }
    }

    private static async Task<IReadOnlyList<OutboxCounts>> WaitForFailedAttemptAsync(GatewayChildProcess gateway)
    {
        DateTime end = DateTime.UtcNow + Timeout;
        while (true)
        {
            IReadOnlyList<OutboxCounts> counts = await Delivery.OutboxAsync(gateway.DataDirectory);
            if (counts.Any(c => c.Retrying > 0))
            {
                return counts;
            }

            Assert.True(DateTime.UtcNow < end, $"no failed delivery attempt recorded while the PACS is down: {string.Join("; ", counts)}{Environment.NewLine}{gateway.Output}");
            await Task.Delay(100);
        }
    }
}
