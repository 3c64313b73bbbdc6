using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Services;
using Gateway.Dicom.Network.Tests.Support;
using Gateway.Dicom.Network.Transport;

namespace Gateway.Dicom.Network.Tests.Transport;

/// <summary>
/// DICOM over TLS (PS3.15 B) between our client and our server with a throwaway PKI: mutual authentication against
/// configured CAs only, host names, expiry, CRLs and protocol versions.
/// </summary>
public sealed class DicomTlsTests(TestPki pki) : IClassFixture<TestPki>
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task MutualTls_Echo_Succeeds(string host)
    {
        await using TestServer server = await StartAsync(pki.Options(pki.Server));

        await using DicomAssociation association = await ConnectAsync(server, pki.Options(pki.Client), host);

        Assert.Equal(DimseStatus.Success, await association.EchoAsync());
        Assert.Contains("CN=localhost", association.PeerCertificate?.Subject, StringComparison.Ordinal);
        DicomAssociation accepted = Assert.Single(await server.WaitForEstablishedAsync(1));
        Assert.Contains("CN=modality", accepted.PeerCertificate?.Subject, StringComparison.Ordinal);
        await association.ReleaseAsync();
    }

    [Fact]
    public async Task ClientCertificateFromUntrustedCa_Refused()
    {
        await using TestServer server = await StartAsync(pki.Options(pki.Server));

        await AssertRefusedAsync(server, pki.Options(pki.RogueClient) with { TrustedCaFiles = [pki.CaFile] });
    }

    [Fact]
    public async Task ExpiredClientCertificate_Refused()
    {
        await using TestServer server = await StartAsync(pki.Options(pki.Server));

        await AssertRefusedAsync(server, pki.Options(pki.ExpiredClient));
    }

    [Fact]
    public async Task ClientWithoutCertificate_Refused()
    {
        await using TestServer server = await StartAsync(pki.Options(pki.Server));
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.EndPoint);
        await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));

        Exception? failure = await Record.ExceptionAsync(async () =>
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            });
            await ssl.WriteAsync(PduWriter.Encode(TestServer.RequestPdu()));
            byte[] buffer = new byte[64];
            if (await ssl.ReadAsync(buffer) == 0)
            {
                throw new EndOfStreamException("closed");
            }
        });

        Assert.NotNull(failure);
        Assert.Empty(server.Established);
    }

    [Fact]
    public async Task ServerCertificateNotNamingHost_RefusedByClient()
    {
        await using TestServer server = await StartAsync(pki.Options(pki.WrongHostServer));

        var ex = await Assert.ThrowsAsync<AuthenticationException>(() => ConnectAsync(server, pki.Options(pki.Client), "127.0.0.1"));

        Assert.Contains("does not name the host", ex.Message, StringComparison.Ordinal);
        Assert.Empty(server.Established);
    }

    [Fact]
    public async Task ServerCertificateNotNamingHost_AcceptedWhenNameCheckDisabled()
    {
        await using TestServer server = await StartAsync(pki.Options(pki.WrongHostServer));

        await using DicomAssociation association = await ConnectAsync(server, pki.Options(pki.Client) with { CheckServerName = false }, "127.0.0.1");

        Assert.Equal(DimseStatus.Success, await association.EchoAsync());
        await association.ReleaseAsync();
    }

    [Fact]
    public async Task ExpiredServerCertificate_RefusedByClient()
    {
        await using TestServer server = await StartAsync(pki.Options(pki.ExpiredServer));

        var ex = await Assert.ThrowsAsync<AuthenticationException>(() => ConnectAsync(server, pki.Options(pki.Client), "localhost"));

        Assert.Contains("does not chain to a trusted CA", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerCertificateFromUntrustedCa_RefusedByClient()
    {
        await using TestServer server = await StartAsync(pki.Options(pki.RogueServer));

        var ex = await Assert.ThrowsAsync<AuthenticationException>(() => ConnectAsync(server, pki.Options(pki.Client), "localhost"));

        Assert.Contains("does not chain to a trusted CA", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientCertificateRevokedByCrl_Refused()
    {
        await using TestServer server = await StartAsync(pki.Options(pki.Server) with { CrlFiles = [pki.CrlRevokingClientFile] });

        await AssertRefusedAsync(server, pki.Options(pki.Client));
    }

    [Fact]
    public async Task ClientCertificateNotInCrl_Accepted()
    {
        await using TestServer server = await StartAsync(pki.Options(pki.Server) with { CrlFiles = [pki.CrlRevokingOtherFile] });

        await using DicomAssociation association = await ConnectAsync(server, pki.Options(pki.Client), "localhost");

        Assert.Equal(DimseStatus.Success, await association.EchoAsync());
        await association.ReleaseAsync();
    }

    [Fact]
    public void CrlFromCaNotTrusted_RefusedAtStartup()
    {
        var options = new DicomServerOptions { Port = 0, Tls = pki.Options(pki.Server) with { CrlFiles = [pki.RogueCrlFile] } };

        Assert.Throws<InvalidDataException>(() => new DicomServer(options, TestServer.DefaultPolicy, () => new DimseServiceDispatcher()));
    }

    [Fact]
    public void Protocols_AreTls12And13Only()
    {
#pragma warning disable SYSLIB0039 // TLS 1.0/1.1 are named here only to check they are excluded.
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, DicomTlsOptions.Protocols);
        Assert.Equal(SslProtocols.None, DicomTlsOptions.Protocols & (SslProtocols.Tls | SslProtocols.Tls11));
#pragma warning restore SYSLIB0039
    }

    [Theory]
    [InlineData(0x0300)] // SSL 3.0
    [InlineData(0x0301)] // TLS 1.0
    [InlineData(0x0302)] // TLS 1.1
    public async Task ClientHelloBelowTls12_RefusedWithoutServerHello(ushort version)
    {
        // A hand-made ClientHello (RFC 5246 7.4.1.2), so the test does not depend on the local OpenSSL still offering old versions.
        await using TestServer server = await StartAsync(pki.Options(pki.Server));

        byte[] answer = await SendClientHelloAsync(server, version);

        // Either a fatal alert (content type 21, level 2) or a closed connection: never a ServerHello. TLS 1.0 and 1.1
        // get protocol_version (70); SSL 3.0 is not even parsed as a version any more (handshake_failure, 40).
        Assert.True(answer.Length == 0 || answer[0] == 0x15, $"answer {Convert.ToHexString(answer)}");
        if (answer.Length >= 7)
        {
            Assert.Equal(2, answer[5]);
            Assert.Equal(version >= 0x0301 ? 70 : 40, answer[6]);
        }

        Assert.Empty(server.Established);
    }

    [Fact]
    public async Task ClientHelloTls12_AnsweredWithServerHello()
    {
        // The control for the test above: the same hand-made hello offering TLS 1.2 gets a ServerHello.
        await using TestServer server = await StartAsync(pki.Options(pki.Server));

        byte[] answer = await SendClientHelloAsync(server, 0x0303);

        Assert.True(answer.Length >= 6, $"answer {Convert.ToHexString(answer)}");
        Assert.Equal(0x16, answer[0]); // handshake record
        Assert.Equal(0x02, answer[5]); // ServerHello
    }

    private static async Task<TestServer> StartAsync(DicomTlsOptions tls) =>
        await TestServer.StartAsync(new DicomServerOptions { Tls = tls });

    private static Task<DicomAssociation> ConnectAsync(TestServer server, DicomTlsOptions tls, string host) =>
        DicomClient.ConnectAsync(
            new DicomClientOptions { Host = host, Port = server.EndPoint.Port, Tls = tls, Association = new AssociationOptions { ArtimTimeout = TimeSpan.FromSeconds(10) } },
            TestServer.Request(TestPdus.Verification));

    private static async Task AssertRefusedAsync(TestServer server, DicomTlsOptions clientTls)
    {
        Exception? failure = await Record.ExceptionAsync(async () =>
        {
            await using DicomAssociation association = await ConnectAsync(server, clientTls, "localhost");
            await association.EchoAsync();
        });

        // With TLS 1.3 the client may finish its handshake before the server has checked its certificate: the
        // refusal then shows as a failed read on the association request.
        Assert.True(
            failure is AuthenticationException or IOException or DicomAssociationAbortedException,
            $"expected a refused connection, got {failure?.GetType().Name ?? "success"}: {failure?.Message}");
        Assert.Empty(server.Established);
    }

    private static async Task<byte[]> SendClientHelloAsync(TestServer server, ushort version)
    {
        var hello = new PduBytes()
            .U16(version)
            .Raw(new byte[32]) // random
            .U8(0) // session id
            .U16(8).U16(0xC02B).U16(0xC009).U16(0xC013).U16(0x002F) // cipher suites
            .U8(1).U8(0) // compression: null
            .U16(22)
            .U16(0x000A).U16(4).U16(2).U16(0x0017) // supported_groups: secp256r1
            .U16(0x000B).U16(2).U8(1).U8(0) // ec_point_formats: uncompressed
            .U16(0x000D).U16(4).U16(2).U16(0x0403) // signature_algorithms: ecdsa_secp256r1_sha256
            .ToArray();
        byte[] handshake = [0x01, 0x00, (byte)(hello.Length >> 8), (byte)hello.Length, .. hello];
        byte[] record = [0x16, 0x03, 0x01, (byte)(handshake.Length >> 8), (byte)handshake.Length, .. handshake];

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.EndPoint);
        await socket.SendAsync(record);
        var answer = new List<byte>();
        byte[] buffer = new byte[4096];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (answer.Count < 7)
            {
                int n = await socket.ReceiveAsync(buffer, cts.Token);
                if (n == 0)
                {
                    break;
                }

                answer.AddRange(buffer.AsSpan(0, n));
            }
        }
        catch (SocketException)
        {
            // Reset by the server: refused.
        }

        return [.. answer];
    }
}
