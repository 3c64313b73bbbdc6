using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gateway.Archive;
using Gateway.Archive.Outbox;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Host.Tests;

/// <summary>
/// The other direction: the PACS (Orthanc) or a clinical workstation (storescu) pushes over mutual TLS on the clinical
/// leg to a device on the VLAN (storescp), addressed by the device's AE title; the gateway applies the policy, archives,
/// audits, answers, and delivers in plain DIMSE.
/// </summary>
public sealed class GatewayPushTests : IDisposable
{
    private const string Device = "REVIEW1";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>
    /// Peers: the PACS (AE PACS, bound to the development server certificate's name), workstation WS1 (bound to the
    /// development client certificate) and the review station REVIEW1 on the VLAN. Service "review1" answers at AE title
    /// REVIEW1 (a Gateway:Devices entry, so stores to it are pushes). The PACS may push CT and MR; WS1 CT always, MR only
    /// on a day that is never today.
    /// </summary>
    private static string Policy()
    {
        string never = DateTime.UtcNow.AddDays(2).DayOfWeek.ToString()[..3].ToLowerInvariant();
        return $$"""
            version: 1
            mode: enforce
            timezone: UTC
            zones:
              - name: test-vlan
                kind: device
                networks: [127.0.0.0/8]
              - name: test-clinical
                kind: clinical
                networks: [127.0.0.0/8]
            peers:
              - name: review-station
                zone: test-vlan
                ae-titles: [{{Device}}]
                addresses: [127.0.0.1]
              - name: pacs
                zone: test-clinical
                ae-titles: [PACS]
                addresses: [127.0.0.1]
                certificate:
                  san: ["DNS:localhost"]
              - name: workstation
                zone: test-clinical
                ae-titles: [WS1]
                addresses: [127.0.0.1]
                certificate:
                  subject: "CN=gateway-development-client, O=DICOM Gateway"
            services:
              - name: pacs-in
                kind: pacs
                ae-title: GATEWAY
              - name: review1
                kind: pacs
                ae-title: {{Device}}
                description: Pushes to the review station on the VLAN.
            flows:
              - name: pacs-pushes-priors
                from: pacs
                to: review1
                operations: [echo, store]
                sop-classes: [ct, mr]
              - name: workstation-pushes-ct
                from: workstation
                to: review1
                operations: [store]
                sop-classes: [ct]
              - name: workstation-pushes-mr-never-now
                from: workstation
                to: review1
                operations: [store]
                sop-classes: [mr]
                time-windows:
                  - days: [{{never}}]
                    from: "00:00"
                    to: "24:00"
            """;
    }

    [Fact]
    public async Task OrthancPushesOverTls_TheDeviceReceivesItEqualInPlainDimse_AndItIsAudited()
    {
        string root = _temp.Sub("gateway");
        string certs = GatewayProcess.CreatePki(root);
        await using OrthancServer pacs = await OrthancServer.StartAsync(
            _temp.Sub("orthanc"), "PACS", [], (Path.Combine(certs, "gateway.crt"), Path.Combine(certs, "gateway.key"), Path.Combine(certs, "ca.crt")));
        string source = _temp.Sub("source");
        TestInstance[] study = [.. TestStudies.InStudy(TestStudies.Study1)];
        string? orthancStudy = null;
        foreach (TestInstance instance in study)
        {
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(await instance.WriteAsync(source)));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
            using HttpResponseMessage posted = await pacs.Http.PostAsync("instances", content);
            posted.EnsureSuccessStatusCode();
            orthancStudy = (string?)(await posted.Content.ReadFromJsonAsync<JsonObject>())!["ParentStudy"];
        }

        string received = _temp.Sub("review1");
        int devicePort = FreePort.Next();
        await using BackgroundTool device = await BackgroundTool.StartStorescpAsync(Device, received, devicePort);
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(root, DeviceSettings(devicePort, pacs), Policy());

        // Orthanc knows the device under its own AE title, at the gateway's clinical leg, over DICOM TLS.
        using (HttpResponseMessage added = await pacs.Http.PutAsJsonAsync($"modalities/{Device}", new JsonObject
        {
            ["AET"] = Device,
            ["Host"] = "127.0.0.1",
            ["Port"] = gateway.ClinicalPort,
            ["UseDicomTls"] = true,
        }))
        {
            added.EnsureSuccessStatusCode();
        }

        using (HttpResponseMessage stored = await pacs.Http.PostAsJsonAsync($"modalities/{Device}/store", new JsonObject
        {
            ["Resources"] = new JsonArray(orthancStudy),
            ["Synchronous"] = true,
        }))
        {
            Assert.True(stored.IsSuccessStatusCode, await stored.Content.ReadAsStringAsync() + pacs.Output);
        }

        Dictionary<string, byte[]> arrived = await WaitForFilesAsync(received, study.Length);
        Dictionary<string, byte[]> sent = await DicomFiles.ReadDirectoryAsync(source);
        Assert.Equal(study.Select(i => i.SopInstanceUid).Order(StringComparer.Ordinal), arrived.Keys.Order(StringComparer.Ordinal));
        Assert.All(arrived, a => Assert.True(sent[a.Key].AsSpan().SequenceEqual(a.Value), a.Key + " differs from what the PACS sent"));

