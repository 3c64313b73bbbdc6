using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Services;
using Gateway.Dicom.Network.Tests.Support;

namespace Gateway.Dicom.Network.Tests.Services;

/// <summary>C-STORE through our client to our server (and to a fake acceptor that checks the fragmentation).</summary>
public sealed class DicomStoreSenderTests
{
    private const string InstanceUid = "1.2.826.0.1.3680043.9.7.100";

    [Theory]
    [InlineData(4096u, false)]
    [InlineData(1024u * 1024, false)]
    [InlineData(4096u, true)]
    [InlineData(1024u * 1024, true)]
    public async Task StoreFileAsync_20MBDataSet_StoredDataSetEqualsSentByteForByte(uint serverMaxPdu, bool handlersOnReceiveThread)
    {
        // 20 MB runs past the data set pipe's 1 MiB threshold many times: backpressure with either handler scheduling.
        using var source = new TempDirectory();
        string file = await TestFiles.CreateAsync(source.File("big.dcm"), TestPdus.SecondaryCapture, InstanceUid, 20 * 1024 * 1024);
        var options = new DicomServerOptions
        {
            Association = new AssociationOptions { Limits = new PduLimits { MaxDataPduLength = serverMaxPdu }, RunHandlersOnReceiveThread = handlersOnReceiveThread },
        };
        await using TestServer server = await TestServer.StartAsync(options);
        await using DicomAssociation association = await server.ConnectAsync(TestServer.Request(TestPdus.SecondaryCapture));
        Assert.Equal(serverMaxPdu, association.PeerMaxPduLength);

        DimseResponse response = await DicomStoreSender.StoreFileAsync(association, file);

        Assert.Equal(DimseStatus.Success, response.Status);
        Assert.Equal(InstanceUid, response.Command.AffectedSopInstanceUid);
        string stored = Path.Combine(server.Store.Path, InstanceUid + ".dcm");
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, await TestFiles.SyntaxAsync(stored));
        byte[] sent = await TestFiles.DatasetBytesAsync(file);
        byte[] received = await TestFiles.DatasetBytesAsync(stored);
        Assert.True(sent.Length > 20 * 1024 * 1024);
        Assert.True(sent.AsSpan().SequenceEqual(received), "the stored data set differs from the sent one");
        Assert.True(association.BytesSent > sent.Length);
        await association.ReleaseAsync();
        Assert.Empty(Directory.GetFiles(server.Store.Path, "*.partial"));
    }

    [Theory]
    [InlineData(4096u)]
    [InlineData(5001u)]
    public async Task StoreFileAsync_PeerWithSmallMaximumLength_EveryPDataPduWithinIt(uint peerMax)
    {
        using var source = new TempDirectory();
        string file = await TestFiles.CreateAsync(source.File("ct.dcm"), TestPdus.CTImageStorage, InstanceUid, 100_000);
        using var acceptor = new FakeAcceptor();
        Task<DicomAssociation> connecting = DicomClient.ConnectAsync(acceptor.ClientOptions(), TestServer.Request(TestPdus.CTImageStorage));
        await using FakePeer peer = await acceptor.AcceptAsync();
        AssociateRequestPdu rq = await peer.ReceiveAsync<AssociateRequestPdu>();
        await peer.SendAsync(new AssociateAcceptPdu
        {
            CalledAE = rq.CalledAE,
            CallingAE = rq.CallingAE,
            PresentationContexts = [new PresentationContextAnswer(1, PresentationContextResult.Acceptance, TestPdus.ExplicitLE)],
            UserInformation = new UserInformation { MaximumLength = peerMax, ImplementationClassUid = "1.2.3.4" },
        });
        await using DicomAssociation association = await connecting;

        Task<DimseResponse> storing = DicomStoreSender.StoreFileAsync(association, file);
        (DimseCommand command, byte[]? dataSet, byte contextId) = await peer.ReceiveMessageAsync();
        await peer.SendCommandAsync(contextId, new DimseCommand(new DicomDataset())
        {
            CommandField = DimseCommandField.CStoreResponse,
            MessageIdBeingRespondedTo = command.MessageId,
            AffectedSopClassUid = command.AffectedSopClassUid,
            AffectedSopInstanceUid = command.AffectedSopInstanceUid,
            HasDataSet = false,
            Status = DimseStatus.Success,
        });
        DimseResponse response = await storing;

        Assert.Equal(DimseStatus.Success, response.Status);
        Assert.Equal(DimseCommandField.CStoreRequest, command.CommandField);
        Assert.Equal(TestPdus.CTImageStorage, command.AffectedSopClassUid);
        Assert.Equal(InstanceUid, command.AffectedSopInstanceUid);
        Assert.Equal(await TestFiles.DatasetBytesAsync(file), dataSet);
        var dataPdus = peer.Received.Where(r => r.Type == PduType.DataTransfer).ToList();
        Assert.True(dataPdus.Count > 100_000 / (int)peerMax);
        Assert.All(dataPdus, r => Assert.InRange(r.Length, 1u, peerMax));

        Task release = association.ReleaseAsync();
        await peer.ReceiveAsync<ReleaseRequestPdu>();
        await peer.SendAsync(ReleaseResponsePdu.Instance);
        await release;
    }

    [Fact]
    public async Task StoreFileAsync_AcceptedSyntaxDiffersFromFile_TranscodedOnTheFly()
    {
        using var source = new TempDirectory();
        string file = await TestFiles.CreateAsync(source.File("ex.dcm"), TestPdus.SecondaryCapture, InstanceUid, 50_000, DicomTransferSyntax.ExplicitVRLittleEndian);
        await using TestServer server = await TestServer.StartAsync();
        AssociationRequest request = TestServer.Request() with
        {
            PresentationContexts = AssociationRequest.PresentationContextsFor([TestPdus.SecondaryCapture], [DicomTransferSyntax.ImplicitVRLittleEndian]),
        };
        await using DicomAssociation association = await server.ConnectAsync(request);

        DimseResponse response = await DicomStoreSender.StoreFileAsync(association, file);

        Assert.Equal(DimseStatus.Success, response.Status);
        string stored = Path.Combine(server.Store.Path, InstanceUid + ".dcm");
        Assert.Equal(DicomTransferSyntax.ImplicitVRLittleEndian, await TestFiles.SyntaxAsync(stored));
        DicomDataset original = await ReadAsync(file);
        DicomDataset copy = await ReadAsync(stored);
        Assert.Equal(original.GetString(DicomTags.SOPInstanceUID), copy.GetString(DicomTags.SOPInstanceUID));
        Assert.Equal(((DicomElement)original[DicomTags.PixelData]!).Value.ToArray(), ((DicomElement)copy[DicomTags.PixelData]!).Value.ToArray());
        await association.ReleaseAsync();
    }

    [Fact]
    public async Task StoreFileAsync_SeveralFilesOnOneAssociation_AllStored()
    {
        using var source = new TempDirectory();
        await using TestServer server = await TestServer.StartAsync();
        await using DicomAssociation association = await server.ConnectAsync(TestServer.Request(TestPdus.CTImageStorage));
        var stored = new List<string>();

        for (int i = 1; i <= 5; i++)
        {
            string uid = $"1.2.826.0.1.3680043.9.7.{200 + i}";
            string file = await TestFiles.CreateAsync(source.File($"{i}.dcm"), TestPdus.CTImageStorage, uid, i * 7919);
            Assert.Equal(DimseStatus.Success, (await DicomStoreSender.StoreFileAsync(association, file)).Status);
            stored.Add(uid);
        }

        await association.ReleaseAsync();
        Assert.Equal(stored.Order(), Directory.GetFiles(server.Store.Path).Select(Path.GetFileNameWithoutExtension).Order());
    }

    [Fact]
    public async Task StoreAsync_DataSetStreamInAnAcceptedSyntax_IsSentAsItIs()
    {
        using var source = new TempDirectory();
        string file = await TestFiles.CreateAsync(source.File("ct.dcm"), TestPdus.CTImageStorage, InstanceUid, 300_000);
        byte[] dataSet = await TestFiles.DatasetBytesAsync(file);
        await using TestServer server = await TestServer.StartAsync();
        await using DicomAssociation association = await server.ConnectAsync(TestServer.Request(TestPdus.CTImageStorage));

        DimseResponse response = await DicomStoreSender.StoreAsync(
            association, TestPdus.CTImageStorage, InstanceUid, DicomTransferSyntax.ExplicitVRLittleEndian, new Gateway.Dicom.Tests.Support.NonSeekableStream(dataSet, 7000));

        Assert.Equal(DimseStatus.Success, response.Status);
        string stored = Path.Combine(server.Store.Path, InstanceUid + ".dcm");
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, await TestFiles.SyntaxAsync(stored));
        Assert.Equal(dataSet, await TestFiles.DatasetBytesAsync(stored));
        await association.ReleaseAsync();
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2.1")]
    [InlineData("1.2.840.10008.1.2.1.99")]
    public async Task StoreAsync_DataSetStreamToAnImplicitOnlyPeer_IsReencodedOnTheFly(string sourceSyntax)
    {
        using var source = new TempDirectory();
        DicomTransferSyntax syntax = DicomTransferSyntax.Parse(sourceSyntax);
        string file = await TestFiles.CreateAsync(source.File("sc.dcm"), TestPdus.SecondaryCapture, InstanceUid, 60_000, syntax);
        await using TestServer server = await TestServer.StartAsync();
        AssociationRequest request = TestServer.Request() with
        {
            PresentationContexts = AssociationRequest.PresentationContextsFor([TestPdus.SecondaryCapture], [DicomTransferSyntax.ImplicitVRLittleEndian]),
        };
        await using DicomAssociation association = await server.ConnectAsync(request);

        DimseResponse response = await DicomStoreSender.StoreAsync(
            association, TestPdus.SecondaryCapture, InstanceUid, syntax, new Gateway.Dicom.Tests.Support.NonSeekableStream(await TestFiles.DatasetBytesAsync(file), 5000));

        Assert.Equal(DimseStatus.Success, response.Status);
        string stored = Path.Combine(server.Store.Path, InstanceUid + ".dcm");
        Assert.Equal(DicomTransferSyntax.ImplicitVRLittleEndian, await TestFiles.SyntaxAsync(stored));
        DicomDataset original = await ReadAsync(file);
        DicomDataset copy = await ReadAsync(stored);
        Assert.Equal(original.GetString(DicomTags.SOPInstanceUID), copy.GetString(DicomTags.SOPInstanceUID));
        Assert.Equal(((DicomElement)original[DicomTags.PixelData]!).Value.ToArray(), ((DicomElement)copy[DicomTags.PixelData]!).Value.ToArray());
        await association.ReleaseAsync();
    }

    private static async Task<DicomDataset> ReadAsync(string path)
    {
        await using DicomFileReader reader = await DicomFileReader.OpenAsync(path);
        return await reader.ReadDatasetAsync();
    }
}
