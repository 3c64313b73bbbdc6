using System.Net;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Tests.Support;

namespace Gateway.Dicom.Network.Tests.Associations;

/// <summary>The acceptor's decision on an A-ASSOCIATE-RQ (<see cref="DicomAssociation.Negotiate"/>, no I/O).</summary>
public sealed partial class DicomAssociationTests
{
    private static readonly AssociationAcceptancePolicy Policy = new()
    {
        AETitle = "GATEWAY",
        AbstractSyntaxes = new Dictionary<string, IReadOnlyList<DicomTransferSyntax>>
        {
            [TestPdus.Verification] = [DicomTransferSyntax.ImplicitVRLittleEndian],
            [TestPdus.CTImageStorage] = [DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.ImplicitVRLittleEndian],
        },
    };

    [Theory]
    [InlineData((ushort)0x0000)]
    [InlineData((ushort)0x0002)]
    [InlineData((ushort)0xFFFE)]
    public void Negotiate_ProtocolVersionBit0Clear_RejectsPermanentAcseReason2(ushort version)
    {
        var (reject, accept, _) = Negotiate(TestPdus.Request() with { ProtocolVersion = version });

        Assert.Null(accept);
        Assert.Equal(new AssociateRejectPdu(RejectResult.Permanent, RejectSource.ServiceProviderAcse, 2), reject);
    }

    [Fact]
    public void Negotiate_ProtocolVersionWithBit0AndOtherBits_Accepts()
    {
        var (reject, accept, _) = Negotiate(TestPdus.Request() with { ProtocolVersion = 0x0003 });

        Assert.Null(reject);
        Assert.NotNull(accept);
    }

    [Fact]
    public void Negotiate_OtherApplicationContext_RejectsPermanentServiceUserReason2()
    {
        var (reject, _, _) = Negotiate(TestPdus.Request() with { ApplicationContext = "1.2.840.10008.3.1.1.2" });

        Assert.Equal(new AssociateRejectPdu(RejectResult.Permanent, RejectSource.ServiceUser, 2), reject);
    }

    [Fact]
    public void Negotiate_RequireCalledAEAndOtherTitle_RejectsReason7()
    {
        var (reject, _, _) = Negotiate(TestPdus.Request(called: "OTHER"), Policy with { RequireCalledAE = true });

        Assert.Equal(new AssociateRejectPdu(RejectResult.Permanent, RejectSource.ServiceUser, 7), reject);
    }

    [Fact]
    public void Negotiate_RequireCalledAEAndOurTitle_Accepts()
    {
        var (reject, accept, _) = Negotiate(TestPdus.Request(called: "GATEWAY"), Policy with { RequireCalledAE = true });

        Assert.Null(reject);
        Assert.NotNull(accept);
    }

    [Fact]
    public void Negotiate_CalledAENotRequired_AcceptsAnyTitle()
    {
        var (reject, _, _) = Negotiate(TestPdus.Request(called: "ANYTHING"));

        Assert.Null(reject);
    }

    [Fact]
    public void Negotiate_EmptyCallingAE_RejectsReason3()
    {
        var (reject, _, _) = Negotiate(TestPdus.Request() with { CallingAE = string.Empty });

        Assert.Equal(new AssociateRejectPdu(RejectResult.Permanent, RejectSource.ServiceUser, 3), reject);
    }

    [Fact]
    public void Negotiate_AllSpacesCallingAEOnTheWire_RejectsReason3()
    {
        byte[] bytes = PduWriter.Encode(TestPdus.Request(calling: "X"));
        "                "u8.CopyTo(bytes.AsSpan(26, 16));

        var (reject, _, _) = Negotiate((AssociateRequestPdu)TestPdus.Parse(bytes));

        Assert.Equal(new AssociateRejectPdu(RejectResult.Permanent, RejectSource.ServiceUser, 3), reject);
    }

    [Fact]
    public void Negotiate_ScreenRejects_ReturnsItsRejectionWithAddress()
    {
        EndPoint? seen = null;
        var remote = new IPEndPoint(IPAddress.Parse("192.0.2.7"), 4242);
        AssociationAcceptancePolicy policy = Policy with
        {
            Screen = (rq, ep) =>
            {
                seen = ep;
                return rq.CallingAE == "EVIL" ? AssociateRejectPdu.TemporaryCongestion() : null;
            },
        };

        var (reject, _, _, _) = DicomAssociation.Negotiate(TestPdus.Request(calling: "EVIL"), policy, AssociationOptions.Default, remote);
        var (other, _, _, _) = DicomAssociation.Negotiate(TestPdus.Request(calling: "GOOD"), policy, AssociationOptions.Default, remote);

        Assert.Equal(AssociateRejectPdu.TemporaryCongestion(), reject);
        Assert.Null(other);
        Assert.Equal(remote, seen);
    }

