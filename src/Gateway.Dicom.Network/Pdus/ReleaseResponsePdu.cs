namespace Gateway.Dicom.Network.Pdus;

/// <summary>A-RELEASE-RP (PS3.8 9.3.7).</summary>
public sealed record ReleaseResponsePdu : Pdu
{
    /// <summary>The one instance (the PDU has no parameters).</summary>
    public static ReleaseResponsePdu Instance { get; } = new();

    /// <inheritdoc />
    public override PduType Type => PduType.ReleaseResponse;
}
