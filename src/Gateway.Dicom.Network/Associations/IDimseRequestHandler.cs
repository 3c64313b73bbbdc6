namespace Gateway.Dicom.Network.Associations;

/// <summary>Handles DIMSE requests that arrive on an association (on an SCP, or C-STORE sub-operations of a C-GET on an SCU).</summary>
public interface IDimseRequestHandler
{
    /// <summary>
    /// Handles one request. The handler sends its response(s) through <paramref name="request"/>; it is started as
    /// soon as the command arrives, while the data set (if any) is still streaming in through <see cref="DimseRequest.DataSet"/>.
    /// </summary>
    /// <remarks>
    /// An exception ends the association with an A-ABORT. <paramref name="cancellationToken"/> is cancelled by a
    /// C-CANCEL for this request, or when the association ends.
    /// </remarks>
    Task HandleAsync(DimseRequest request, CancellationToken cancellationToken);
}
