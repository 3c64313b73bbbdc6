using Gateway.Dicom.Network.Pdus;

namespace Gateway.Dicom.Network.Tests.Support;

/// <summary>PDU helpers shared by the tests: parsing whole PDUs and building typical requests.</summary>
internal static class TestPdus
{
    public const string ImplicitLE = "1.2.840.10008.1.2";
    public const string ExplicitLE = "1.2.840.10008.1.2.1";
    public const string Verification = "1.2.840.10008.1.1";
    public const string CTImageStorage = "1.2.840.10008.5.1.4.1.1.2";
    public const string SecondaryCapture = "1.2.840.10008.5.1.4.1.1.7";
    public const string StudyRootFind = "1.2.840.10008.5.1.4.1.2.2.1";
    public const string StudyRootMove = "1.2.840.10008.5.1.4.1.2.2.2";
    public const string StudyRootGet = "1.2.840.10008.5.1.4.1.2.2.3";

    /// <summary>Parses a whole PDU (header and body) as a peer would receive it.</summary>
    public static Pdu Parse(byte[] bytes, PduLimits? limits = null)
    {
        limits ??= PduLimits.Default;
        (PduType type, uint length) = PduReader.CheckHeader(bytes.AsSpan(0, PduWriter.PduHeaderLength), limits);
        Assert.Equal(bytes.Length - PduWriter.PduHeaderLength, (int)length);
        return PduReader.Parse(type, bytes.AsMemory(PduWriter.PduHeaderLength), limits);
    }

    /// <summary>A plain A-ASSOCIATE-RQ proposing Verification (id 1) and CT storage (id 3).</summary>
    public static AssociateRequestPdu Request(string called = "GATEWAY", string calling = "SCU", params PresentationContextProposal[] contexts) => new()
    {
        CalledAE = called,
        CallingAE = calling,
        PresentationContexts = contexts.Length > 0
            ? contexts
            : [new PresentationContextProposal(1, Verification, [ImplicitLE]), new PresentationContextProposal(3, CTImageStorage, [ExplicitLE, ImplicitLE])],
        UserInformation = new UserInformation { MaximumLength = 16384, ImplementationClassUid = "1.2.3.4", ImplementationVersionName = "FAKE_PEER" },
    };
}
