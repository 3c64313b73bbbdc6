using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Gateway.Dicom;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Archive;
using Gateway.Host.Prefetch;
using Gateway.Host.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Host.Tests;

/// <summary>
/// Worklist-driven prefetch with real peers: wlmscpfs as the RIS lists a procedure for patient P1 within the lead time,
/// Orthanc as the PACS (over mutual TLS) holds P1's priors and another patient's study, storescp is the VLAN review
/// station. The newest matching prior arrives at the station, only the series the filters and the policy allow, once.
/// </summary>
public sealed class GatewayPrefetchTests : IDisposable
{
    private const string Device = "REVIEW1";
    private const string ScheduledStudy = TestStudies.Root + ".8.1";
    private const string OlderPriorStudy = TestStudies.Root + ".8.2";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>The review station may query the PACS service and retrieve CT (not MR) to itself; nothing else.</summary>
    private static string Policy(bool allowRetrieve) => $$"""
        version: 1
        mode: enforce
        timezone: UTC
        zones:
          - name: test-vlan
            kind: device
            networks: [127.0.0.0/8]
        peers:
          - name: review-station
            zone: test-vlan
            ae-titles: [{{Device}}]
            addresses: [127.0.0.1]
        services:
          - name: pacs
            kind: pacs
            ae-title: GATEWAY
          - name: ris
            kind: worklist
            ae-title: GW_MWL
        flows:
          - name: review-priors
            from: review-station
            to: pacs
            operations: [echo, find{{(allowRetrieve ? ", move" : string.Empty)}}]
            sop-classes: [ct]
            {{(allowRetrieve ? "move-destinations: [review-station]" : string.Empty)}}
        """;

    [Fact]
    public async Task ScheduledPatient_NewestMatchingPriorReachesTheDeviceOnce_WhatThePolicyOrFiltersExcludeDoesNot()
    {
        string root = _temp.Sub("gateway");
        string certs = GatewayProcess.CreatePki(root);
        await using OrthancServer pacs = await OrthancServer.StartAsync(
            _temp.Sub("orthanc"), "PACS", [], (Path.Combine(certs, "gateway.crt"), Path.Combine(certs, "gateway.key"), Path.Combine(certs, "ca.crt")));

        // P1's newest prior: study 1 (CT series and MR series, 2024); an older CT study of P1 (2022); P2's study 2.
        TestInstance older = TestStudies.InSeries(TestStudies.Series1Ct).First() with
        {
            StudyUid = OlderPriorStudy,
            SeriesUid = TestStudies.Root + ".8.3",
            SopInstanceUid = TestStudies.Root + ".8.4",
            StudyDate = "20220301",
        };
        string source = _temp.Sub("source");
        foreach (TestInstance instance in TestStudies.InStudy(TestStudies.Study1).Concat(TestStudies.InStudy(TestStudies.Study2)).Append(older))
        {
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(await instance.WriteAsync(source)));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
            (await pacs.Http.PostAsync("instances", content)).EnsureSuccessStatusCode();
        }

        // P1 is expected in an hour; P2 in three days (beyond the lead time).
        int risPort = FreePort.Next();
        await using BackgroundTool ris = await ScheduledWorklist.StartAsync(
            _temp.Sub("wl"),
            risPort,
            "RIS",
            new ScheduledWorklist.Item("P1", ScheduledStudy, DateTime.Now.AddHours(1), "ACC81"),
            new ScheduledWorklist.Item("P2", TestStudies.Root + ".8.5", DateTime.Now.AddDays(3), "ACC82"));
        string received = _temp.Sub("review1");
        int devicePort = FreePort.Next();
        await using BackgroundTool device = await BackgroundTool.StartStorescpAsync(Device, received, devicePort);
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(root, Settings(pacs.PortText, risPort, devicePort), Policy(allowRetrieve: true));

