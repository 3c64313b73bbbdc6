using Gateway.Dicom.Network.Pdus;

namespace Gateway.Dicom.Network.Associations;

/// <summary>The acceptor rejected the association (A-ASSOCIATE-RJ).</summary>
public sealed class DicomAssociationRejectedException(AssociateRejectPdu reject)
    : Exception("association rejected: " + reject.Describe())
{
    /// <summary>The rejection as received.</summary>
    public AssociateRejectPdu Reject { get; } = reject;
}
