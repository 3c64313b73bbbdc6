using System.Text;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Tests.Support;

namespace Gateway.Dicom.Network.Tests.Pdus;

/// <summary>
/// Golden tests: every PDU and item encoded by <see cref="PduWriter"/> equals the bytes built by hand from PS3.8 9.3
/// and PS3.7 D.3.3, and <see cref="PduReader"/> reads those bytes back to the same PDU.
/// </summary>
public sealed class PduWriterTests
{
    private const string AppContext = "1.2.840.10008.3.1.1.1";

    [Fact]
    public void Encode_FullAssociateRequest_MatchesStandardBytes()
    {
        var rq = new AssociateRequestPdu
        {
            CalledAE = "STORESCP",
            CallingAE = "GATEWAY",
            PresentationContexts =
            [
                new PresentationContextProposal(1, TestPdus.Verification, [TestPdus.ImplicitLE]),
                new PresentationContextProposal(3, TestPdus.CTImageStorage, [TestPdus.ExplicitLE, TestPdus.ImplicitLE]),
                new PresentationContextProposal(5, TestPdus.StudyRootGet, [TestPdus.ImplicitLE]),
            ],
            UserInformation = new UserInformation
            {
                MaximumLength = 16384,
                ImplementationClassUid = "1.2.826.0.1.3680043.9.1",
                ImplementationVersionName = "GW_TEST_1",
                MaxOperationsInvoked = 3,
                MaxOperationsPerformed = 1,
                RoleSelections = [new RoleSelection(TestPdus.CTImageStorage, false, true)],
                ExtendedNegotiations = [new SopClassExtendedNegotiation(TestPdus.StudyRootFind, new byte[] { 1, 1, 0 })],
                CommonExtendedNegotiations = [new SopClassCommonExtendedNegotiation(TestPdus.CTImageStorage, "1.2.840.10008.4.2", ["1.2.3", "1.2.34"])],
                UserIdentity = new UserIdentityRequest(UserIdentityType.UsernameAndPasscode, true, Encoding.UTF8.GetBytes("alice"), Encoding.UTF8.GetBytes("s3cret")),
            },
        };

        byte[] expected = PduBytes.Pdu(0x01, b => b
            .U16(0x0001).U16(0) // protocol version 1, reserved
            .AETitle("STORESCP").AETitle("GATEWAY").Zeros(32)
            .Item(0x10, AppContext)
            .Item(0x20, pc => pc.U8(1).U8(0).U8(0).U8(0)
                .Item(0x30, TestPdus.Verification)
                .Item(0x40, TestPdus.ImplicitLE))
            .Item(0x20, pc => pc.U8(3).U8(0).U8(0).U8(0)
                .Item(0x30, TestPdus.CTImageStorage)
                .Item(0x40, TestPdus.ExplicitLE)
                .Item(0x40, TestPdus.ImplicitLE))
            .Item(0x20, pc => pc.U8(5).U8(0).U8(0).U8(0)
                .Item(0x30, TestPdus.StudyRootGet)
                .Item(0x40, TestPdus.ImplicitLE))
            .Item(0x50, ui => ui
                .Item(0x51, m => m.U32(16384))
                .Item(0x52, "1.2.826.0.1.3680043.9.1")
                .Item(0x53, w => w.U16(3).U16(1))
                .Item(0x54, r => r.LengthPrefixed(TestPdus.CTImageStorage).U8(0).U8(1))
                .Item(0x55, "GW_TEST_1")
                .Item(0x56, e => e.LengthPrefixed(TestPdus.StudyRootFind).U8(1).U8(1).U8(0))
                .Item(0x57, c => c.LengthPrefixed(TestPdus.CTImageStorage).LengthPrefixed("1.2.840.10008.4.2")
                    .U16(2 + 5 + 2 + 6).LengthPrefixed("1.2.3").LengthPrefixed("1.2.34"))
                .Item(0x58, u => u.U8(2).U8(1).U16(5).Ascii("alice").U16(6).Ascii("s3cret"))));

        AssertGolden(expected, rq);
    }

