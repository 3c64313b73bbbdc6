using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Services;
using Gateway.Dicom.Network.Tests.Support;

namespace Gateway.Dicom.Network.Tests;

/// <summary>
/// Our SCP (<see cref="DicomServer"/>, <see cref="DimseServiceDispatcher"/>, <see cref="DirectoryStoreService"/>) driven
/// through the Upper Layer state machine (PS3.8 9.2, Table 9-10) by a fake peer that breaks the rules on purpose.
/// </summary>
public sealed class DicomServerTests
{
    [Fact]
    public async Task PDataBeforeAssociateRequest_AbortsUnexpectedPduAndCloses()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);

        await peer.SendCommandAsync(1, Echo(1));

        Assert.Equal(new AbortPdu(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu), await peer.ReceiveAsync<AbortPdu>());
        Assert.True(await peer.WaitForCloseAsync());
        Assert.Empty(server.Established);
    }

    [Theory]
    [InlineData(PduType.ReleaseRequest)]
    [InlineData(PduType.AssociateAccept)]
    public async Task OtherPduBeforeAssociateRequest_AbortsAndCloses(PduType type)
    {
        await using TestServer server = await TestServer.StartAsync();
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);

        await peer.SendAsync(type == PduType.ReleaseRequest
            ? ReleaseRequestPdu.Instance
            : new AssociateAcceptPdu { CalledAE = "A", CallingAE = "B", PresentationContexts = [], UserInformation = new UserInformation() });

        Assert.Equal(AbortSource.ServiceProvider, (await peer.ReceiveAsync<AbortPdu>()).Source);
        Assert.True(await peer.WaitForCloseAsync());
    }

    [Fact]
    public async Task GarbageBytes_AbortsUnrecognizedPduAndCloses()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);

        await peer.SendRawAsync("GET / HTTP/1.1\r\nHost: gateway\r\n\r\n"u8.ToArray());

        Assert.Equal(new AbortPdu(AbortSource.ServiceProvider, AbortReason.UnrecognizedPdu), await peer.ReceiveAsync<AbortPdu>());
        Assert.True(await peer.WaitForCloseAsync());
    }

    [Fact]
    public async Task MalformedAssociateRequest_AbortsInvalidParameterAndCloses()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);

        // An A-ASSOCIATE-RQ whose body is shorter than its 68 fixed bytes.
        await peer.SendRawAsync(PduBytes.Pdu(0x01, b => b.U16(1).Zeros(20)));

        Assert.Equal(new AbortPdu(AbortSource.ServiceProvider, AbortReason.InvalidPduParameterValue), await peer.ReceiveAsync<AbortPdu>());
        Assert.True(await peer.WaitForCloseAsync());
    }

    [Fact]
    public async Task AssociateRequestTwice_AbortsUnexpectedPduAndCloses()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);
        await peer.AssociateAsync();

        await peer.SendAsync(TestServer.RequestPdu());

        Assert.Equal(new AbortPdu(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu), await peer.ReceiveAsync<AbortPdu>());
        Assert.True(await peer.WaitForCloseAsync());
    }

    [Fact]
    public async Task NoAssociateRequestWithinArtim_ClosesConnection()
    {
        var options = new DicomServerOptions { Association = new AssociationOptions { ArtimTimeout = TimeSpan.FromMilliseconds(300) } };
        await using TestServer server = await TestServer.StartAsync(options);
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);

        Assert.True(await peer.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        Assert.Empty(peer.Received);
        await server.WaitForActiveAsync(0);
    }

    [Fact]
    public async Task PartialAssociateRequestThenSilence_ClosedAfterArtim()
    {
        var options = new DicomServerOptions { Association = new AssociationOptions { ArtimTimeout = TimeSpan.FromMilliseconds(300) } };
        await using TestServer server = await TestServer.StartAsync(options);
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);

        await peer.SendRawAsync(PduWriter.Encode(TestServer.RequestPdu())[..40]);

        Assert.True(await peer.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData(3)] // proposed, not accepted
    [InlineData(5)] // never proposed
    public async Task DataOnNonAcceptedContext_AbortsInvalidParameter(byte contextId)
    {
        await using TestServer server = await TestServer.StartAsync();
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);
        AssociateAcceptPdu ac = await peer.AssociateAsync(TestServer.RequestPdu(
            new PresentationContextProposal(1, TestPdus.Verification, [TestPdus.ImplicitLE]),
            new PresentationContextProposal(3, "1.2.3.4.5.6.7", [TestPdus.ImplicitLE])));
        Assert.Equal(PresentationContextResult.AbstractSyntaxNotSupported, ac.PresentationContexts.Single(p => p.Id == 3).Result);

        await peer.SendCommandAsync(contextId, Echo(1));

        Assert.Equal(new AbortPdu(AbortSource.ServiceProvider, AbortReason.InvalidPduParameterValue), await peer.ReceiveAsync<AbortPdu>());
        Assert.True(await peer.WaitForCloseAsync());
    }

    [Fact]
    public async Task StoreNamingAnotherSopClassThanItsContext_IsRefused0122AndNothingIsStored()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);
        await peer.AssociateAsync();
        var store = new DimseCommand(StoreRequest("1.2.3.4.5").Dataset) { AffectedSopClassUid = DicomUids.MRImageStorage.Value };

        await peer.SendCommandAsync(3, store);
        await peer.SendAsync(new DataTransferPdu([new PresentationDataValue(3, IsCommand: false, IsLast: true, SmallDataSet())]));
        (DimseCommand response, _, _) = await peer.ReceiveMessageAsync();
        await peer.SendCommandAsync(1, Echo(2));
        (DimseCommand echo, _, _) = await peer.ReceiveMessageAsync();

        Assert.Equal(DimseCommandField.CStoreResponse, response.CommandField);
        Assert.Equal(DimseStatus.SopClassNotSupported, response.Status);
        Assert.Equal("Affected SOP Class is not that of presentation context 3", response.ErrorComment);
        Assert.Equal(DimseStatus.Success, echo.Status);
        Assert.Empty(Directory.GetFiles(server.Store.Path));
    }

    [Fact]
    public async Task EchoNamingAStorageSopClass_IsRefused0122()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);
        await peer.AssociateAsync();

        await peer.SendCommandAsync(1, new DimseCommand(Echo(1).Dataset) { AffectedSopClassUid = TestPdus.CTImageStorage });
        (DimseCommand response, _, _) = await peer.ReceiveMessageAsync();

        Assert.Equal(DimseCommandField.CEchoResponse, response.CommandField);
        Assert.Equal(DimseStatus.SopClassNotSupported, response.Status);
    }

    [Fact]
    public async Task StoreByARequesterThatGaveUpItsScuRole_IsRefused0124()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);
        AssociateRequestPdu rq = TestPdus.Request("GATEWAY", "FAKE");
        rq = rq with { UserInformation = rq.UserInformation with { RoleSelections = [new RoleSelection(TestPdus.CTImageStorage, ScuRole: false, ScpRole: true)] } };
        AssociateAcceptPdu ac = await peer.AssociateAsync(rq);
        Assert.Equal(new RoleSelection(TestPdus.CTImageStorage, false, true), Assert.Single(ac.UserInformation.RoleSelections));

        await peer.SendCommandAsync(3, StoreRequest("1.2.3.4.6"));
        await peer.SendAsync(new DataTransferPdu([new PresentationDataValue(3, IsCommand: false, IsLast: true, SmallDataSet())]));
        (DimseCommand response, _, _) = await peer.ReceiveMessageAsync();

        Assert.Equal(DimseStatus.NotAuthorized, response.Status);
        Assert.Empty(Directory.GetFiles(server.Store.Path));
    }

    [Fact]
    public async Task DataSetFragmentWithoutCommand_AbortsUnexpectedParameter()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);
        await peer.AssociateAsync();

        await peer.SendAsync(new DataTransferPdu([new PresentationDataValue(1, IsCommand: false, IsLast: true, new byte[] { 8, 0, 0x16, 0, 0, 0, 0, 0 })]));

        Assert.Equal(new AbortPdu(AbortSource.ServiceProvider, AbortReason.UnexpectedPduParameter), await peer.ReceiveAsync<AbortPdu>());
        Assert.True(await peer.WaitForCloseAsync());
    }

    [Fact]
    public async Task MalformedCommandSet_AbortsInvalidParameter()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);
        await peer.AssociateAsync();

        // (0000,0100) declaring 200 bytes with 2 present.
        byte[] broken = [0x00, 0x00, 0x00, 0x01, 200, 0, 0, 0, 0x30, 0x00];
        await peer.SendAsync(new DataTransferPdu([new PresentationDataValue(1, IsCommand: true, IsLast: true, broken)]));

        Assert.Equal(new AbortPdu(AbortSource.ServiceProvider, AbortReason.InvalidPduParameterValue), await peer.ReceiveAsync<AbortPdu>());
        Assert.True(await peer.WaitForCloseAsync());
    }

    [Fact]
    public async Task EchoThenRelease_RespondsSuccessThenReleaseResponseAndCloses()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);
        await peer.AssociateAsync();

        await peer.SendCommandAsync(1, Echo(42));
        (DimseCommand response, byte[]? dataSet, byte contextId) = await peer.ReceiveMessageAsync();

        Assert.Equal(DimseCommandField.CEchoResponse, response.CommandField);
        Assert.Equal(42, response.MessageIdBeingRespondedTo);
        Assert.Equal(DimseStatus.Success, response.Status);
        Assert.Equal(TestPdus.Verification, response.AffectedSopClassUid);
        Assert.False(response.HasDataSet);
        Assert.Null(dataSet);
        Assert.Equal(1, contextId);

        await peer.SendAsync(ReleaseRequestPdu.Instance);
        await peer.ReceiveAsync<ReleaseResponsePdu>();
        Assert.True(await peer.WaitForCloseAsync());
    }

    [Fact]
    public async Task CommandSplitAcrossManyPdus_IsAssembled()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);
        await peer.AssociateAsync();

        byte[] command = Echo(7).Encode();
        for (int i = 0; i < command.Length; i += 5)
        {
            int n = Math.Min(5, command.Length - i);
            await peer.SendAsync(new DataTransferPdu([new PresentationDataValue(1, true, i + n == command.Length, command.AsMemory(i, n))]));
        }

        (DimseCommand response, _, _) = await peer.ReceiveMessageAsync();
        Assert.Equal(7, response.MessageIdBeingRespondedTo);
        Assert.Equal(DimseStatus.Success, response.Status);
    }

    [Fact]
    public async Task PeerAbortsMidAssociation_ServerKeepsServingNextAssociation()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using (FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint))
        {
            await peer.AssociateAsync(TestServer.RequestPdu(new PresentationContextProposal(1, TestPdus.CTImageStorage, [TestPdus.ExplicitLE])));

            // Abort in the middle of a C-STORE data set.
            var store = new DimseCommand(new DicomDataset())
            {
                CommandField = DimseCommandField.CStoreRequest,
                MessageId = 1,
                AffectedSopClassUid = TestPdus.CTImageStorage,
                AffectedSopInstanceUid = "1.2.3.4.5",
                HasDataSet = true,
            };
            await peer.SendCommandAsync(1, store);
            await peer.SendAsync(new DataTransferPdu([new PresentationDataValue(1, false, false, new byte[100])]));
            await peer.SendAsync(new AbortPdu(AbortSource.ServiceUser, AbortReason.NotSpecified));
            Assert.True(await peer.WaitForCloseAsync());
        }

        await using DicomAssociation next = await server.ConnectAsync();
        Assert.Equal(DimseStatus.Success, await next.EchoAsync());
        await next.ReleaseAsync();
        Assert.Empty(Directory.GetFiles(server.Store.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task TwoHundredIdleConnections_NormalAssociationStillSucceeds()
    {
        await using TestServer server = await TestServer.StartAsync(new DicomServerOptions { MaxAssociations = 256, MaxConnectionsPerAddress = 256 });
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < 200; i++)
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(server.EndPoint);
                idle.Add(socket);
            }

            await server.WaitForActiveAsync(200);
            await using DicomAssociation association = await server.ConnectAsync();

            Assert.Equal(DimseStatus.Success, await association.EchoAsync());
            await association.ReleaseAsync();
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }

        await server.WaitForActiveAsync(0);
    }

    [Fact]
    public async Task OnePeerHoldingConnectionsOpen_IsCappedPerAddressAndOthersAreStillServed()
    {
        // Slowloris from 127.0.0.2: connections that never send an A-ASSOCIATE-RQ.
        var attacker = IPAddress.Parse("127.0.0.2");
        await using TestServer server = await TestServer.StartAsync(new DicomServerOptions { MaxAssociations = 8, MaxConnectionsPerAddress = 4 });
        var refusals = new ConcurrentQueue<ConnectionRefusal>();
        server.Server.ConnectionRefused += refusals.Enqueue;
        var held = new List<FakePeer>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                held.Add(await FakePeer.ConnectAsync(server.EndPoint, attacker));
            }

            await server.WaitForActiveAsync(4);
            for (int i = 0; i < 3; i++)
            {
                await using FakePeer over = await FakePeer.ConnectAsync(server.EndPoint, attacker);
                Assert.True(await over.WaitForCloseAsync(TimeSpan.FromSeconds(5)), "a connection over the per-address limit must be closed at once");
            }

            Assert.Equal(4, server.Server.ActiveAssociations);
            ConnectionRefusal refusal = Assert.Single(refusals);
            Assert.Equal(new ConnectionRefusal(attacker, ConnectionLimit.Concurrent, 4, 0), refusal);

            // Another address is served while the attacker holds its four.
            await using (DicomAssociation association = await server.ConnectAsync())
            {
                Assert.Equal(DimseStatus.Success, await association.EchoAsync());
                await association.ReleaseAsync();
            }

            // Once one of the attacker's connections closes, the address may open one again.
            await held[0].DisposeAsync();
            held.RemoveAt(0);
            await server.WaitForActiveAsync(3);
            await using FakePeer again = await FakePeer.ConnectAsync(server.EndPoint, attacker);
            await again.AssociateAsync(TestServer.RequestPdu());
        }
        finally
        {
            foreach (FakePeer peer in held)
            {
                await peer.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ConnectionsPerMinuteFromOneAddress_OverTheLimitAreClosedAndReportedOnce()
    {
        var flooder = IPAddress.Parse("127.0.0.3");
        await using TestServer server = await TestServer.StartAsync(new DicomServerOptions { MaxConnectionsPerMinutePerAddress = 5 });
        var refusals = new ConcurrentQueue<ConnectionRefusal>();
        server.Server.ConnectionRefused += refusals.Enqueue;
        for (int i = 0; i < 5; i++)
        {
            await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint, flooder);
            await peer.AssociateAsync();
        }

        for (int i = 0; i < 20; i++)
        {
            await using FakePeer over = await FakePeer.ConnectAsync(server.EndPoint, flooder);
            Assert.True(await over.WaitForCloseAsync(TimeSpan.FromSeconds(5)), $"connection {6 + i} in the minute must be closed");
            Assert.Empty(over.Received);
        }

        Assert.Equal(new ConnectionRefusal(flooder, ConnectionLimit.PerMinute, 5, 0), Assert.Single(refusals));
        await using DicomAssociation association = await server.ConnectAsync();
        Assert.Equal(DimseStatus.Success, await association.EchoAsync());
        await association.ReleaseAsync();
    }

    [Fact]
    public async Task MoreConnectionsThanMaxAssociations_RejectsTransientLocalLimitExceeded()
    {
        await using TestServer server = await TestServer.StartAsync(new DicomServerOptions { MaxAssociations = 3 });
        var idle = new List<FakePeer>();
        for (int i = 0; i < 3; i++)
        {
            idle.Add(await FakePeer.ConnectAsync(server.EndPoint));
        }

        await server.WaitForActiveAsync(3);
        await using (FakePeer over = await FakePeer.ConnectAsync(server.EndPoint))
        {
            await over.SendAsync(TestServer.RequestPdu());

            // PS3.8 Table 9-21: rejected-transient, source 3 (service-provider, presentation), reason 2 (local limit exceeded).
            Assert.Equal(new AssociateRejectPdu(RejectResult.Transient, RejectSource.ServiceProviderPresentation, 2), await over.ReceiveAsync<AssociateRejectPdu>());
        }

        var rejected = await Assert.ThrowsAsync<DicomAssociationRejectedException>(() => server.ConnectAsync());
        Assert.Equal(AssociateRejectPdu.LocalLimitExceeded(), rejected.Reject);

        foreach (FakePeer peer in idle)
        {
            await peer.DisposeAsync();
        }

        await server.WaitForActiveAsync(0);
        await using DicomAssociation association = await server.ConnectAsync();
        Assert.Equal(DimseStatus.Success, await association.EchoAsync());
        await association.ReleaseAsync();
    }

    [Fact]
    public async Task PeerDeclaring4GBPduBeforeAssociation_AbortedAndServerServesNext()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using (FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint))
        {
            await peer.SendRawAsync([0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF]);

            Assert.Equal(new AbortPdu(AbortSource.ServiceProvider, AbortReason.InvalidPduParameterValue), await peer.ReceiveAsync<AbortPdu>());
            Assert.True(await peer.WaitForCloseAsync());
        }

        await using DicomAssociation next = await server.ConnectAsync();
        Assert.Equal(DimseStatus.Success, await next.EchoAsync());
        await next.ReleaseAsync();
    }

    [Fact]
    public async Task PeerDeclaring4GBPduOnAssociation_AbortedAndServerServesNext()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using (FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint))
        {
            await peer.AssociateAsync();

            await peer.SendRawAsync([0x04, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x10]);

            Assert.Equal(new AbortPdu(AbortSource.ServiceProvider, AbortReason.InvalidPduParameterValue), await peer.ReceiveAsync<AbortPdu>());
            Assert.True(await peer.WaitForCloseAsync());
        }

        await using DicomAssociation next = await server.ConnectAsync();
        Assert.Equal(DimseStatus.Success, await next.EchoAsync());
        await next.ReleaseAsync();
    }

    [Fact]
    public async Task PeerClosesWithoutRelease_ServerEndsAssociationAndServesNext()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using (FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint))
        {
            await peer.AssociateAsync();
        }

        await server.WaitForActiveAsync(0);
        await using DicomAssociation next = await server.ConnectAsync();
        Assert.Equal(DimseStatus.Success, await next.EchoAsync());
        await next.ReleaseAsync();
    }

    [Fact]
    public async Task RejectedRequest_ServerSendsRejectAndClosesAfterPeerCloses()
    {
        var policy = TestServer.DefaultPolicy with { RequireCalledAE = true };
        await using TestServer server = await TestServer.StartAsync(policy: policy);
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);

        await peer.SendAsync(TestPdus.Request(called: "NOT_US"));

        Assert.Equal(AssociateRejectPdu.CalledAETitleNotRecognized(), await peer.ReceiveAsync<AssociateRejectPdu>());
    }

    [Fact]
    public async Task ServerStop_AbortsEstablishedAssociations()
    {
        TestServer server = await TestServer.StartAsync();
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);
        await peer.AssociateAsync();

        await server.DisposeAsync();

        Assert.Equal(AbortSource.ServiceUser, (await peer.ReceiveAsync<AbortPdu>()).Source);
        Assert.True(await peer.WaitForCloseAsync());
    }

    [Fact]
    public async Task ReleaseRequestInsideDataSet_AbortsInsteadOfWaitingForever()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);
        await peer.AssociateAsync(TestServer.RequestPdu(new PresentationContextProposal(1, TestPdus.CTImageStorage, [TestPdus.ImplicitLE])));

        await peer.SendCommandAsync(1, StoreRequest("1.2.3.4.5"));
        await peer.SendAsync(new DataTransferPdu([new PresentationDataValue(1, false, false, new byte[] { 0x10, 0x00, 0x20, 0x00, 0x02, 0x00, 0x00, 0x00, 0x41, 0x20 })]));
        await peer.SendAsync(ReleaseRequestPdu.Instance);

        // The store can never complete: the release cannot be answered, so the association is aborted (not left hanging).
        Assert.Equal(new AbortPdu(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu), await peer.ReceiveAsync<AbortPdu>(TimeSpan.FromSeconds(10)));
        Assert.True(await peer.WaitForCloseAsync());
        await server.WaitForActiveAsync(0);
    }

    [Fact]
    public async Task PeerSilentWhileOurHandlerWorks_NotAbortedByDimseTimeout()
    {
        // A C-MOVE SCU is silent while the SCP moves: its silence is not a DIMSE timeout (that bounds waiting for a
        // response or the next fragment), only the idle timeout applies.
        var options = new DicomServerOptions { Association = new AssociationOptions { DimseTimeout = TimeSpan.FromMilliseconds(500), IdleTimeout = TimeSpan.FromSeconds(30) } };
        await using TestServer server = await TestServer.StartAsync(options, retrieve: new SlowMove(TimeSpan.FromSeconds(2)));
        await using DicomAssociation association = await server.ConnectAsync(TestServer.Request(TestPdus.StudyRootMove));

        var statuses = new List<DimseStatus>();
        await foreach (DimseResponse response in association.MoveAsync(TestPdus.StudyRootMove, new DicomDataset().SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, "STUDY"), "ARCHIVE"))
        {
            statuses.Add(response.Status);
        }

        Assert.Equal([DimseStatus.Success], statuses);
        await association.ReleaseAsync();
    }

    [Fact]
    public async Task PeerNeverReadsResponses_AssociationEndsAfterIdleTimeout()
    {
        var options = new DicomServerOptions { Association = new AssociationOptions { DimseTimeout = TimeSpan.FromSeconds(1), IdleTimeout = TimeSpan.FromSeconds(1) } };
        await using TestServer server = await TestServer.StartAsync(options, find: new EndlessBigMatches());
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);
        await peer.AssociateAsync(TestServer.RequestPdu(new PresentationContextProposal(1, TestPdus.StudyRootFind, [TestPdus.ImplicitLE])));
        var find = new DimseCommand(new DicomDataset())
        {
            CommandField = DimseCommandField.CFindRequest,
            MessageId = 1,
            AffectedSopClassUid = TestPdus.StudyRootFind,
            HasDataSet = true,
        };
        byte[] identifier = [0x08, 0x00, 0x52, 0x00, 0x06, 0x00, 0x00, 0x00, .. "STUDY "u8];

        await peer.SendCommandAsync(1, find);
        await peer.SendAsync(new DataTransferPdu([new PresentationDataValue(1, false, true, identifier)]));

        // The peer reads nothing: our writes block once the socket buffers are full. The association must still end.
        await server.WaitForActiveAsync(0);
    }

    private static DimseCommand StoreRequest(string instanceUid) => new(new DicomDataset())
    {
        CommandField = DimseCommandField.CStoreRequest,
        MessageId = 1,
        AffectedSopClassUid = TestPdus.CTImageStorage,
        AffectedSopInstanceUid = instanceUid,
        HasDataSet = true,
    };

    // An explicit VR LE data set holding one SOP Instance UID: what follows a C-STORE command in these tests.
    private static byte[] SmallDataSet() => [0x08, 0x00, 0x18, 0x00, (byte)'U', (byte)'I', 0x0A, 0x00, .. "1.2.3.4.5\0"u8];

    internal static DimseCommand Echo(ushort messageId) => new(new DicomDataset())
    {
        CommandField = DimseCommandField.CEchoRequest,
        MessageId = messageId,
        AffectedSopClassUid = TestPdus.Verification,
        HasDataSet = false,
    };

    /// <summary>A C-MOVE that takes a while before its only sub-operation completes.</summary>
    private sealed class SlowMove(TimeSpan delay) : IRetrieveService
    {
        public async IAsyncEnumerable<RetrieveProgress> MoveAsync(QueryRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(delay, cancellationToken);
            yield return new RetrieveProgress(0, 1, 0, 0, []);
        }

        public IAsyncEnumerable<RetrieveProgress> GetAsync(QueryRequest request, SubOperationSender sender, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    /// <summary>Matches of 8 KB each, without end.</summary>
    private sealed class EndlessBigMatches : IFindService
    {
        public async IAsyncEnumerable<DicomDataset> FindAsync(QueryRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            string big = new('x', 8192);
            while (true)
            {
                await Task.Yield();
                yield return new DicomDataset().SetString(DicomTags.StudyDescription, DicomVR.UT, big);
            }
        }
    }
}
