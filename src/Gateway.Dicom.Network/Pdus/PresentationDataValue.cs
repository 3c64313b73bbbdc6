namespace Gateway.Dicom.Network.Pdus;

/// <summary>One presentation data value item of a P-DATA-TF (PS3.8 9.3.5.1): a fragment of a DIMSE command or data set.</summary>
/// <param name="PresentationContextId">The presentation context (odd, 1-255).</param>
/// <param name="IsCommand">True for a command fragment, false for a data set fragment (message control header bit 0).</param>
/// <param name="IsLast">True for the last fragment of the command or data set (message control header bit 1).</param>
/// <param name="Data">The fragment.</param>
public sealed record PresentationDataValue(byte PresentationContextId, bool IsCommand, bool IsLast, ReadOnlyMemory<byte> Data)
{
    /// <summary>The message control header byte (PS3.8 E.2).</summary>
    public byte MessageControlHeader => (byte)((IsCommand ? 0x01 : 0x00) | (IsLast ? 0x02 : 0x00));
}
