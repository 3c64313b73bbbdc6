using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Services;
using Gateway.Dicom.Network.Tests.Support;

namespace Gateway.Dicom.Network.Tests.Associations;

/// <summary>Our requester (<see cref="DicomClient"/>, <see cref="DicomAssociation.RequestAsync"/>) against a scripted acceptor.</summary>
public sealed partial class DicomAssociationTests
{
    [Theory]
    [InlineData(RejectResult.Permanent, RejectSource.ServiceUser, 7)]
    [InlineData(RejectResult.Permanent, RejectSource.ServiceProviderAcse, 2)]
    [InlineData(RejectResult.Transient, RejectSource.ServiceProviderPresentation, 2)]
    public async Task RequestAsync_AcceptorRejects_ThrowsRejectedWithItsFields(RejectResult result, RejectSource source, byte reason)
    {
        using var acceptor = new FakeAcceptor();
        Task<DicomAssociation> connecting = DicomClient.ConnectAsync(acceptor.ClientOptions(), TestServer.Request(TestPdus.Verification));
        await using FakePeer peer = await acceptor.AcceptAsync();

        AssociateRequestPdu rq = await peer.ReceiveAsync<AssociateRequestPdu>();
        await peer.SendAsync(new AssociateRejectPdu(result, source, reason));

        var ex = await Assert.ThrowsAsync<DicomAssociationRejectedException>(() => connecting);
        Assert.Equal(new AssociateRejectPdu(result, source, reason), ex.Reject);
        Assert.Equal("GATEWAY", rq.CalledAE);
        Assert.Equal("SCU", rq.CallingAE);
        Assert.True(await peer.WaitForCloseAsync());
    }

    [Fact]
    public async Task RequestAsync_AcceptChoosesSyntaxNeverOffered_AbortsInvalidParameter()
    {
        using var acceptor = new FakeAcceptor();
        Task<DicomAssociation> connecting = DicomClient.ConnectAsync(acceptor.ClientOptions(), TestServer.Request(TestPdus.Verification));
        await using FakePeer peer = await acceptor.AcceptAsync();

        AssociateRequestPdu rq = await peer.ReceiveAsync<AssociateRequestPdu>();
        Assert.DoesNotContain("1.2.840.10008.1.2.2", rq.PresentationContexts[0].TransferSyntaxes);
        await peer.SendAsync(Accept(rq, new PresentationContextAnswer(rq.PresentationContexts[0].Id, PresentationContextResult.Acceptance, "1.2.840.10008.1.2.2")));

        await Assert.ThrowsAsync<DicomAssociationAbortedException>(() => connecting);
        Assert.Equal(new AbortPdu(AbortSource.ServiceProvider, AbortReason.InvalidPduParameterValue), await peer.ReceiveAsync<AbortPdu>());
        Assert.True(await peer.WaitForCloseAsync());
    }

    [Fact]
    public async Task RequestAsync_AcceptAnswersContextNeverProposed_Aborts()
    {
        using var acceptor = new FakeAcceptor();
        Task<DicomAssociation> connecting = DicomClient.ConnectAsync(acceptor.ClientOptions(), TestServer.Request(TestPdus.Verification));
        await using FakePeer peer = await acceptor.AcceptAsync();

        AssociateRequestPdu rq = await peer.ReceiveAsync<AssociateRequestPdu>();
        await peer.SendAsync(Accept(rq, new PresentationContextAnswer(99, PresentationContextResult.Acceptance, TestPdus.ImplicitLE)));

        await Assert.ThrowsAsync<DicomAssociationAbortedException>(() => connecting);
        Assert.Equal(AbortSource.ServiceProvider, (await peer.ReceiveAsync<AbortPdu>()).Source);
    }

    [Fact]
    public async Task RequestAsync_AcceptAnswersSameContextTwice_AbortsInsteadOfCrashing()
    {
        using var acceptor = new FakeAcceptor();
        Task<DicomAssociation> connecting = DicomClient.ConnectAsync(acceptor.ClientOptions(), TestServer.Request(TestPdus.Verification));
        await using FakePeer peer = await acceptor.AcceptAsync();

        AssociateRequestPdu rq = await peer.ReceiveAsync<AssociateRequestPdu>();
        await peer.SendAsync(Accept(
            rq,
            new PresentationContextAnswer(1, PresentationContextResult.Acceptance, TestPdus.ImplicitLE),
            new PresentationContextAnswer(1, PresentationContextResult.Acceptance, TestPdus.ExplicitLE)));

        await Assert.ThrowsAsync<DicomAssociationAbortedException>(() => connecting);
        Assert.Equal(new AbortPdu(AbortSource.ServiceProvider, AbortReason.InvalidPduParameterValue), await peer.ReceiveAsync<AbortPdu>());
    }