        // While a live C-STORE is in flight, prefetch steps aside: it has found the prior and waits, fetching nothing.
        LiveTraffic live = gateway.Services.GetRequiredService<LiveTraffic>();
        PrefetchService prefetch = gateway.Services.GetRequiredService<PrefetchService>();
        using (live.BeginStore())
        {
            for (DateTime end = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < end && !prefetch.YieldingToLiveTraffic; await Task.Delay(100))
            {
            }

            Assert.True(prefetch.YieldingToLiveTraffic, "prefetch never got as far as a retrieve");
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.True(prefetch.YieldingToLiveTraffic);
            Assert.Empty(await gateway.Services.GetRequiredService<Gateway.Archive.ArchiveStore>().Outbox.GetCountsAsync(CancellationToken.None));
            Assert.Empty(Directory.GetFiles(received));
        }

        string[] expected = [.. TestStudies.InSeries(TestStudies.Series1Ct).Select(i => i.SopInstanceUid).Order(StringComparer.Ordinal)];
        for (DateTime end = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < end && Directory.GetFiles(received).Length < expected.Length; await Task.Delay(200))
        {
        }

        // Two more looks at the worklist: the study is remembered and not fetched again.
        int cycles = prefetch.CyclesCompleted;
        for (DateTime end = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < end && prefetch.CyclesCompleted < cycles + 2; await Task.Delay(200))
        {
        }

        Assert.True(prefetch.CyclesCompleted >= cycles + 2, "the prefetch service stopped looking");
        Dictionary<string, byte[]> arrived = await DicomFiles.ReadDirectoryAsync(received);
        Dictionary<string, byte[]> sent = await DicomFiles.ReadDirectoryAsync(source);
        Assert.Equal(expected, arrived.Keys.Order(StringComparer.Ordinal));
        Assert.All(arrived, a => Assert.True(sent[a.Key].AsSpan().SequenceEqual(a.Value), a.Key + " differs from what the PACS holds"));

        // The ledger holds a keyed hash, not the Study Instance UID.
        string ledger = Path.Combine(gateway.DataDirectory, "prefetch", "ledger");
        string ledgerText = await File.ReadAllTextAsync(ledger);
        Assert.Single(ledgerText.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain(TestStudies.Study1, ledgerText, StringComparison.Ordinal);
        Assert.DoesNotContain("P1", ledgerText, StringComparison.Ordinal);

        await gateway.DisposeAsync();
        IReadOnlyList<string> transfers = await GatewayAuditLog.SearchAsync(gateway.DataDirectory, GatewayAuditLog.InstancesTransferred);
        IReadOnlyList<string> alerts = await GatewayAuditLog.SearchAsync(gateway.DataDirectory, GatewayAuditLog.SecurityAlert);
        IReadOnlyList<string> queries = await GatewayAuditLog.SearchAsync(gateway.DataDirectory, GatewayAuditLog.Query);
        Assert.Single(transfers, t => t.Contains("prefetch C-GET for " + Device, StringComparison.Ordinal));
        Assert.Contains(transfers, t => t.Contains("prefetch C-GET for " + Device + ": archived 3, denied by policy 2, failed 0", StringComparison.Ordinal));
        Assert.Equal(expected.Length, transfers.Count(t => t.Contains("prefetch delivered to " + Device, StringComparison.Ordinal)));
        Assert.Equal(2, alerts.Count(a => a.Contains(Device, StringComparison.Ordinal) && a.Contains("sop-class-not-allowed", StringComparison.Ordinal)));
        Assert.Contains(queries, q => q.Contains("prefetch: worklist", StringComparison.Ordinal));
        foreach (string file in Directory.EnumerateFiles(gateway.DataDirectory, "*", SearchOption.AllDirectories))
        {
            Assert.False(Contains(await File.ReadAllBytesAsync(file), "Doe^John"), "a patient name in plaintext in " + file);
        }
    }

