using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gateway.Archive;
using Gateway.Archive.Outbox;
using Gateway.Dicom;
using Gateway.Dicom.Network.Interop.Tests.Support;

namespace Gateway.Host.Tests.Support;

/// <summary>What reached the PACS (Orthanc) and what the gateway's outbox still holds, for the store-and-forward fault tests.</summary>
internal static class Delivery
{
    /// <summary>The settings that make a gateway forward every stored instance to <paramref name="pacs"/> over TLS.</summary>
    public static Dictionary<string, string?> ForwardingTo(OrthancServer pacs) => new()
    {
        ["Gateway:Upstreams:Pacs:AETitle"] = pacs.AETitle,
        ["Gateway:Upstreams:Pacs:Host"] = "127.0.0.1",
        ["Gateway:Upstreams:Pacs:Port"] = pacs.PortText,
        ["Gateway:Routing:ForwardTo:0"] = "Pacs",
    };

    /// <summary>How many instances Orthanc holds (one per SOP Instance UID: Orthanc identifies an instance by its UIDs).</summary>
    public static async Task<long> PacsCountAsync(OrthancServer pacs)
    {
        JsonObject statistics = (await pacs.Http.GetFromJsonAsync<JsonObject>("statistics"))!;
        return (long)statistics["CountInstances"]!;
    }

    /// <summary>The SOP Instance UID of every instance Orthanc holds, sorted, duplicates kept (one request).</summary>
    public static async Task<IReadOnlyList<string>> PacsUidsAsync(OrthancServer pacs)
    {
        using var query = JsonContent.Create(new JsonObject { ["Level"] = "Instance", ["Query"] = new JsonObject(), ["Expand"] = true });
        using HttpResponseMessage response = await pacs.Http.PostAsync("tools/find", query);
        response.EnsureSuccessStatusCode();
        JsonArray instances = (await response.Content.ReadFromJsonAsync<JsonArray>())!;
        return [.. instances.Select(i => (string)i!["MainDicomTags"]!["SOPInstanceUID"]!).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Waits until Orthanc holds <paramref name="expected"/> instances; fails after <paramref name="timeout"/>, or at once
    /// when the gateway that should deliver them has died, with the gateway's output.
    /// </summary>
    public static async Task WaitForPacsCountAsync(OrthancServer pacs, long expected, TimeSpan timeout, GatewayChildProcess gateway)
    {
        DateTime end = DateTime.UtcNow + timeout;
        long count;
        while ((count = await PacsCountAsync(pacs)) < expected)
        {
            AssertAlive(gateway);
            Assert.True(
                DateTime.UtcNow < end,
                $"the PACS holds {count} of {expected} instances after {timeout.TotalSeconds} s{Environment.NewLine}{gateway.Output}");
            await Task.Delay(250);
        }
    }

    /// <summary>The gateway's outbox counts per destination, read beside the running gateway (or after it).</summary>
    public static async Task<IReadOnlyList<OutboxCounts>> OutboxAsync(string dataDirectory)
    {
        using ArchiveAdmin admin = ArchiveAdmin.Open(new ArchiveOptions { DataDirectory = dataDirectory, CreateIfMissing = false });
        return await admin.Outbox.GetCountsAsync(CancellationToken.None);
    }

    /// <summary>Waits until no outbox item of the running <paramref name="gateway"/> is pending or leased; fails with the counts after <paramref name="timeout"/>.</summary>
    public static async Task<IReadOnlyList<OutboxCounts>> WaitForDrainedOutboxAsync(GatewayChildProcess gateway, TimeSpan timeout)
    {
        DateTime end = DateTime.UtcNow + timeout;
        while (true)
        {
            IReadOnlyList<OutboxCounts> counts = await OutboxAsync(gateway.DataDirectory);
            if (counts.All(c => c.Undelivered == 0))
            {
                return counts;
            }

            AssertAlive(gateway);
            Assert.True(
                DateTime.UtcNow < end,
                $"the outbox still holds undelivered items after {timeout.TotalSeconds} s: {string.Join("; ", counts)}{Environment.NewLine}{gateway.Output}");
            await Task.Delay(250);
        }
    }

    /// <summary>Fails, with its output, unless the gateway process is still running.</summary>
    public static void AssertAlive(GatewayChildProcess gateway) =>
        Assert.True(gateway.IsRunning, "the gateway process has exited:" + Environment.NewLine + gateway.Output);

    /// <summary>Asserts that the PACS holds the instance of <paramref name="file"/> with the same data set as sent.</summary>
    public static async Task AssertSameAtPacsAsync(OrthancServer pacs, string file, string scratch)
    {
        (string uid, DicomTransferSyntax sentSyntax, byte[] sent) = await DicomFiles.ReadAsync(file);
        string copy = Path.Combine(scratch, uid + ".pacs.dcm");
        await File.WriteAllBytesAsync(copy, await pacs.InstanceFileAsync(uid));
        (_, DicomTransferSyntax storedSyntax, byte[] stored) = await DicomFiles.ReadAsync(copy);
        if (!sentSyntax.Equals(storedSyntax))
        {
            // storescu re-encoded the file to the syntax it negotiated: compare the content in one encoding.
            sent = await Normalized.ExplicitLittleEndianDataSetAsync(file, scratch);
            stored = await Normalized.ExplicitLittleEndianDataSetAsync(copy, scratch);
        }

        Assert.True(sent.AsSpan().SequenceEqual(stored), uid + " differs at the PACS");
    }
}
