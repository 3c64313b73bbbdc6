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
    /// With <see cref="AssociationOptions.RunHandlersOnReceiveThread"/> the handler runs on the association's receiving
    /// thread whenever it is not waiting: it starts there, and each read of <see cref="DimseRequest.DataSet"/> completes
    /// there as the fragments arrive. Blocking file I/O is fine (the association reads no further until it returns, as
    /// a single-threaded SCP would). In either mode a handler must never block synchronously on something its own
    /// association delivers (a response, a C-CANCEL): await it.
    /// </remarks>
    Task HandleAsync(DimseRequest request, CancellationToken cancellationToken);
}
