using Gateway.Dicom.Network.Pdus;

namespace Gateway.Dicom.Network.Associations;

/// <summary>The association ended abnormally: an A-ABORT from either side, a protocol violation, a timeout, or a lost connection.</summary>
public sealed class DicomAssociationAbortedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DicomAssociationAbortedException(string message, AbortPdu? abort = null, Exception? inner = null)
        : base(message, inner)
    {
        Abort = abort;
    }

    /// <summary>The A-ABORT received or sent, when there was one.</summary>
    public AbortPdu? Abort { get; }
}
