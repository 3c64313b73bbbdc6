using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;

namespace Gateway.Host.Tests;

/// <summary>The gateway's two DIMSE legs and its HTTPS endpoint, on the embedded defaults with free ports.</summary>
[Collection(MetricsCollection.Name)]
public sealed class GatewayListenerTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Echo_PlainOnTheVlanLegAndMutualTlsOnTheClinicalLeg()
    {
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(_temp.Sub("gateway"));
        string clinical = gateway.ClinicalPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string key = Path.Combine(gateway.Certs, "client.key");
        string cert = Path.Combine(gateway.Certs, "client.crt");
        string ca = Path.Combine(gateway.Certs, "ca.crt");

        (await ExternalTool.RunAsync("echoscu", [.. gateway.Vlan(), "127.0.0.1", gateway.VlanPortText])).EnsureSuccess();
        (await ExternalTool.RunAsync("echoscu", [.. gateway.Vlan(), "+tls", key, cert, "+cf", ca, "127.0.0.1", clinical])).EnsureSuccess();
        ToolResult anonymous = await ExternalTool.RunAsync("echoscu", [.. gateway.Vlan(), "+tla", "+cf", ca, "127.0.0.1", clinical]);
        ToolResult plainOnTls = await ExternalTool.RunAsync("echoscu", [.. gateway.Vlan(), "127.0.0.1", clinical]);
        ToolResult tlsOnPlain = await ExternalTool.RunAsync("echoscu", [.. gateway.Vlan(), "+tls", key, cert, "+cf", ca, "127.0.0.1", gateway.VlanPortText]);
        ToolResult wrongAE = await ExternalTool.RunAsync("echoscu", ["-aet", "MODALITY", "-aec", "SOMEONE", "127.0.0.1", gateway.VlanPortText]);

        Assert.All([anonymous, plainOnTls, tlsOnPlain, wrongAE], r => Assert.True(r.ExitCode != 0, r.ToString()));
        Assert.Contains("Called AE Title Not Recognized", wrongAE.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_ServesHealthAndMetricsOverTls12Or13Only()
    {
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(_temp.Sub("gateway"));
        using var https = new GatewayHttps(gateway);
        HttpClient http = https.Http;

        using HttpResponseMessage live = await http.GetAsync("healthz/live");
        using HttpResponseMessage ready = await http.GetAsync("healthz/ready");
        string metrics = await http.GetStringAsync("metrics");
        // The client lowers its own security level so that only the server can refuse TLS 1.1.
        ToolResult tls11 = await ExternalTool.RunAsync("openssl", "s_client", "-connect", $"127.0.0.1:{gateway.HttpsPort}", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
        ToolResult tls12 = await ExternalTool.RunAsync("openssl", "s_client", "-connect", $"127.0.0.1:{gateway.HttpsPort}", "-tls1_2");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
        Assert.Contains("gateway_dimse_associations_active", metrics, StringComparison.Ordinal);
        Assert.Contains("alert protocol version", tls11.Output, StringComparison.Ordinal);
        Assert.Contains("Cipher is (NONE)", tls11.Output, StringComparison.Ordinal);
        Assert.Contains("Protocol  : TLSv1.2", tls12.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Cipher is (NONE)", tls12.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("67108865")]
    public async Task Start_WithAnAuditPreallocationOutOfRange_FailsNamingTheSetting(string value)
    {
        GatewayStartupException error = await Assert.ThrowsAsync<GatewayStartupException>(() => GatewayProcess.StartAsync(
            _temp.Sub("gateway"), new Dictionary<string, string?> { ["Gateway:Audit:SegmentPreallocationBytes"] = value }));

        Assert.Contains("Gateway:Audit:SegmentPreallocationBytes must be 0 to 67108864", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithTheVlanPortTaken_FailsWithAMessageNamingTheLegAndPort()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;

        GatewayStartupException error = await Assert.ThrowsAsync<GatewayStartupException>(() => GatewayProcess.StartAsync(
            _temp.Sub("gateway"), new Dictionary<string, string?> { ["Gateway:Vlan:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) }));

        Assert.Contains($"vlan leg cannot listen on 127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void DevelopmentPki_KeysAreOwnerOnlyAndTheServerCertificateNamesThisHost()
    {
        string certs = GatewayProcess.CreatePki(_temp.Sub("gateway"));

        foreach (string key in Directory.GetFiles(certs, "*.key"))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(certs));
        using X509Certificate2 server = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(certs, "gateway.crt")));
        Assert.True(server.MatchesHostname("localhost"));
        Assert.True(server.MatchesHostname("127.0.0.1"));
        Assert.False(Pki.DevelopmentPki.EnsureCreated(certs));
    }

    [Fact]
    public async Task DevelopmentPki_FilesEndWithANewline_SoACertificateAndItsKeyConcatenateIntoOnePemOpenSslReads()
    {
        // Orthanc's SslCertificate (and many proxies) want the certificate and its key in one file: `cat crt key`.
        string certs = GatewayProcess.CreatePki(_temp.Sub("gateway"));
        foreach (string file in Directory.GetFiles(certs))
        {
            Assert.EndsWith("-----\n", File.ReadAllText(file), StringComparison.Ordinal);
        }

        string combined = Path.Combine(_temp.Path, "server.pem");
        await File.WriteAllTextAsync(combined, File.ReadAllText(Path.Combine(certs, "gateway.crt")) + File.ReadAllText(Path.Combine(certs, "gateway.key")));
        ToolResult certificate = await ExternalTool.RunAsync("openssl", "x509", "-in", combined, "-noout", "-subject");
        ToolResult key = await ExternalTool.RunAsync("openssl", "pkey", "-in", combined, "-noout");

        Assert.True(certificate.ExitCode == 0, certificate.StandardError);
        Assert.True(key.ExitCode == 0, key.StandardError);
    }
}
