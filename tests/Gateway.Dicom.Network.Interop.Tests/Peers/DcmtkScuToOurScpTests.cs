using Gateway.Dicom.IO;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Transport;
using TestPki = Gateway.Dicom.Network.Tests.Support.TestPki;

namespace Gateway.Dicom.Network.Interop.Tests.Peers;

/// <summary>
/// DCMTK's storescu, echoscu and getscu against our SCP with the proposals real modalities make: small and large PDUs,
/// implicit VR only, big endian, deflate, compressed transfer syntaxes, and TLS with and without a client certificate.
/// Every instance received is compared with what was sent.
/// </summary>
public sealed class DcmtkScuToOurScpTests : IClassFixture<DcmtkFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public DcmtkScuToOurScpTests(DcmtkFixture dcmtk)
    {
        Assert.NotNull(dcmtk.Version);
    }

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, string> Proposals() => new()
    {
        // storescu option, the transfer syntax our SCP chooses from what it proposes (ours: explicit LE first).
        { "-xe", DicomTransferSyntax.ExplicitVRLittleEndian.Uid.Value },
        { "-xi", DicomTransferSyntax.ImplicitVRLittleEndian.Uid.Value },
        { "-xb", DicomTransferSyntax.ExplicitVRLittleEndian.Uid.Value },
        { "-xd", DicomTransferSyntax.DeflatedExplicitVRLittleEndian.Uid.Value },
        { "--max-pdu=4096", DicomTransferSyntax.ExplicitVRLittleEndian.Uid.Value },
        { "--max-pdu=131072", DicomTransferSyntax.ExplicitVRLittleEndian.Uid.Value },
    };

    [Theory]
    [MemberData(nameof(Proposals))]
    public async Task Storescu_Proposal_IsStoredInTheChosenSyntaxAndEqualsWhatWasSent(string option, string expectedSyntax)
    {
        string sent = await TestStudies.Large(1).WriteAsync(_temp.Sub("source"));
        await using QueryRetrieveHost host = await QueryRetrieveHost.StartAsync(_temp.Sub("store"));

        string[] args = option.StartsWith("--max-pdu=", StringComparison.Ordinal) ? ["--max-pdu", option["--max-pdu=".Length..]] : [option];
        (await ExternalTool.RunAsync("storescu", [.. host.Calling(), .. args, "127.0.0.1", host.PortText, sent])).EnsureSuccess();

        string received = Normalized.SingleFile(host.Directory);
        (_, DicomTransferSyntax syntax, _) = await DicomFiles.ReadAsync(received);
        Assert.Equal(expectedSyntax, syntax.Uid.Value);
        Assert.Equal(
            await Normalized.ExplicitLittleEndianDataSetAsync(sent, _temp.Sub("scratch")),
            await Normalized.ExplicitLittleEndianDataSetAsync(received, _temp.Sub("scratch")));
    }

    [Fact]
    public async Task Storescu_BigEndianToAnScpAcceptingOnlyThat_IsConvertedStoredBigEndianAndEqualsWhatWasSent()
    {
        string sent = await TestStudies.Large(2).WriteAsync(_temp.Sub("source"));
        AssociationAcceptancePolicy policy = QueryRetrieveHost.Policy() with
        {
            StorageTransferSyntaxes = [DicomTransferSyntax.ExplicitVRBigEndian],
        };
        await using QueryRetrieveHost host = await QueryRetrieveHost.StartAsync(_temp.Sub("store"), policy: policy);

        (await ExternalTool.RunAsync("storescu", [.. host.Calling(), "-xb", "127.0.0.1", host.PortText, sent])).EnsureSuccess();

        string received = Normalized.SingleFile(host.Directory);
        (_, DicomTransferSyntax syntax, _) = await DicomFiles.ReadAsync(received);
        Assert.Equal(DicomTransferSyntax.ExplicitVRBigEndian, syntax);
        Assert.Equal(
            await Normalized.ExplicitLittleEndianDataSetAsync(sent, _temp.Sub("scratch")),
            await Normalized.ExplicitLittleEndianDataSetAsync(received, _temp.Sub("scratch")));

        // dcmdump reads our big-endian file without a complaint.
        ToolResult dump = (await ExternalTool.RunAsync("dcmdump", "-q", received)).EnsureSuccess();
        Assert.Empty(dump.StandardError);
    }

    [Theory]
    [InlineData("dcmcjpeg", "+e1", "-xs", "1.2.840.10008.1.2.4.70")]
    [InlineData("dcmcjpls", "+el", "-xt", "1.2.840.10008.1.2.4.80")]
    [InlineData("dcmcrle", "-q", "-xr", "1.2.840.10008.1.2.5")]
    public async Task Storescu_CompressedProposal_IsStoredAsSentWithoutDecoding(string compressor, string compressorOption, string proposal, string syntaxUid)
    {
        string original = await TestStudies.Large(3).WriteAsync(_temp.Sub("original"));
        string sent = Path.Combine(_temp.Sub("source"), "compressed.dcm");
        (await ExternalTool.RunAsync(compressor, compressorOption, original, sent)).EnsureSuccess();
        await using QueryRetrieveHost host = await QueryRetrieveHost.StartAsync(_temp.Sub("store"));

        (await ExternalTool.RunAsync("storescu", [.. host.Calling(), proposal, "127.0.0.1", host.PortText, sent])).EnsureSuccess();

        string received = Normalized.SingleFile(host.Directory);
        (_, DicomTransferSyntax sentSyntax, byte[] sentDataSet) = await DicomFiles.ReadAsync(sent);
        (_, DicomTransferSyntax receivedSyntax, byte[] receivedDataSet) = await DicomFiles.ReadAsync(received);
        Assert.Equal(syntaxUid, sentSyntax.Uid.Value);
        Assert.Equal(syntaxUid, receivedSyntax.Uid.Value);
        Assert.Equal(sentDataSet, receivedDataSet);
    }

    [Fact]
    public async Task Storescu_ToAnScpAnnouncingTheSmallestPdu_FragmentsAndArrivesIntact()
    {
        string source = _temp.Sub("source");
        string sent = await TestStudies.Large(4).WriteAsync(source);
        var server = new DicomServerOptions { Association = new AssociationOptions { Limits = new PduLimits { MaxDataPduLength = 4096 } } };
        await using QueryRetrieveHost host = await QueryRetrieveHost.StartAsync(_temp.Sub("store"), server: server);

        ToolResult store = (await ExternalTool.RunAsync("storescu", [.. host.Calling(), "-d", "127.0.0.1", host.PortText, sent])).EnsureSuccess();

        Assert.Contains("Their Max PDU Receive Size:  4096", store.Output, StringComparison.Ordinal);
        (_, _, byte[] sentDataSet) = await DicomFiles.ReadAsync(sent);
        (_, _, byte[] receivedDataSet) = await DicomFiles.ReadAsync(Normalized.SingleFile(host.Directory));
        Assert.Equal(sentDataSet, receivedDataSet);
    }

    [Fact]
    public async Task Getscu_WithTheSmallestPdu_ReceivesLargeInstancesIntact()
    {
        string store = _temp.Sub("store");
        TestInstance[] instances = [TestStudies.Large(5), TestStudies.Large(6)];
        foreach (TestInstance instance in instances)
        {
            await instance.WriteAsync(store);
        }

        await using QueryRetrieveHost host = await QueryRetrieveHost.StartAsync(store);
        string retrieved = _temp.Sub("retrieved");

        (await ExternalTool.RunAsync(
            "getscu", [.. host.Calling(), "--max-pdu", "4096", "-S", "-od", retrieved, "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + TestStudies.LargeStudy, "127.0.0.1", host.PortText]))
            .EnsureSuccess();

        Dictionary<string, byte[]> sent = await DicomFiles.ReadDirectoryAsync(store);
        Dictionary<string, byte[]> received = await DicomFiles.ReadDirectoryAsync(retrieved);
        Assert.Equal(sent.Keys.Order(StringComparer.Ordinal), received.Keys.Order(StringComparer.Ordinal));
        Assert.All(sent, pair => Assert.Equal(pair.Value, received[pair.Key]));
    }

    [Fact]
    public async Task EchoscuAndStorescu_OverTlsWithAClientCertificate_Succeed()
    {
        using var pki = new TestPki();
        string source = _temp.Sub("source");
        await TestStudies.WriteAllAsync(source);
        await using QueryRetrieveHost host = await QueryRetrieveHost.StartAsync(_temp.Sub("store"), server: TlsServer(pki));
        string[] tls = ["+tls", pki.Client.Key, pki.Client.Cert, "-pw", "+cf", pki.CaFile];

        (await ExternalTool.RunAsync("echoscu", [.. host.Calling(), .. tls, "127.0.0.1", host.PortText])).EnsureSuccess();
        (await ExternalTool.RunAsync("storescu", [.. host.Calling(), .. tls, "+sd", "127.0.0.1", host.PortText, source])).EnsureSuccess();

        Dictionary<string, byte[]> sent = await DicomFiles.ReadDirectoryAsync(source);
        Dictionary<string, byte[]> received = await DicomFiles.ReadDirectoryAsync(host.Directory);
        Assert.Equal(sent.Keys.Order(StringComparer.Ordinal), received.Keys.Order(StringComparer.Ordinal));
        Assert.All(sent, pair => Assert.Equal(pair.Value, received[pair.Key]));
    }

    [Fact]
    public async Task Dcmtk_TlsWithoutClientCertificateOrFromAnotherCaOrPlain_IsRefusedAndTheScpKeepsServing()
    {
        using var pki = new TestPki();
        string sent = await TestStudies.All[0].WriteAsync(_temp.Sub("source"));
        await using QueryRetrieveHost host = await QueryRetrieveHost.StartAsync(_temp.Sub("store"), server: TlsServer(pki));

        ToolResult anonymous = await ExternalTool.RunAsync("storescu", [.. host.Calling(), "+tla", "+cf", pki.CaFile, "127.0.0.1", host.PortText, sent]);
        ToolResult rogue = await ExternalTool.RunAsync("storescu", [.. host.Calling(), "+tls", pki.RogueClient.Key, pki.RogueClient.Cert, "-pw", "+cf", pki.CaFile, "127.0.0.1", host.PortText, sent]);
        ToolResult plain = await ExternalTool.RunAsync("storescu", [.. host.Calling(), "127.0.0.1", host.PortText, sent]);
        ToolResult untrustedServer = await ExternalTool.RunAsync("echoscu", [.. host.Calling(), "+tls", pki.Client.Key, pki.Client.Cert, "-pw", "+cf", pki.RogueCaFile, "127.0.0.1", host.PortText]);

        Assert.All([anonymous, rogue, plain, untrustedServer], r => Assert.True(r.ExitCode != 0, r.ToString()));
        Assert.Empty(Directory.GetFiles(host.Directory));
        (await ExternalTool.RunAsync("echoscu", [.. host.Calling(), "+tls", pki.Client.Key, pki.Client.Cert, "-pw", "+cf", pki.CaFile, "127.0.0.1", host.PortText]))
            .EnsureSuccess();
    }

    private static DicomServerOptions TlsServer(TestPki pki) => new() { Tls = pki.Options(pki.Server) };
}
