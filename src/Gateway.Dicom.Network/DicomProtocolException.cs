using Gateway.Dicom.Network.Pdus;

namespace Gateway.Dicom.Network;

/// <summary>
/// A violation of the Upper Layer protocol by the peer (malformed or unexpected PDU, a limit exceeded): the
/// association is aborted with <see cref="Reason"/> as the A-ABORT reason (source: service-provider).
/// </summary>
public sealed class DicomProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DicomProtocolException(AbortReason reason, string message, Exception? inner = null)
        : base(message, inner)
    {
        Reason = reason;
    }

    /// <summary>The A-ABORT reason this violation maps to (PS3.8 Table 9-26).</summary>
    public AbortReason Reason { get; }
}