    [Fact]
    public async Task RequestAsync_AcceptWithDuplicateRoleSelections_FirstOneCounts()
    {
        using var acceptor = new FakeAcceptor();
        AssociationRequest request = TestServer.Request(TestPdus.CTImageStorage) with { RoleSelections = [new RoleSelection(TestPdus.CTImageStorage, false, true)] };
        Task<DicomAssociation> connecting = DicomClient.ConnectAsync(acceptor.ClientOptions(), request);
        await using FakePeer peer = await acceptor.AcceptAsync();

        AssociateRequestPdu rq = await peer.ReceiveAsync<AssociateRequestPdu>();
        AssociateAcceptPdu ac = Accept(rq, new PresentationContextAnswer(1, PresentationContextResult.Acceptance, TestPdus.ExplicitLE));
        await peer.SendAsync(ac with
        {
            UserInformation = ac.UserInformation with
            {
                RoleSelections = [new RoleSelection(TestPdus.CTImageStorage, false, true), new RoleSelection(TestPdus.CTImageStorage, true, false)],
            },
        });

        await using DicomAssociation association = await connecting;
        NegotiatedPresentationContext context = Assert.Single(association.PresentationContexts);
        Assert.True(context.RequesterIsScp);
        Assert.False(context.RequesterIsScu);
    }

    [Fact]
    public async Task RequestAsync_NoAnswerWithinArtim_ThrowsAborted()
    {
        using var acceptor = new FakeAcceptor();
        var options = new AssociationOptions { ArtimTimeout = TimeSpan.FromMilliseconds(300) };
        Task<DicomAssociation> connecting = DicomClient.ConnectAsync(acceptor.ClientOptions(options), TestServer.Request(TestPdus.Verification));
        await using FakePeer peer = await acceptor.AcceptAsync();
        await peer.ReceiveAsync<AssociateRequestPdu>();

        var ex = await Assert.ThrowsAsync<DicomAssociationAbortedException>(() => connecting);

        Assert.Contains("no answer", ex.Message, StringComparison.Ordinal);
        Assert.True(await peer.WaitForCloseAsync());
    }

    [Fact]
    public async Task RequestAsync_AcceptorAborts_ThrowsAbortedWithTheAbort()
    {
        using var acceptor = new FakeAcceptor();
        Task<DicomAssociation> connecting = DicomClient.ConnectAsync(acceptor.ClientOptions(), TestServer.Request(TestPdus.Verification));
        await using FakePeer peer = await acceptor.AcceptAsync();
        await peer.ReceiveAsync<AssociateRequestPdu>();

        await peer.SendAsync(new AbortPdu(AbortSource.ServiceProvider, AbortReason.UnrecognizedPduParameter));

        var ex = await Assert.ThrowsAsync<DicomAssociationAbortedException>(() => connecting);
        Assert.Equal(new AbortPdu(AbortSource.ServiceProvider, AbortReason.UnrecognizedPduParameter), ex.Abort);
    }

    [Fact]
    public async Task RequestAsync_AcceptorClosesWithoutAnswer_ThrowsAborted()
    {
        using var acceptor = new FakeAcceptor();
        Task<DicomAssociation> connecting = DicomClient.ConnectAsync(acceptor.ClientOptions(), TestServer.Request(TestPdus.Verification));
        FakePeer peer = await acceptor.AcceptAsync();
        await peer.ReceiveAsync<AssociateRequestPdu>();

        await peer.DisposeAsync();

        await Assert.ThrowsAsync<DicomAssociationAbortedException>(() => connecting);
    }

    [Fact]
    public async Task RequestAsync_AcceptorAnswersWithPData_AbortsUnexpectedPdu()
    {
        using var acceptor = new FakeAcceptor();
        Task<DicomAssociation> connecting = DicomClient.ConnectAsync(acceptor.ClientOptions(), TestServer.Request(TestPdus.Verification));
        await using FakePeer peer = await acceptor.AcceptAsync();
        await peer.ReceiveAsync<AssociateRequestPdu>();

        await peer.SendAsync(new DataTransferPdu([new PresentationDataValue(1, true, true, new byte[] { 0 })]));

        await Assert.ThrowsAsync<DicomAssociationAbortedException>(() => connecting);
        Assert.Equal(new AbortPdu(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu), await peer.ReceiveAsync<AbortPdu>());
    }

