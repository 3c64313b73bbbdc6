using System.Globalization;
using System.Text;
using Gateway.Dicom.IO;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.DicomWeb.Multipart;
using Gateway.DicomWeb.Stow;
using Gateway.Host.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Gateway.Host.Tests.DicomWeb;

/// <summary>
/// The bridge against a DICOMweb origin that misbehaves on purpose (a small Kestrel app): per-instance STOW-RS failures
/// are settled per instance (a permanent reason dead-letters, Out of Resources retries), a malformed QIDO-RS answer fails
/// the C-FIND with Unable to Process, and a WADO-RS body cut short counts what did not arrive as failed sub-operations.
/// </summary>
public sealed class GatewayBridgeFaultTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Bridge_HostileOrigin_SettlesEachInstance_FailsTheQuery_AndCountsMissingInstancesAsFailed()
    {
        TestInstance[] series = [.. TestStudies.InSeries(TestStudies.Series1Ct)];
        string source = _temp.Sub("source");
        string[] files = [.. await Task.WhenAll(series.Select(i => i.WriteAsync(source)))];
        byte[] first = await File.ReadAllBytesAsync(files[0]);
        int originPort = FreePort.Next();
        await using WebApplication origin = await StartOriginAsync(originPort, series, first);

        string root = _temp.Sub("gateway");
        GatewayProcess gateway = await GatewayProcess.StartAsync(root, new Dictionary<string, string?>
        {
            ["Gateway:Upstreams:Web:DicomWeb"] = $"http://127.0.0.1:{originPort.ToString(CultureInfo.InvariantCulture)}/dicom-web/",
            ["Gateway:Upstreams:Web:Token"] = "test-token",
            ["Gateway:Upstreams:Web:TimeoutSeconds"] = "5",
            ["Gateway:Routing:QueryRetrieve"] = "Web",
            ["Gateway:Routing:ForwardTo:0"] = "Web",
        });
        await using (gateway)
        {
            (await ExternalTool.RunAsync("storescu", [.. gateway.Vlan(), "127.0.0.1", gateway.VlanPortText, .. files])).EnsureSuccess();
            ToolResult find = await ExternalTool.RunAsync("findscu", [.. gateway.Vlan(), "-v", "-S", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "127.0.0.1", gateway.VlanPortText]);
            ToolResult get = await ExternalTool.RunAsync(
                "getscu", [.. gateway.Vlan(), "-v", "-S", "-od", _temp.Sub("get"), "-k", "QueryRetrieveLevel=SERIES", "-k", "StudyInstanceUID=" + TestStudies.Study1, "-k", "SeriesInstanceUID=" + TestStudies.Series1Ct, "127.0.0.1", gateway.VlanPortText]);

            // Instance 1 stored, instance 2 refused for good (0110), instance 3 refused for now (A700).
            Gateway.Archive.Outbox.OutboxCounts counts = await WaitForOutboxAsync(Path.Combine(root, "data"), c => c.Delivered == 1 && c.DeadLetter == 1 && c.Retrying == 1);
            Assert.Equal(0, counts.Leased);
            Assert.Contains("Received Final Find Response (Failed: UnableToProcess)", find.Output, StringComparison.Ordinal);
            Assert.Matches(@"Number of Completed Suboperations\s*: 1\s", get.Output);
            Assert.Matches(@"Number of Failed Suboperations\s*: 2\s", get.Output);
            Assert.Equal([TestStudies.Instance(1)], (await DicomFiles.ReadDirectoryAsync(_temp.Sub("get"))).Keys.Select(k => k.TrimEnd('\0')));
        }
    }

    // The origin: STOW-RS answers each part by its position, QIDO-RS studies sends broken JSON, QIDO-RS instances lists the
    // series, and WADO-RS sends the first instance whole and then stops in the middle of the second part.
    private static async Task<WebApplication> StartOriginAsync(int port, TestInstance[] series, byte[] first)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        WebApplication app = builder.Build();
        app.Use(async (context, next) =>
        {
            // Every request carries the configured bearer token.
            if (context.Request.Headers.Authorization != "Bearer test-token")
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            await next(context);
        });
        app.MapPost("/dicom-web/studies", async (HttpContext context) =>
        {
            MultipartReader reader = MultipartReader.Create(context.Request.Body, context.Request.ContentType);
            var response = new StowResponse();
            while (await reader.ReadNextPartAsync(context.RequestAborted) is { } part)
            {
                DicomPart10Header header = await DicomPart10Header.ReadAsync(part.Body, cancellationToken: context.RequestAborted);
                string uid = header.SopInstanceUid!;
                response.Add(
                    uid == TestStudies.Instance(1) ? StowInstanceResult.Stored(header.SopClassUid!, uid)
                    : uid == TestStudies.Instance(2) ? StowInstanceResult.Failed(header.SopClassUid, uid, StowFailureReason.ProcessingFailure)
                    : StowInstanceResult.Failed(header.SopClassUid, uid, StowFailureReason.OutOfResources));
            }

            context.Response.StatusCode = response.StatusCode;
            context.Response.ContentType = "application/dicom+json";
            await context.Response.WriteAsync(response.ToJson(), context.RequestAborted);
        });
        app.MapGet("/dicom-web/studies", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/dicom+json";
            await context.Response.WriteAsync("""[{"0020000D":{"vr":"UI","Value":["1.2.3"]}},{"00100020":{"vr":"LO","Val""", context.RequestAborted);
        });
        string instances = "[" + string.Join(',', series.Select(i =>
            "{" + Uid("00080016", i.SopClassUid) + "," + Uid("00080018", i.SopInstanceUid) + "," + Uid("0020000D", i.StudyUid) + "," + Uid("0020000E", i.SeriesUid) + "}")) + "]";
        app.MapGet("/dicom-web/studies/{study}/series/{series}/instances", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/dicom+json";
            await context.Response.WriteAsync(instances, context.RequestAborted);
        });
        app.MapGet("/dicom-web/studies/{study}/series/{series}", async (HttpContext context) =>
        {
            const string boundary = "cut-short";
            context.Response.ContentType = $"multipart/related; type=\"application/dicom\"; boundary={boundary}";
            byte[] head = Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n");
            await context.Response.Body.WriteAsync(head, context.RequestAborted);
            await context.Response.Body.WriteAsync(first, context.RequestAborted);
            await context.Response.Body.WriteAsync(Encoding.ASCII.GetBytes($"\r\n--{boundary}\r\nContent-Type: application/dicom\r\n\r\n"), context.RequestAborted);
            await context.Response.Body.WriteAsync(first.AsMemory(0, first.Length / 2), context.RequestAborted);
        });
        await app.StartAsync();
        return app;
    }

    private static string Uid(string tag, string uid) => $$"""
        "{{tag}}":{"vr":"UI","Value":["{{uid}}"]}
        """;

    private static async Task<Gateway.Archive.Outbox.OutboxCounts> WaitForOutboxAsync(string dataDirectory, Func<Gateway.Archive.Outbox.OutboxCounts, bool> done)
    {
        DateTime end = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            Gateway.Archive.Outbox.OutboxCounts counts = Assert.Single(await Delivery.OutboxAsync(dataDirectory));
            if (done(counts))
            {
                return counts;
            }

            Assert.True(DateTime.UtcNow < end, "the outbox did not settle as expected: " + counts);
            await Task.Delay(200);
        }
    }
}