    [Fact]
    public void Encode_AssociateRequest_HeaderFieldsAtStandardOffsets()
    {
        byte[] bytes = PduWriter.Encode(TestPdus.Request("CALLED", "CALLING"));

        // PS3.8 Table 9-11: type 01, reserved, length, version 0001, reserved, called AE 11-26, calling AE 27-42, 32 reserved.
        Assert.Equal(0x01, bytes[0]);
        Assert.Equal(0x00, bytes[1]);
        Assert.Equal((uint)(bytes.Length - 6), System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(2)));
        Assert.Equal("0001" + "0000", Convert.ToHexString(bytes, 6, 4));
        Assert.Equal("CALLED          ", Encoding.ASCII.GetString(bytes, 10, 16));
        Assert.Equal("CALLING         ", Encoding.ASCII.GetString(bytes, 26, 16));
        Assert.All(bytes[42..74], b => Assert.Equal(0, b));
        Assert.Equal(0x10, bytes[74]);
    }

    [Theory]
    [InlineData("A")]
    [InlineData("SIXTEEN_CHARS_AE")]
    public void Encode_AETitleOf1To16Characters_SpacePaddedTo16(string title)
    {
        byte[] bytes = PduWriter.Encode(TestPdus.Request(title, title));

        Assert.Equal(title.PadRight(16), Encoding.ASCII.GetString(bytes, 10, 16));
        Assert.Equal(title, ((AssociateRequestPdu)TestPdus.Parse(bytes)).CalledAE);
    }

    [Theory]
    [InlineData("")]
    [InlineData("SEVENTEEN_CHARSAE")]
    public void Encode_AETitleEmptyOrOver16_Throws(string title) =>
        Assert.Throws<ArgumentException>(() => PduWriter.Encode(TestPdus.Request(title, "SCU")));

    public static TheoryData<UserIdentityType, bool> IdentityCases()
    {
        var data = new TheoryData<UserIdentityType, bool>();
        foreach (UserIdentityType type in Enum.GetValues<UserIdentityType>())
        {
            data.Add(type, false);
            data.Add(type, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(IdentityCases))]
    public void Encode_UserIdentityOfEachType_MatchesStandardBytes(UserIdentityType type, bool positiveResponse)
    {
        // PS3.7 D.3.3.7.1: the secondary field (passcode) is only used with type 2; otherwise its length is 0.
        byte[] primary = type switch
        {
            UserIdentityType.Kerberos => [0x60, 0x82, 0x01, 0x00, 0xAA],
            UserIdentityType.Saml => Encoding.UTF8.GetBytes("<saml:Assertion/>"),
            UserIdentityType.Jwt => Encoding.ASCII.GetBytes("eyJhbGciOiJIUzI1NiJ9.e30.sig"),
            _ => Encoding.UTF8.GetBytes("jöhn"),
        };
        byte[] secondary = type == UserIdentityType.UsernameAndPasscode ? Encoding.UTF8.GetBytes("pass") : [];
        AssociateRequestPdu rq = TestPdus.Request() with
        {
            PresentationContexts = [new PresentationContextProposal(1, TestPdus.Verification, [TestPdus.ImplicitLE])],
            UserInformation = new UserInformation
            {
                MaximumLength = 0,
                ImplementationClassUid = "1.2.3",
                UserIdentity = new UserIdentityRequest(type, positiveResponse, primary, secondary),
            },
        };

        byte[] expected = PduBytes.Pdu(0x01, b => b
            .U16(1).U16(0).AETitle("GATEWAY").AETitle("SCU").Zeros(32)
            .Item(0x10, AppContext)
            .Item(0x20, pc => pc.U8(1).U8(0).U8(0).U8(0).Item(0x30, TestPdus.Verification).Item(0x40, TestPdus.ImplicitLE))
            .Item(0x50, ui => ui
                .Item(0x51, m => m.U32(0))
                .Item(0x52, "1.2.3")
                .Item(0x58, u => u.U8((byte)type).U8(positiveResponse ? (byte)1 : (byte)0)
                    .U16((ushort)primary.Length).Raw(primary)
                    .U16((ushort)secondary.Length).Raw(secondary))));

        AssertGolden(expected, rq);
    }

    [Fact]
    public void Encode_AssociateAccept_WithEveryResultRoleAndIdentityResponse_MatchesStandardBytes()
    {
        var ac = new AssociateAcceptPdu
        {
            CalledAE = "GATEWAY",
            CallingAE = "SCU",
            PresentationContexts =
            [
                new PresentationContextAnswer(1, PresentationContextResult.Acceptance, TestPdus.ImplicitLE),
                new PresentationContextAnswer(3, PresentationContextResult.UserRejection, string.Empty),
                new PresentationContextAnswer(5, PresentationContextResult.NoReason, string.Empty),
                new PresentationContextAnswer(7, PresentationContextResult.AbstractSyntaxNotSupported, string.Empty),
                new PresentationContextAnswer(9, PresentationContextResult.TransferSyntaxesNotSupported, string.Empty),
            ],
            UserInformation = new UserInformation
            {
                MaximumLength = 262144,
                ImplementationClassUid = "2.25.1",
                ImplementationVersionName = "GATEWAY_0_1",
                MaxOperationsInvoked = 1,
                MaxOperationsPerformed = 1,
                RoleSelections = [new RoleSelection(TestPdus.CTImageStorage, true, true)],
                UserIdentityServerResponse = new byte[] { 0xDE, 0xAD, 0xBE, 0xEF },
            },
        };

        byte[] expected = PduBytes.Pdu(0x02, b => b
            .U16(1).U16(0).AETitle("GATEWAY").AETitle("SCU").Zeros(32)
            .Item(0x10, AppContext)
            .Item(0x21, pc => pc.U8(1).U8(0).U8(0).U8(0).Item(0x40, TestPdus.ImplicitLE))
            .Item(0x21, pc => pc.U8(3).U8(0).U8(1).U8(0).Item(0x40, string.Empty))
            .Item(0x21, pc => pc.U8(5).U8(0).U8(2).U8(0).Item(0x40, string.Empty))
            .Item(0x21, pc => pc.U8(7).U8(0).U8(3).U8(0).Item(0x40, string.Empty))
            .Item(0x21, pc => pc.U8(9).U8(0).U8(4).U8(0).Item(0x40, string.Empty))
            .Item(0x50, ui => ui
                .Item(0x51, m => m.U32(262144))
                .Item(0x52, "2.25.1")
                .Item(0x53, w => w.U16(1).U16(1))
                .Item(0x54, r => r.LengthPrefixed(TestPdus.CTImageStorage).U8(1).U8(1))
                .Item(0x55, "GATEWAY_0_1")
                .Item(0x59, u => u.U16(4).U8(0xDE).U8(0xAD).U8(0xBE).U8(0xEF))));

        AssertGolden(expected, ac);
    }

    [Fact]
    public void Encode_AssociateAccept_EmptyIdentityServerResponse_IsSubItemWithZeroLength()
    {
        var ac = new AssociateAcceptPdu
        {
            CalledAE = "GATEWAY",
            CallingAE = "SCU",
            PresentationContexts = [new PresentationContextAnswer(1, PresentationContextResult.Acceptance, TestPdus.ImplicitLE)],
            UserInformation = new UserInformation { MaximumLength = 0, ImplementationClassUid = "2.25.1", UserIdentityServerResponse = ReadOnlyMemory<byte>.Empty },
        };

        byte[] expected = PduBytes.Pdu(0x02, b => b
            .U16(1).U16(0).AETitle("GATEWAY").AETitle("SCU").Zeros(32)
            .Item(0x10, AppContext)
            .Item(0x21, pc => pc.U8(1).U8(0).U8(0).U8(0).Item(0x40, TestPdus.ImplicitLE))
            .Item(0x50, ui => ui.Item(0x51, m => m.U32(0)).Item(0x52, "2.25.1").Item(0x59, u => u.U16(0))));

        AssertGolden(expected, ac);
    }

    public static TheoryData<RejectResult, RejectSource, byte> RejectCases()
    {
        // PS3.8 Table 9-21: the reasons defined for each source.
        var data = new TheoryData<RejectResult, RejectSource, byte>();
        foreach (RejectResult result in Enum.GetValues<RejectResult>())
        {
            foreach (byte reason in new byte[] { 1, 2, 3, 7 })
            {
                data.Add(result, RejectSource.ServiceUser, reason);
            }

            data.Add(result, RejectSource.ServiceProviderAcse, 1);
            data.Add(result, RejectSource.ServiceProviderAcse, 2);
            data.Add(result, RejectSource.ServiceProviderPresentation, 1);
            data.Add(result, RejectSource.ServiceProviderPresentation, 2);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RejectCases))]
    public void Encode_AssociateReject_MatchesStandardBytes(RejectResult result, RejectSource source, byte reason)
    {
        byte[] expected = [0x03, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, (byte)result, (byte)source, reason];

        AssertGolden(expected, new AssociateRejectPdu(result, source, reason));
    }

    [Fact]
    public void AssociateReject_Factories_UseTable921Codes()
    {
        Assert.Equal(new AssociateRejectPdu(RejectResult.Permanent, RejectSource.ServiceUser, 1), AssociateRejectPdu.NoReasonGiven());
        Assert.Equal(new AssociateRejectPdu(RejectResult.Permanent, RejectSource.ServiceUser, 2), AssociateRejectPdu.ApplicationContextNotSupported());
        Assert.Equal(new AssociateRejectPdu(RejectResult.Permanent, RejectSource.ServiceUser, 3), AssociateRejectPdu.CallingAETitleNotRecognized());
        Assert.Equal(new AssociateRejectPdu(RejectResult.Permanent, RejectSource.ServiceUser, 7), AssociateRejectPdu.CalledAETitleNotRecognized());
        Assert.Equal(new AssociateRejectPdu(RejectResult.Permanent, RejectSource.ServiceProviderAcse, 2), AssociateRejectPdu.ProtocolVersionNotSupported());
        Assert.Equal(new AssociateRejectPdu(RejectResult.Transient, RejectSource.ServiceProviderPresentation, 1), AssociateRejectPdu.TemporaryCongestion());
        Assert.Equal(new AssociateRejectPdu(RejectResult.Transient, RejectSource.ServiceProviderPresentation, 2), AssociateRejectPdu.LocalLimitExceeded());
    }

    [Fact]
    public void Encode_DataTransferWithSeveralValues_EachControlHeader_MatchesStandardBytes()
    {
        var pdu = new DataTransferPdu(
        [
            new PresentationDataValue(1, IsCommand: false, IsLast: false, new byte[] { 0x10, 0x11 }),
            new PresentationDataValue(3, IsCommand: true, IsLast: false, new byte[] { 0x20 }),
            new PresentationDataValue(5, IsCommand: false, IsLast: true, ReadOnlyMemory<byte>.Empty),
            new PresentationDataValue(255, IsCommand: true, IsLast: true, new byte[] { 0x30, 0x31, 0x32 }),
        ]);

        // PS3.8 9.3.5.1 and Annex E.2: PDV length counts the context id and the header; bit 0 command, bit 1 last.
        // PDU length: (4 + 2 + 2) + (4 + 2 + 1) + (4 + 2 + 0) + (4 + 2 + 3) = 30.
        byte[] expected = PduBytes.Pdu(0x04, b => b
            .Pdv(1, 0x00, [0x10, 0x11])
            .Pdv(3, 0x01, [0x20])
            .Pdv(5, 0x02, [])
            .Pdv(255, 0x03, [0x30, 0x31, 0x32]));

        Assert.Equal("04" + "00" + "0000001E" + "00000004" + "01" + "00" + "1011", Convert.ToHexString(expected, 0, 14));
        AssertGolden(expected, pdu);
    }

    [Fact]
    public void WriteSingleDataHeader_MatchesEncodeOfOneValue()
    {
        byte[] data = [1, 2, 3, 4, 5];
        byte[] expected = PduWriter.Encode(new DataTransferPdu([new PresentationDataValue(7, true, true, data)]));
        byte[] actual = new byte[12 + data.Length];

        PduWriter.WriteSingleDataHeader(actual, 7, isCommand: true, isLast: true, data.Length);
        data.CopyTo(actual, 12);

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(actual));
    }

    [Fact]
    public void Encode_ReleaseRequest_MatchesStandardBytes() =>
        AssertGolden([0x05, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00], ReleaseRequestPdu.Instance);

    [Fact]
    public void Encode_ReleaseResponse_MatchesStandardBytes() =>
        AssertGolden([0x06, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00], ReleaseResponsePdu.Instance);

    [Theory]
    [InlineData(AbortSource.ServiceUser, AbortReason.NotSpecified)]
    [InlineData(AbortSource.ServiceProvider, AbortReason.NotSpecified)]
    [InlineData(AbortSource.ServiceProvider, AbortReason.UnrecognizedPdu)]
    [InlineData(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu)]
    [InlineData(AbortSource.ServiceProvider, AbortReason.UnrecognizedPduParameter)]
    [InlineData(AbortSource.ServiceProvider, AbortReason.UnexpectedPduParameter)]
    [InlineData(AbortSource.ServiceProvider, AbortReason.InvalidPduParameterValue)]
    public void Encode_Abort_MatchesStandardBytes(AbortSource source, AbortReason reason) =>
        AssertGolden([0x07, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, (byte)source, (byte)reason], new AbortPdu(source, reason));

    private static void AssertGolden(byte[] expected, Pdu pdu)
    {
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(PduWriter.Encode(pdu)));
        Assert.Equal(PduText.Describe(pdu), PduText.Describe(TestPdus.Parse(expected)));
    }
}