    [Fact]
    public async Task RequestAsync_Accepted_ExposesNegotiatedContextsAndPeerLimits()
    {
        using var acceptor = new FakeAcceptor();
        AssociationRequest request = TestServer.Request(TestPdus.Verification, TestPdus.CTImageStorage) with
        {
            RoleSelections = [new RoleSelection(TestPdus.CTImageStorage, false, true)],
        };
        Task<DicomAssociation> connecting = DicomClient.ConnectAsync(acceptor.ClientOptions(), request);
        await using FakePeer peer = await acceptor.AcceptAsync();
        AssociateRequestPdu rq = await peer.ReceiveAsync<AssociateRequestPdu>();

        Assert.Equal([new RoleSelection(TestPdus.CTImageStorage, false, true)], rq.UserInformation.RoleSelections);
        Assert.Equal(PduLimits.Default.MaxDataPduLength, rq.UserInformation.MaximumLength);
        await peer.SendAsync(Accept(
            rq,
            4096,
            new PresentationContextAnswer(1, PresentationContextResult.Acceptance, TestPdus.ImplicitLE),
            new PresentationContextAnswer(3, PresentationContextResult.TransferSyntaxesNotSupported, string.Empty)) with
        {
            UserInformation = new UserInformation
            {
                MaximumLength = 4096,
                ImplementationClassUid = "1.2.3.4",
                ImplementationVersionName = "FAKE",
                RoleSelections = [new RoleSelection(TestPdus.CTImageStorage, false, true)],
            },
        });
        await using DicomAssociation association = await connecting;

        Assert.True(association.IsRequester);
        Assert.Equal(AssociationState.Sta6Established, association.State);
        Assert.Equal(4096u, association.PeerMaxPduLength);
        Assert.Equal("1.2.3.4", association.PeerImplementationClassUid);
        Assert.Equal("FAKE", association.PeerImplementationVersionName);
        Assert.Equal(DicomTransferSyntax.ImplicitVRLittleEndian, association.FindAcceptedContext(TestPdus.Verification)?.TransferSyntax);
        Assert.Null(association.FindAcceptedContext(TestPdus.CTImageStorage));
        Assert.Equal(PresentationContextResult.TransferSyntaxesNotSupported, association.PresentationContexts.Single(c => c.Id == 3).Result);
        Assert.Null(DicomStoreSender.ChooseContext(association, TestPdus.CTImageStorage, DicomTransferSyntax.ImplicitVRLittleEndian));
    }

    [Fact]
    public async Task ReleaseAsync_AcceptorAnswers_ReleasesAndCloses()
    {
        using var acceptor = new FakeAcceptor();
        (DicomAssociation association, FakePeer peer) = await EstablishWithFakeAcceptorAsync(acceptor);
        await using (peer)
        {
            Task release = association.ReleaseAsync();
            await peer.ReceiveAsync<ReleaseRequestPdu>();
            await peer.SendAsync(ReleaseResponsePdu.Instance);

            await release;
            Assert.Equal(AssociationState.Sta1Idle, association.State);
            await association.Completion;
            Assert.True(await peer.WaitForCloseAsync());
        }
    }

    [Fact]
    public async Task ReleaseAsync_NoAnswerWithinArtim_Aborts()
    {
        using var acceptor = new FakeAcceptor();
        (DicomAssociation association, FakePeer peer) = await EstablishWithFakeAcceptorAsync(acceptor, new AssociationOptions { ArtimTimeout = TimeSpan.FromMilliseconds(300) });
        await using (peer)
        {
            Task release = association.ReleaseAsync();
            await peer.ReceiveAsync<ReleaseRequestPdu>();

            await release;
            Assert.Equal(new AbortPdu(AbortSource.ServiceUser, AbortReason.NotSpecified), await peer.ReceiveAsync<AbortPdu>());
            Assert.True(await peer.WaitForCloseAsync());
        }
    }

    [Fact]
    public async Task ReleaseAsync_CollisionOnRequesterSide_AnswersThenCompletesOnResponse()
    {
        // PS3.8 9.2.3 and Table 9-10 (AR-8, AR-9, AR-3): the association-requester answers the colliding
        // A-RELEASE-RQ first (Sta9 -> Sta11), then takes the acceptor's A-RELEASE-RP.
        using var acceptor = new FakeAcceptor();
        (DicomAssociation association, FakePeer peer) = await EstablishWithFakeAcceptorAsync(acceptor);
        await using (peer)
        {
            Task release = association.ReleaseAsync();
            await peer.ReceiveAsync<ReleaseRequestPdu>();
            await peer.SendAsync(ReleaseRequestPdu.Instance);

            await peer.ReceiveAsync<ReleaseResponsePdu>();
            Assert.False(release.IsCompleted);
            await peer.SendAsync(ReleaseResponsePdu.Instance);

            await release;
            await association.Completion;
            Assert.True(await peer.WaitForCloseAsync());
            Assert.DoesNotContain(peer.Received, r => r.Type == PduType.Abort);
        }
    }