    [Fact]
    public void Negotiate_IdentityValidatorRejects_RejectsAssociation()
    {
        AssociateRequestPdu rq = WithIdentity(TestPdus.Request(), new UserIdentityRequest(UserIdentityType.UsernameAndPasscode, false, "mallory"u8.ToArray(), "guess"u8.ToArray()));

        var (reject, accept, _) = Negotiate(rq, Policy with { IdentityValidator = id => id.PrimaryField.Span.SequenceEqual("alice"u8) ? Array.Empty<byte>() : null });

        Assert.Null(accept);
        Assert.Equal(AssociateRejectPdu.NoReasonGiven(), reject);
    }

    [Fact]
    public void Negotiate_IdentityAcceptedWithPositiveResponseRequested_SendsServerResponse()
    {
        AssociateRequestPdu rq = WithIdentity(TestPdus.Request(), new UserIdentityRequest(UserIdentityType.Jwt, true, "token"u8.ToArray(), ReadOnlyMemory<byte>.Empty));

        var (_, accept, _) = Negotiate(rq, Policy with { IdentityValidator = _ => [0x01, 0x02] });

        Assert.Equal(new byte[] { 0x01, 0x02 }, accept!.UserInformation.UserIdentityServerResponse?.ToArray());
    }

    [Fact]
    public void Negotiate_IdentityAcceptedWithoutPositiveResponseRequested_SendsNoServerResponse()
    {
        AssociateRequestPdu rq = WithIdentity(TestPdus.Request(), new UserIdentityRequest(UserIdentityType.Username, false, "alice"u8.ToArray(), ReadOnlyMemory<byte>.Empty));

        var (_, accept, _) = Negotiate(rq, Policy with { IdentityValidator = _ => [0x01] });

        Assert.Null(accept!.UserInformation.UserIdentityServerResponse);
    }

    [Fact]
    public void Negotiate_IdentityWithoutValidator_IsIgnored()
    {
        AssociateRequestPdu rq = WithIdentity(TestPdus.Request(), new UserIdentityRequest(UserIdentityType.Username, true, "alice"u8.ToArray(), ReadOnlyMemory<byte>.Empty));

        var (reject, accept, _) = Negotiate(rq);

        Assert.Null(reject);
        Assert.Null(accept!.UserInformation.UserIdentityServerResponse);
    }

    [Fact]
    public void Negotiate_AbstractSyntaxNotSupported_Result3()
    {
        var (_, accept, contexts) = Negotiate(TestPdus.Request(contexts: [new PresentationContextProposal(1, "1.2.3.4.5.6", [TestPdus.ImplicitLE])]));

        PresentationContextAnswer answer = Assert.Single(accept!.PresentationContexts);
        Assert.Equal(PresentationContextResult.AbstractSyntaxNotSupported, answer.Result);
        Assert.Equal((byte)3, (byte)answer.Result);
        Assert.False(Assert.Single(contexts).IsAccepted);
    }

    [Fact]
    public void Negotiate_NoOfferedTransferSyntaxSupported_Result4()
    {
        var (_, accept, _) = Negotiate(TestPdus.Request(contexts: [new PresentationContextProposal(1, TestPdus.Verification, ["1.2.840.10008.1.2.2", "1.2.3.99"])]));

        PresentationContextAnswer answer = Assert.Single(accept!.PresentationContexts);
        Assert.Equal(PresentationContextResult.TransferSyntaxesNotSupported, answer.Result);
        Assert.Equal((byte)4, (byte)answer.Result);
    }

