namespace Gateway.Dicom.Network.Pdus;

/// <summary>P-DATA-TF (PS3.8 9.3.5): one or more presentation data values.</summary>
/// <param name="Values">The presentation data values, in order.</param>
public sealed record DataTransferPdu(IReadOnlyList<PresentationDataValue> Values) : Pdu
{
    /// <inheritdoc />
    public override PduType Type => PduType.DataTransfer;
}