    [Fact]
    public async Task ReleaseAsync_CollisionOnAcceptorSide_WaitsForResponseThenAnswers()
    {
        // Our association acceptor releases (Sta7) and receives the requester's A-RELEASE-RQ: it waits in Sta10 for
        // the requester's A-RELEASE-RP, then answers with its own (AR-10, AR-4).
        var (serverStream, clientStream) = await LoopbackPairAsync();
        Task<DicomAssociation?> accepting = DicomAssociation.AcceptAsync(serverStream, TestServer.DefaultPolicy, new DimseServiceDispatcher());
        await using FakePeer requester = clientStream;
        await requester.AssociateAsync();
        await using DicomAssociation association = (await accepting)!;

        Task release = association.ReleaseAsync();
        await requester.ReceiveAsync<ReleaseRequestPdu>();
        await requester.SendAsync(ReleaseRequestPdu.Instance);
        using (var cts = new CancellationTokenSource(FakePeer.DefaultTimeout))
        {
            while (association.State != AssociationState.Sta10ReleaseCollisionAcceptor)
            {
                await Task.Delay(10, cts.Token);
            }
        }

        Assert.DoesNotContain(requester.Received, r => r.Type == PduType.ReleaseResponse);
        await requester.SendAsync(ReleaseResponsePdu.Instance);

        await requester.ReceiveAsync<ReleaseResponsePdu>();
        await release;
        Assert.True(await requester.WaitForCloseAsync());
    }

    [Fact]
    public async Task EstablishedRequester_AcceptorAborts_CompletionFaultsAndEchoFails()
    {
        using var acceptor = new FakeAcceptor();
        (DicomAssociation association, FakePeer peer) = await EstablishWithFakeAcceptorAsync(acceptor);
        await using (peer)
        await using (association)
        {
            await peer.SendAsync(new AbortPdu(AbortSource.ServiceUser, AbortReason.NotSpecified));

            var ex = await Assert.ThrowsAsync<DicomAssociationAbortedException>(() => association.Completion);
            Assert.Equal(new AbortPdu(AbortSource.ServiceUser, AbortReason.NotSpecified), ex.Abort);
            await Assert.ThrowsAsync<DicomAssociationAbortedException>(() => association.EchoAsync());
        }
    }

    [Fact]
    public async Task EstablishedRequester_AcceptorSendsAssociateRequest_AbortsUnexpectedPdu()
    {
        using var acceptor = new FakeAcceptor();
        (DicomAssociation association, FakePeer peer) = await EstablishWithFakeAcceptorAsync(acceptor);
        await using (peer)
        await using (association)
        {
            await peer.SendAsync(TestPdus.Request());

            Assert.Equal(new AbortPdu(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu), await peer.ReceiveAsync<AbortPdu>());
            await Assert.ThrowsAsync<DicomProtocolException>(() => association.Completion);
        }
    }

    private static async Task<(DicomAssociation Association, FakePeer Peer)> EstablishWithFakeAcceptorAsync(FakeAcceptor acceptor, AssociationOptions? options = null)
    {
        Task<DicomAssociation> connecting = DicomClient.ConnectAsync(acceptor.ClientOptions(options), TestServer.Request(TestPdus.Verification));
        FakePeer peer = await acceptor.AcceptAsync();
        AssociateRequestPdu rq = await peer.ReceiveAsync<AssociateRequestPdu>();
        await peer.SendAsync(Accept(rq, new PresentationContextAnswer(1, PresentationContextResult.Acceptance, TestPdus.ImplicitLE)));
        return (await connecting, peer);
    }

    private static AssociateAcceptPdu Accept(AssociateRequestPdu rq, params PresentationContextAnswer[] answers) => Accept(rq, 16384, answers);

    private static AssociateAcceptPdu Accept(AssociateRequestPdu rq, uint maxLength, params PresentationContextAnswer[] answers) => new()
    {
        CalledAE = rq.CalledAE,
        CallingAE = rq.CallingAE,
        PresentationContexts = answers,
        UserInformation = new UserInformation { MaximumLength = maxLength, ImplementationClassUid = "1.2.3.4" },
    };

    /// <summary>A connected loopback TCP pair: a stream for our side, a fake peer for the other.</summary>
    private static async Task<(Stream Ours, FakePeer Theirs)> LoopbackPairAsync()
    {
        using var acceptor = new FakeAcceptor();
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        Task<FakePeer> accepted = acceptor.AcceptAsync();
        await socket.ConnectAsync(acceptor.EndPoint);
        return (new System.Net.Sockets.NetworkStream(socket, ownsSocket: true), await accepted);
    }
}