    [Fact]
    public async Task PolicyWithoutRetrieveForTheDevice_NothingIsQueriedOrFetched_AndTheDenialIsAudited()
    {
        int risPort = FreePort.Next();
        await using BackgroundTool ris = await ScheduledWorklist.StartAsync(
            _temp.Sub("wl"), risPort, "RIS", new ScheduledWorklist.Item("P1", ScheduledStudy, DateTime.Now.AddHours(1), "ACC81"));
        string received = _temp.Sub("review1");
        int devicePort = FreePort.Next();
        await using BackgroundTool device = await BackgroundTool.StartStorescpAsync(Device, received, devicePort);

        // The PACS port has nobody: a look that got past the policy would fail there, not be denied.
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(
            _temp.Sub("gateway"), Settings(FreePort.Next().ToString(CultureInfo.InvariantCulture), risPort, devicePort), Policy(allowRetrieve: false));
        PrefetchService prefetch = gateway.Services.GetRequiredService<PrefetchService>();
        for (DateTime end = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < end && prefetch.CyclesCompleted < 2; await Task.Delay(100))
        {
        }

        Assert.True(prefetch.CyclesCompleted >= 2, "the prefetch service stopped looking");
        await gateway.DisposeAsync();
        IReadOnlyList<string> alerts = await GatewayAuditLog.SearchAsync(gateway.DataDirectory, GatewayAuditLog.SecurityAlert);
        IReadOnlyList<string> queries = await GatewayAuditLog.SearchAsync(gateway.DataDirectory, GatewayAuditLog.Query);
        Assert.Contains(alerts, a => a.Contains(Device, StringComparison.Ordinal) && a.Contains("move", StringComparison.Ordinal));
        Assert.Empty(queries);
        Assert.Empty(Directory.GetFiles(received));
    }

    [Fact]
    public async Task PrefetchToAnUnknownDevice_StopsTheGatewayAtStart()
    {
        var settings = Settings("104", 105, 106);
        settings["Gateway:Prefetch:Destination"] = "NOSUCHDEVICE";

        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayProcess.StartAsync(_temp.Sub("gateway"), settings, Policy(allowRetrieve: true)));

        Assert.Contains("Gateway:Prefetch:Destination", error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Settings(string pacsPort, int risPort, int devicePort) => new()
    {
        ["Gateway:Upstreams:Pacs:AETitle"] = "PACS",
        ["Gateway:Upstreams:Pacs:Host"] = "127.0.0.1",
        ["Gateway:Upstreams:Pacs:Port"] = pacsPort,
        ["Gateway:Upstreams:Pacs:TimeoutSeconds"] = "10",
        ["Gateway:Upstreams:Ris:AETitle"] = "RIS",
        ["Gateway:Upstreams:Ris:Host"] = "127.0.0.1",
        ["Gateway:Upstreams:Ris:Port"] = risPort.ToString(CultureInfo.InvariantCulture),
        ["Gateway:Upstreams:Ris:Tls"] = "false",
        ["Gateway:Routing:QueryRetrieve"] = "Pacs",
        ["Gateway:Routing:Worklist"] = "Ris",
        [$"Gateway:Devices:{Device}:Host"] = "127.0.0.1",
        [$"Gateway:Devices:{Device}:Port"] = devicePort.ToString(CultureInfo.InvariantCulture),
        ["Gateway:Prefetch:Enabled"] = "true",
        ["Gateway:Prefetch:Interval"] = "00:00:01",
        ["Gateway:Prefetch:LeadTime"] = "02:00:00",
        ["Gateway:Prefetch:Modalities:0"] = "CT",
        ["Gateway:Prefetch:Modalities:1"] = "MR",
        ["Gateway:Prefetch:MostRecent"] = "1",
        ["Gateway:Prefetch:Destination"] = Device,
        ["Gateway:Prefetch:Service"] = "pacs",
        ["Gateway:Prefetch:WorklistService"] = "ris",
    };

    private static bool Contains(byte[] haystack, string needle) =>
        haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;
}
