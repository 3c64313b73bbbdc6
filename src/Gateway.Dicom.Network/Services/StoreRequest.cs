using Gateway.Dicom.Network.Associations;

namespace Gateway.Dicom.Network.Services;

/// <summary>An incoming C-STORE: who sent what, and the data set streaming in.</summary>
/// <param name="Association">The association it arrived on.</param>
/// <param name="SopClassUid">Affected SOP Class UID.</param>
/// <param name="SopInstanceUid">Affected SOP Instance UID.</param>
/// <param name="TransferSyntax">The transfer syntax of <paramref name="DataSet"/>.</param>
/// <param name="DataSet">The encoded data set as it arrives (deflated for the deflated syntax); read it to the end.</param>
/// <param name="MoveOriginatorAETitle">For a C-STORE made for a C-MOVE, the AE that asked for the move.</param>
public sealed record StoreRequest(
    DicomAssociation Association,
    string SopClassUid,
    string SopInstanceUid,
    DicomTransferSyntax TransferSyntax,
    Stream DataSet,
    string? MoveOriginatorAETitle);
