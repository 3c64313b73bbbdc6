using Gateway.Dicom;
using Gateway.Dicom.Network.Associations;

namespace Gateway.Host.Dimse;

/// <summary>Sends one instance of a relayed retrieve on to its receiver and returns the receiver's response.</summary>
/// <param name="sopClass">Its SOP Class UID.</param>
/// <param name="sopInstance">Its SOP Instance UID.</param>
/// <param name="syntax">The transfer syntax <paramref name="dataSet"/> is encoded in.</param>
/// <param name="dataSet">The data set as the upstream sends it (read at most once).</param>
/// <param name="cancellationToken">Cancels the send.</param>
internal delegate Task<DimseResponse> SubOperationForward(string sopClass, string sopInstance, DicomTransferSyntax syntax, Stream dataSet, CancellationToken cancellationToken);
