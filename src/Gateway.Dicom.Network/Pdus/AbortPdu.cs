namespace Gateway.Dicom.Network.Pdus;

/// <summary>A-ABORT (PS3.8 9.3.8).</summary>
/// <param name="Source">Who aborted.</param>
/// <param name="Reason">Why, when the service-provider aborted.</param>
public sealed record AbortPdu(AbortSource Source, AbortReason Reason) : Pdu
{
    /// <inheritdoc />
    public override PduType Type => PduType.Abort;
}
