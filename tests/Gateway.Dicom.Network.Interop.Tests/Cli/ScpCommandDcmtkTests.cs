using System.Diagnostics;
using Gateway.Cli;
using Gateway.Dicom.Network.Interop.Tests.Support;

namespace Gateway.Dicom.Network.Interop.Tests.Cli;

/// <summary><c>gatewayctl dicom scp</c> as a real process, used by DCMTK's tools as dcmqrscp would be.</summary>
public sealed class ScpCommandDcmtkTests : IClassFixture<DcmtkFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public ScpCommandDcmtkTests(DcmtkFixture dcmtk)
    {
        Assert.NotNull(dcmtk.Version);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Scp_StoreFindMoveGetAndEcho_WorkAgainstDcmtk()
    {
        string source = _temp.Sub("source");
        string store = _temp.Sub("store");
        string received = _temp.Sub("received");
        string retrieved = _temp.Sub("retrieved");
        await TestStudies.WriteAllAsync(source);
        int destinationPort = FreePort.Next();
        int port = FreePort.Next();
        await using BackgroundTool storescp = await BackgroundTool.StartStorescpAsync("DEST", received, destinationPort);
        using Process scp = Gatewayctl.Start(
            "dicom", "scp", "--port", Text(port), "--aet", "GWCLI", "--out", store,
            "--peer", $"DEST=127.0.0.1:{Text(destinationPort)}");
        Task<string> errors = scp.StandardError.ReadToEndAsync();
        Task<string>? rest = null;
        try
        {
            string listening = await ReadLineAsync(scp, "listening on");

            // Keep draining its output (it logs every association), so that a full pipe never blocks it.
            rest = scp.StandardOutput.ReadToEndAsync();
            Assert.Contains("as GWCLI", listening, StringComparison.Ordinal);
            string[] calling = ["-aet", "DCMTKSCU", "-aec", "GWCLI"];

            (await ExternalTool.RunAsync("echoscu", [.. calling, "127.0.0.1", Text(port)])).EnsureSuccess();
            (await ExternalTool.RunAsync("storescu", [.. calling, "+sd", "127.0.0.1", Text(port), source])).EnsureSuccess();
            ToolResult find = await ExternalTool.RunAsync(
                "findscu", [.. calling, "-v", "-S", "-k", "QueryRetrieveLevel=SERIES", "-k", "StudyInstanceUID=" + TestStudies.Study1, "-k", "SeriesInstanceUID", "-k", "Modality", "127.0.0.1", Text(port)]);
            ToolResult move = await ExternalTool.RunAsync(
                "movescu", [.. calling, "-v", "-P", "-aem", "DEST", "-k", "QueryRetrieveLevel=PATIENT", "-k", "PatientID=P2", "127.0.0.1", Text(port)]);
            ToolResult get = await ExternalTool.RunAsync(
                "getscu", [.. calling, "-v", "-S", "-od", retrieved, "-k", "QueryRetrieveLevel=SERIES", "-k", "StudyInstanceUID=" + TestStudies.Study3, "-k", "SeriesInstanceUID=" + TestStudies.Series3Sc, "127.0.0.1", Text(port)]);

            FindscuOutput series = FindscuOutput.Parse(find.Output);
            Assert.Equal([TestStudies.Series1Ct, TestStudies.Series1Mr], series.Values("0020,000E"));
            Assert.All(series.Responses, r => Assert.Equal("GWCLI", r["0008,0054"]));
            Assert.Contains("Received Final Move Response (Success)", move.Output, StringComparison.Ordinal);
            Assert.Equal(
                [TestStudies.Instance(6), TestStudies.Instance(7)],
                (await DicomFiles.ReadDirectoryAsync(received)).Keys.Order(StringComparer.Ordinal));
            Assert.Contains("Received C-GET Response (Success)", get.Output, StringComparison.Ordinal);
            Assert.Equal([TestStudies.Instance(8)], (await DicomFiles.ReadDirectoryAsync(retrieved)).Keys);
        }
        finally
        {
            scp.Kill(entireProcessTree: true);
            await scp.WaitForExitAsync();
            await errors;
            if (rest is not null)
            {
                await rest;
            }
        }
    }

    [Theory]
    [InlineData("DEST")]
    [InlineData("DEST=127.0.0.1")]
    [InlineData("DEST=127.0.0.1:0")]
    [InlineData("=127.0.0.1:104")]
    [InlineData("DEST=:104")]
    [InlineData("THIS-AE-IS-TOO-LONG=127.0.0.1:104")]
    public async Task Scp_MalformedPeer_IsRefusedBeforeListening(string peer)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        int exit = await Program.RunAsync(["dicom", "scp", "--port", "0", "--out", _temp.Sub("store"), "--peer", peer], stdout, stderr);

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--peer", stderr.ToString(), StringComparison.Ordinal);
    }

    private static string Text(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // Reads the scp's standard output until a line containing `marker` (it prints "listening on ..." once ready).
    private static async Task<string> ReadLineAsync(Process process, string marker)
    {
        using var timeout = new CancellationTokenSource(ExternalTool.Timeout);
        while (true)
        {
            string? line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                Assert.Fail($"gatewayctl dicom scp ended before printing '{marker}'");
            }

            if (line.Contains(marker, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }
}
