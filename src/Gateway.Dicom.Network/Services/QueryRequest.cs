using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;

namespace Gateway.Dicom.Network.Services;

/// <summary>An incoming C-FIND, C-MOVE or C-GET: the information model and the identifier.</summary>
/// <param name="Association">The association it arrived on.</param>
/// <param name="SopClassUid">The information model (Patient Root, Study Root, Modality Worklist ... FIND/MOVE/GET).</param>
/// <param name="Identifier">The query keys or the retrieve identifier.</param>
/// <param name="MoveDestination">For C-MOVE, the AE title to send the instances to.</param>
public sealed record QueryRequest(DicomAssociation Association, string SopClassUid, DicomDataset Identifier, string? MoveDestination)
{
    /// <summary>The request's Message ID: the Move Originator Message ID (0000,1031) of a C-MOVE's C-STORE sub-operations.</summary>
    public ushort MessageId { get; init; }

    /// <summary>
    /// For C-FIND, the status of the pending response that carries the next match a service yields:
    /// <see cref="DimseStatus.Pending"/> (FF00), or <see cref="DimseStatus.PendingWarning"/> (FF01) when one or more
    /// Optional Keys of the identifier were not supported for existence or matching (PS3.4 C.4.1.1.4). A service sets it
    /// before it yields the match; a relay passes on its upstream's. Any other value is sent as FF00.
    /// </summary>
    public DimseStatus PendingStatus { get; set; } = DimseStatus.Pending;
}
