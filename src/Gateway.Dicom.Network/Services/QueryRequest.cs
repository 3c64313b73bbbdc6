using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Associations;

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
}