        // Queued for the device's push lane only: never back to Routing:ForwardTo (the PACS itself here).
        IReadOnlyList<OutboxCounts> queues = await gateway.Services.GetRequiredService<ArchiveStore>().Outbox.GetCountsAsync(CancellationToken.None);
        OutboxCounts lane = Assert.Single(queues);
        Assert.Equal("@" + Device, lane.Destination);
        Assert.Equal(study.Length, lane.Delivered);

        await gateway.DisposeAsync();
        IReadOnlyList<string> imports = await GatewayAuditLog.SearchAsync(gateway.DataDirectory, GatewayAuditLog.Import);
        IReadOnlyList<string> deliveries = await GatewayAuditLog.SearchAsync(gateway.DataDirectory, GatewayAuditLog.InstancesTransferred);
        Assert.Equal(study.Length, imports.Count(r => r.Contains("flow:pacs-pushes-priors", StringComparison.Ordinal)));
        Assert.Equal(study.Length, deliveries.Count(r => r.Contains("push delivered to " + Device, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task WorkstationPushes_AllowedClassArrives_DeniedClassGetsNotAuthorized_StrangerIsRejected_AllAudited()
    {
        string root = _temp.Sub("gateway");
        string certs = GatewayProcess.CreatePki(root);
        string received = _temp.Sub("review1");
        int devicePort = FreePort.Next();
        await using BackgroundTool device = await BackgroundTool.StartStorescpAsync(Device, received, devicePort);
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(root, DeviceSettings(devicePort, pacs: null), Policy());
        string ct = await TestStudies.InSeries(TestStudies.Series1Ct).First().WriteAsync(_temp.Sub("ct"));
        string mr = await TestStudies.InSeries(TestStudies.Series1Mr).First().WriteAsync(_temp.Sub("mr"));
        string[] tls =
        [
            "+tls", Path.Combine(certs, "client.key"), Path.Combine(certs, "client.crt"), "-pw", "+cf", Path.Combine(certs, "ca.crt"),
        ];
        string port = gateway.ClinicalPort.ToString(CultureInfo.InvariantCulture);

        ToolResult allowed = await ExternalTool.RunAsync("storescu", ["-v", "-aet", "WS1", "-aec", Device, .. tls, "127.0.0.1", port, ct]);
        ToolResult denied = await ExternalTool.RunAsync("storescu", ["-v", "-aet", "WS1", "-aec", Device, .. tls, "127.0.0.1", port, mr]);
        ToolResult stranger = await ExternalTool.RunAsync("storescu", ["-v", "-aet", "WS9", "-aec", Device, .. tls, "127.0.0.1", port, ct]);
        ToolResult plain = await ExternalTool.RunAsync("storescu", ["-v", "-aet", "WS1", "-aec", Device, "127.0.0.1", port, ct]);

        allowed.EnsureSuccess();
        Assert.True(denied.Output.Contains("0x0124", StringComparison.Ordinal) || denied.Output.Contains("0x124", StringComparison.Ordinal), denied.ToString());
        Assert.Contains("Calling AE Title Not Recognized", stranger.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, plain.ExitCode);
        Dictionary<string, byte[]> arrived = await WaitForFilesAsync(received, 1);
        Assert.Equal([TestStudies.Instance(1)], arrived.Keys);
        await Task.Delay(500);
        Assert.Single(Directory.GetFiles(received));

        await gateway.DisposeAsync();
        IReadOnlyList<string> alerts = await GatewayAuditLog.SearchAsync(gateway.DataDirectory, GatewayAuditLog.SecurityAlert);
        IReadOnlyList<string> imports = await GatewayAuditLog.SearchAsync(gateway.DataDirectory, GatewayAuditLog.Import);
        Assert.Contains(alerts, a => a.Contains("WS1", StringComparison.Ordinal) && a.Contains("outside-time-window", StringComparison.Ordinal));
        Assert.Contains(alerts, a => a.Contains("WS9", StringComparison.Ordinal));
        Assert.Single(imports);
    }

    private static Dictionary<string, string?> DeviceSettings(int devicePort, OrthancServer? pacs)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"Gateway:Devices:{Device}:Host"] = "127.0.0.1",
            [$"Gateway:Devices:{Device}:Port"] = devicePort.ToString(CultureInfo.InvariantCulture),
        };
        if (pacs is not null)
        {
            settings["Gateway:Upstreams:Pacs:AETitle"] = "PACS";
            settings["Gateway:Upstreams:Pacs:Host"] = "127.0.0.1";
            settings["Gateway:Upstreams:Pacs:Port"] = pacs.PortText;
            settings["Gateway:Routing:ForwardTo:0"] = "Pacs";
        }

        return settings;
    }

    private static async Task<Dictionary<string, byte[]>> WaitForFilesAsync(string directory, int count)
    {
        for (DateTime end = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < end && Directory.GetFiles(directory).Length < count; await Task.Delay(100))
        {
        }

        // storescp writes a file before it answers; give the last one a moment to be complete on disk.
        await Task.Delay(200);
        return await DicomFiles.ReadDirectoryAsync(directory);
    }
}
