using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Dimse;

namespace Gateway.Dicom.Network.Associations;

/// <summary>A DIMSE response received for a request this side sent.</summary>
/// <param name="Command">The response command (status, counts).</param>
/// <param name="DataSet">Its data set (a C-FIND match, a failed SOP instance list), or null.</param>
public sealed record DimseResponse(DimseCommand Command, DicomDataset? DataSet)
{
    /// <summary>The status of the response.</summary>
    public DimseStatus Status => Command.Status;
}