    [Theory]
    [InlineData(new[] { TestPdus.ImplicitLE, TestPdus.ExplicitLE }, TestPdus.ExplicitLE)]
    [InlineData(new[] { TestPdus.ExplicitLE, TestPdus.ImplicitLE }, TestPdus.ExplicitLE)]
    [InlineData(new[] { "1.2.840.10008.1.2.2", TestPdus.ImplicitLE }, TestPdus.ImplicitLE)]
    public void Negotiate_SeveralOfferedSyntaxes_OurPreferenceOrderChooses(string[] offered, string chosen)
    {
        var (_, accept, contexts) = Negotiate(TestPdus.Request(contexts: [new PresentationContextProposal(3, TestPdus.CTImageStorage, offered)]));

        PresentationContextAnswer answer = Assert.Single(accept!.PresentationContexts);
        Assert.Equal(PresentationContextResult.Acceptance, answer.Result);
        Assert.Equal(chosen, answer.TransferSyntax);
        Assert.Equal(chosen, Assert.Single(contexts).TransferSyntax.Uid.Value);
    }

    [Fact]
    public void Negotiate_EvenOrDuplicateContextIds_AreRefusedOthersAnswered()
    {
        var (_, accept, contexts) = Negotiate(TestPdus.Request(contexts:
        [
            new PresentationContextProposal(1, TestPdus.Verification, [TestPdus.ImplicitLE]),
            new PresentationContextProposal(2, TestPdus.Verification, [TestPdus.ImplicitLE]),
            new PresentationContextProposal(1, TestPdus.CTImageStorage, [TestPdus.ImplicitLE]),
            new PresentationContextProposal(3, TestPdus.CTImageStorage, [TestPdus.ImplicitLE]),
        ]));

        Assert.Equal(
            [(1, PresentationContextResult.Acceptance), (2, PresentationContextResult.NoReason), (1, PresentationContextResult.NoReason), (3, PresentationContextResult.Acceptance)],
            accept!.PresentationContexts.Select(a => ((int)a.Id, a.Result)));
        Assert.Equal([(1, TestPdus.Verification), (3, TestPdus.CTImageStorage)], contexts.Where(c => c.IsAccepted).Select(c => ((int)c.Id, c.AbstractSyntax)));
    }

    [Fact]
    public void Negotiate_RoleSelectionForAcceptedClass_AcceptedAndEchoed()
    {
        AssociateRequestPdu rq = TestPdus.Request();
        rq = rq with
        {
            UserInformation = rq.UserInformation with
            {
                RoleSelections = [new RoleSelection(TestPdus.CTImageStorage, false, true), new RoleSelection("1.2.3.4.5.6", true, true)],
            },
        };

        var (_, accept, contexts) = Negotiate(rq);

        RoleSelection echoed = Assert.Single(accept!.UserInformation.RoleSelections);
        Assert.Equal(new RoleSelection(TestPdus.CTImageStorage, false, true), echoed);
        NegotiatedPresentationContext ct = contexts.Single(c => c.AbstractSyntax == TestPdus.CTImageStorage);
        Assert.True(ct.RequesterIsScp);
        Assert.False(ct.RequesterIsScu);
        NegotiatedPresentationContext echo = contexts.Single(c => c.AbstractSyntax == TestPdus.Verification);
        Assert.True(echo.RequesterIsScu);
        Assert.False(echo.RequesterIsScp);
    }

    [Fact]
    public void Negotiate_RoleSelectionNotAccepted_DefaultRolesAndNothingEchoed()
    {
        AssociateRequestPdu rq = TestPdus.Request();
        rq = rq with { UserInformation = rq.UserInformation with { RoleSelections = [new RoleSelection(TestPdus.CTImageStorage, false, true)] } };

        var (_, accept, contexts) = Negotiate(rq, Policy with { AcceptRoleSelection = false });

        Assert.Empty(accept!.UserInformation.RoleSelections);
        Assert.False(contexts.Single(c => c.AbstractSyntax == TestPdus.CTImageStorage).RequesterIsScp);
    }

    [Fact]
    public void Negotiate_AcceptAllStorage_AcceptsRegistryStorageClassesOnly()
    {
        AssociationAcceptancePolicy policy = new() { AcceptAllStorage = true };

        var (_, accept, _) = Negotiate(
            TestPdus.Request(contexts:
            [
                new PresentationContextProposal(1, TestPdus.SecondaryCapture, ["1.2.840.10008.1.2.4.50"]),
                new PresentationContextProposal(3, "1.2.840.10008.5.1.4.1.1.4", [TestPdus.ImplicitLE, TestPdus.ExplicitLE]),
                new PresentationContextProposal(5, TestPdus.StudyRootFind, [TestPdus.ImplicitLE]),
                new PresentationContextProposal(7, "1.2.840.10008.5.1.4.1.1.999", [TestPdus.ImplicitLE]),
            ]),
            policy);

        Assert.Equal(
            [
                (PresentationContextResult.Acceptance, "1.2.840.10008.1.2.4.50"),
                (PresentationContextResult.Acceptance, TestPdus.ExplicitLE),
                (PresentationContextResult.AbstractSyntaxNotSupported, string.Empty),
                (PresentationContextResult.AbstractSyntaxNotSupported, string.Empty),
            ],
            accept!.PresentationContexts.Select(a => (a.Result, a.TransferSyntax)));
    }

