using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Tests.Support;

namespace Gateway.Dicom.Network.Tests.Pdus;

/// <summary>Malformed PDUs: every one is a <see cref="DicomProtocolException"/> with the A-ABORT reason it maps to.</summary>
public sealed class PduReaderTests
{
    private const string AppContext = "1.2.840.10008.3.1.1.1";

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x08)]
    [InlineData(0x47)] // 'G' of "GET / HTTP/1.1"
    [InlineData(0xFF)]
    public void CheckHeader_UnknownPduType_IsUnrecognizedPdu(byte type)
    {
        var ex = Assert.Throws<DicomProtocolException>(() => PduReader.CheckHeader([type, 0, 0, 0, 0, 4], PduLimits.Default));

        Assert.Equal(AbortReason.UnrecognizedPdu, ex.Reason);
    }

    [Theory]
    [InlineData(0x04, 0xFFFFFFFFu)] // a P-DATA-TF declaring 4 GB
    [InlineData(0x04, 256u * 1024 + 1)]
    [InlineData(0x01, 64u * 1024 + 1)]
    [InlineData(0x02, 0xFFFFFFFFu)]
    [InlineData(0x03, 5u)]
    [InlineData(0x05, 5u)]
    [InlineData(0x06, 0x80000000u)]
    [InlineData(0x07, 5u)]
    public void CheckHeader_LengthOverLimitForType_IsInvalidParameter(byte type, uint length)
    {
        byte[] header = new PduBytes().U8(type).U8(0).U32(length).ToArray();

        var ex = Assert.Throws<DicomProtocolException>(() => PduReader.CheckHeader(header, PduLimits.Default));

        Assert.Equal(AbortReason.InvalidPduParameterValue, ex.Reason);
    }

    [Fact]
    public void CheckHeader_LengthAtLimit_IsAccepted()
    {
        var limits = new PduLimits { MaxDataPduLength = 4096 };

        Assert.Equal((PduType.DataTransfer, 4096u), PduReader.CheckHeader([0x04, 0, 0, 0, 0x10, 0x00], limits));
        Assert.Throws<DicomProtocolException>(() => PduReader.CheckHeader([0x04, 0, 0, 0, 0x10, 0x01], limits));
    }

    [Theory]
    [InlineData(PduType.ReleaseRequest, 0)]
    [InlineData(PduType.ReleaseRequest, 3)]
    [InlineData(PduType.ReleaseRequest, 5)]
    [InlineData(PduType.ReleaseResponse, 2)]
    [InlineData(PduType.AssociateReject, 3)]
    [InlineData(PduType.Abort, 0)]
    public void Parse_FixedSizePduWithBodyOtherThan4_IsInvalidParameter(PduType type, int bodyLength)
    {
        var ex = Assert.Throws<DicomProtocolException>(() => PduReader.Parse(type, new byte[bodyLength], PduLimits.Default));

        Assert.Equal(AbortReason.InvalidPduParameterValue, ex.Reason);
    }

    [Fact]
    public void Parse_AssociateRequestShorterThanFixedFields_IsInvalidParameter() =>
        AssertInvalid(PduType.AssociateRequest, new byte[67]);

    [Fact]
    public void Parse_ApplicationContextItemLengthPastEnd_IsInvalidParameter() =>
        AssertInvalid(PduType.AssociateRequest, RequestBody(b => b.U8(0x10).U8(0).U16(100).Ascii(AppContext)));

    [Fact]
    public void Parse_ItemHeaderCutShort_IsInvalidParameter() =>
        AssertInvalid(PduType.AssociateRequest, RequestBody(b => b.Item(0x10, AppContext).U8(0x50).U8(0)));

    [Fact]
    public void Parse_PresentationContextSubItemLengthPastEnd_IsInvalidParameter() =>
        AssertInvalid(PduType.AssociateRequest, RequestBody(b => b
            .Item(0x10, AppContext)
            .Item(0x20, pc => pc.U8(1).U8(0).U8(0).U8(0).Item(0x30, TestPdus.Verification).U8(0x40).U8(0).U16(50).Ascii(TestPdus.ImplicitLE))
            .Item(0x50, MinimalUserInformation)));

    [Fact]
    public void Parse_PresentationContextItemCutShort_IsInvalidParameter() =>
        AssertInvalid(PduType.AssociateRequest, RequestBody(b => b
            .Item(0x10, AppContext)
            .Item(0x20, pc => pc.U8(1).U8(0))
            .Item(0x50, MinimalUserInformation)));

    [Fact]
    public void Parse_UserInformationSubItemLengthPastEnd_IsInvalidParameter() =>
        AssertInvalid(PduType.AssociateRequest, RequestBody(b => b
            .Item(0x10, AppContext)
            .Item(0x50, ui => ui.Item(0x51, m => m.U32(0)).U8(0x52).U8(0).U16(200).Ascii("1.2.3"))));

    [Fact]
    public void Parse_MaximumLengthSubItemNotFourBytes_IsInvalidParameter() =>
        AssertInvalid(PduType.AssociateRequest, RequestBody(b => b
            .Item(0x10, AppContext)
            .Item(0x50, ui => ui.Item(0x51, m => m.U16(0)).Item(0x52, "1.2.3"))));

    [Fact]
    public void Parse_RoleSelectionUidLengthPastEnd_IsInvalidParameter() =>
        AssertInvalid(PduType.AssociateRequest, RequestBody(b => b
            .Item(0x10, AppContext)
            .Item(0x50, ui => ui.Item(0x51, m => m.U32(0)).Item(0x52, "1.2.3").Item(0x54, r => r.U16(40).Ascii("1.2").U8(1).U8(1)))));

    [Fact]
    public void Parse_UserIdentityPrimaryFieldPastEnd_IsInvalidParameter() =>
        AssertInvalid(PduType.AssociateRequest, RequestBody(b => b
            .Item(0x10, AppContext)
            .Item(0x50, ui => ui.Item(0x51, m => m.U32(0)).Item(0x52, "1.2.3").Item(0x58, u => u.U8(1).U8(0).U16(10).Ascii("bob").U16(0)))));

    [Fact]
    public void Parse_CommonExtendedRelatedLengthMismatch_IsInvalidParameter() =>
        AssertInvalid(PduType.AssociateRequest, RequestBody(b => b
            .Item(0x10, AppContext)
            .Item(0x50, ui => ui.Item(0x51, m => m.U32(0)).Item(0x52, "1.2.3")
                .Item(0x57, c => c.LengthPrefixed("1.2").LengthPrefixed("1.3").U16(9).LengthPrefixed("1.4")))));

    [Fact]
    public void Parse_NoApplicationContext_IsInvalidParameter() =>
        AssertInvalid(PduType.AssociateRequest, RequestBody(b => b
            .Item(0x20, pc => pc.U8(1).U8(0).U8(0).U8(0).Item(0x30, TestPdus.Verification).Item(0x40, TestPdus.ImplicitLE))
            .Item(0x50, MinimalUserInformation)));

    [Fact]
    public void Parse_NoUserInformation_IsInvalidParameter() =>
        AssertInvalid(PduType.AssociateRequest, RequestBody(b => b
            .Item(0x10, AppContext)
            .Item(0x20, pc => pc.U8(1).U8(0).U8(0).U8(0).Item(0x30, TestPdus.Verification).Item(0x40, TestPdus.ImplicitLE))));

    [Fact]
    public void Parse_AcceptWithoutUserInformation_IsInvalidParameter() =>
        AssertInvalid(PduType.AssociateAccept, RequestBody(b => b
            .Item(0x10, AppContext)
            .Item(0x21, pc => pc.U8(1).U8(0).U8(0).U8(0).Item(0x40, TestPdus.ImplicitLE))));

    [Fact]
    public void Parse_UnknownItemInAssociateRequest_IsUnrecognizedParameter()
    {
        byte[] body = RequestBody(b => b.Item(0x10, AppContext).Item(0x33, "x").Item(0x50, MinimalUserInformation));

        var ex = Assert.Throws<DicomProtocolException>(() => PduReader.Parse(PduType.AssociateRequest, body, PduLimits.Default));

        Assert.Equal(AbortReason.UnrecognizedPduParameter, ex.Reason);
    }

    [Fact]
    public void Parse_MorePresentationContextsThanLimit_IsInvalidParameter()
    {
        var limits = new PduLimits { MaxPresentationContexts = 2 };
        byte[] body = RequestBody(b =>
        {
            b.Item(0x10, AppContext);
            foreach (byte id in new byte[] { 1, 3, 5 })
            {
                b.Item(0x20, pc => pc.U8(id).U8(0).U8(0).U8(0).Item(0x30, TestPdus.Verification).Item(0x40, TestPdus.ImplicitLE));
            }

            b.Item(0x50, MinimalUserInformation);
        });

        AssertInvalid(PduType.AssociateRequest, body, limits);
        Assert.Equal(3, ((AssociateRequestPdu)PduReader.Parse(PduType.AssociateRequest, body, limits with { MaxPresentationContexts = 3 })).PresentationContexts.Count);
    }

    [Fact]
    public void Parse_MoreTransferSyntaxesThanLimit_IsInvalidParameter()
    {
        var limits = new PduLimits { MaxTransferSyntaxesPerContext = 2 };
        byte[] body = RequestBody(b => b
            .Item(0x10, AppContext)
            .Item(0x20, pc => pc.U8(1).U8(0).U8(0).U8(0).Item(0x30, TestPdus.Verification)
                .Item(0x40, TestPdus.ImplicitLE).Item(0x40, TestPdus.ExplicitLE).Item(0x40, "1.2.840.10008.1.2.2"))
            .Item(0x50, MinimalUserInformation));

        AssertInvalid(PduType.AssociateRequest, body, limits);
    }

    [Fact]
    public void Parse_MoreUserInformationSubItemsOfOneKindThanLimit_IsInvalidParameter()
    {
        var limits = new PduLimits { MaxUserInformationSubItems = 2 };
        byte[] body = RequestBody(b => b
            .Item(0x10, AppContext)
            .Item(0x50, ui =>
            {
                MinimalUserInformation(ui);
                foreach (string uid in new[] { "1.2.1", "1.2.2", "1.2.3" })
                {
                    ui.Item(0x54, r => r.LengthPrefixed(uid).U8(1).U8(0));
                }
            }));

        AssertInvalid(PduType.AssociateRequest, body, limits);
    }

    [Fact]
    public void Parse_ThousandsOfUnknownUserInformationSubItems_IsInvalidParameter()
    {
        // Ignored sub-items still count: a peer cannot make us walk an unbounded list.
        var limits = new PduLimits { MaxUserInformationSubItems = 4 };
        byte[] body = RequestBody(b => b
            .Item(0x10, AppContext)
            .Item(0x50, ui =>
            {
                MinimalUserInformation(ui);
                for (int i = 0; i < 20; i++)
                {
                    ui.Item(0x5F, x => x.U8(0));
                }
            }));

        AssertInvalid(PduType.AssociateRequest, body, limits);
    }

    [Fact]
    public void Parse_UnknownUserInformationSubItems_AreIgnored()
    {
        byte[] body = RequestBody(b => b
            .Item(0x10, AppContext)
            .Item(0x20, pc => pc.U8(1).U8(0).U8(0).U8(0).Item(0x30, TestPdus.Verification).Item(0x40, TestPdus.ImplicitLE))
            .Item(0x50, ui => ui
                .Item(0x5A, x => x.Ascii("future"))
                .Item(0x51, m => m.U32(32768))
                .Item(0xFF, x => { })
                .Item(0x52, "1.2.3.4")
                .Item(0x55, "PEER_1")));

        var rq = (AssociateRequestPdu)PduReader.Parse(PduType.AssociateRequest, body, PduLimits.Default);

        Assert.Equal(32768u, rq.UserInformation.MaximumLength);
        Assert.Equal("1.2.3.4", rq.UserInformation.ImplementationClassUid);
        Assert.Equal("PEER_1", rq.UserInformation.ImplementationVersionName);
        Assert.Equal(TestPdus.Verification, Assert.Single(rq.PresentationContexts).AbstractSyntax);
    }

    [Fact]
    public void Parse_UidsPaddedWithNulOrSpace_AreTrimmed()
    {
        byte[] body = RequestBody(b => b
            .Item(0x10, AppContext + "\0")
            .Item(0x20, pc => pc.U8(1).U8(0).U8(0).U8(0).Item(0x30, TestPdus.Verification + "\0").Item(0x40, TestPdus.ImplicitLE + " "))
            .Item(0x50, MinimalUserInformation));

        var rq = (AssociateRequestPdu)PduReader.Parse(PduType.AssociateRequest, body, PduLimits.Default);

        Assert.Equal(AppContext, rq.ApplicationContext);
        Assert.Equal(TestPdus.Verification, rq.PresentationContexts[0].AbstractSyntax);
        Assert.Equal(TestPdus.ImplicitLE, rq.PresentationContexts[0].TransferSyntaxes[0]);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    public void Parse_PdvLengthBelowTwo_IsInvalidParameter(uint length) =>
        AssertInvalid(PduType.DataTransfer, new PduBytes().U32(length).U8(1).U8(3).ToArray());

    [Fact]
    public void Parse_PdvLengthPastEnd_IsInvalidParameter() =>
        AssertInvalid(PduType.DataTransfer, new PduBytes().Pdv(1, 3, [1, 2]).U32(10).U8(1).U8(3).U8(0).ToArray());

    [Fact]
    public void Parse_PdvHeaderCutShort_IsInvalidParameter() =>
        AssertInvalid(PduType.DataTransfer, new PduBytes().Pdv(1, 3, [1, 2]).U32(2).U8(1).ToArray());

    [Fact]
    public void Parse_EmptyDataTransfer_IsInvalidParameter() =>
        AssertInvalid(PduType.DataTransfer, []);

    [Theory]
    [InlineData(0x04)]
    [InlineData(0x07)]
    [InlineData(0x80)]
    [InlineData(0xFC)]
    public void Parse_ReservedBitsInMessageControlHeader_IsInvalidParameter(byte header) =>
        AssertInvalid(PduType.DataTransfer, new PduBytes().Pdv(1, header, [0]).ToArray());

    [Fact]
    public void Parse_DataTransfer_ValuesReferToTheBodyWithoutCopying()
    {
        byte[] body = new PduBytes().Pdv(1, 2, [9, 8, 7]).ToArray();

        var pdu = (DataTransferPdu)PduReader.Parse(PduType.DataTransfer, body, PduLimits.Default);
        body[6] = 42;

        Assert.Equal(42, pdu.Values[0].Data.Span[0]);
    }

    private static void AssertInvalid(PduType type, byte[] body, PduLimits? limits = null)
    {
        var ex = Assert.Throws<DicomProtocolException>(() => PduReader.Parse(type, body, limits ?? PduLimits.Default));
        Assert.Equal(AbortReason.InvalidPduParameterValue, ex.Reason);
    }

    private static void MinimalUserInformation(PduBytes ui) => ui.Item(0x51, m => m.U32(16384)).Item(0x52, "1.2.3");

    /// <summary>An A-ASSOCIATE-RQ/AC body: the 68 fixed bytes (PS3.8 Table 9-11), then the given items.</summary>
    private static byte[] RequestBody(Action<PduBytes> items)
    {
        var b = new PduBytes().U16(1).U16(0).AETitle("GATEWAY").AETitle("SCU").Zeros(32);
        items(b);
        return b.ToArray();
    }
}
