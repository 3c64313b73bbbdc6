namespace Gateway.Dicom.Network.Pdus;

/// <summary>A-RELEASE-RQ (PS3.8 9.3.6).</summary>
public sealed record ReleaseRequestPdu : Pdu
{
    /// <summary>The one instance (the PDU has no parameters).</summary>
    public static ReleaseRequestPdu Instance { get; } = new();

    /// <inheritdoc />
    public override PduType Type => PduType.ReleaseRequest;
}