    [Fact]
    public void Negotiate_Accept_EchoesTitlesAndAnnouncesOurLimitsAndIdentity()
    {
        var options = new AssociationOptions { Limits = new PduLimits { MaxDataPduLength = 32768 }, ImplementationClassUid = "1.2.3.9", ImplementationVersionName = "TEST_9" };

        var (_, accept, _, _) = DicomAssociation.Negotiate(TestPdus.Request("GATEWAY", "MODALITY"), Policy, options, null);

        Assert.Equal("GATEWAY", accept!.CalledAE);
        Assert.Equal("MODALITY", accept.CallingAE);
        Assert.Equal(AssociatePdu.DicomApplicationContext, accept.ApplicationContext);
        Assert.Equal(32768u, accept.UserInformation.MaximumLength);
        Assert.Equal("1.2.3.9", accept.UserInformation.ImplementationClassUid);
        Assert.Equal("TEST_9", accept.UserInformation.ImplementationVersionName);
        Assert.Equal([1, 3], accept.PresentationContexts.Select(p => (int)p.Id));
    }

    private static (AssociateRejectPdu? Reject, AssociateAcceptPdu? Accept, IReadOnlyList<NegotiatedPresentationContext> Contexts) Negotiate(
        AssociateRequestPdu rq,
        AssociationAcceptancePolicy? policy = null)
    {
        var (reject, accept, contexts, _) = DicomAssociation.Negotiate(rq, policy ?? Policy, AssociationOptions.Default, null);
        return (reject, accept, contexts);
    }

    [Fact]
    public void Negotiate_AuthorizeRejects_SendsItsRejectionWithTheCertificateAndAddressItWasGiven()
    {
        var remote = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.0.2.7"), 4000);
        AssociationAuthorizationContext? seen = null;
        AssociationAcceptancePolicy policy = Policy with
        {
            Authorize = context =>
            {
                seen = context;
                return AssociationAuthorization.Rejected(AssociateRejectPdu.CallingAETitleNotRecognized());
            },
        };

        var (reject, accept, _, state) = DicomAssociation.Negotiate(TestPdus.Request(calling: "SPOOF"), policy, AssociationOptions.Default, remote);

        Assert.Equal(AssociateRejectPdu.CallingAETitleNotRecognized(), reject);
        Assert.Null(accept);
        Assert.Null(state);
        Assert.Equal(remote, seen?.RemoteEndPoint);
        Assert.Equal("SPOOF", seen?.Request.CallingAE);
        Assert.Null(seen?.Certificate);
    }

    [Fact]
    public void Negotiate_AuthorizeNarrowsAbstractSyntaxes_OthersAreUserRejectionsAndTheStateIsKept()
    {
        object decision = new();
        AssociationAcceptancePolicy policy = Policy with
        {
            Authorize = _ => new AssociationAuthorization { AcceptsAbstractSyntax = uid => uid == TestPdus.Verification, State = decision },
        };

        var (reject, accept, contexts, state) = DicomAssociation.Negotiate(TestPdus.Request(), policy, AssociationOptions.Default, null);

        Assert.Null(reject);
        Assert.Same(decision, state);
        Assert.Equal(PresentationContextResult.Acceptance, accept!.PresentationContexts.Single(p => p.Id == 1).Result);
        Assert.Equal(PresentationContextResult.UserRejection, accept.PresentationContexts.Single(p => p.Id == 3).Result);
        Assert.False(contexts.Single(c => c.Id == 3).IsAccepted);
    }

    private static AssociateRequestPdu WithIdentity(AssociateRequestPdu rq, UserIdentityRequest identity) =>
        rq with { UserInformation = rq.UserInformation with { UserIdentity = identity } };
}
