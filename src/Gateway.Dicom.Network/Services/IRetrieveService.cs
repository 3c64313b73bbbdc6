using Gateway.Dicom.Network.Associations;

namespace Gateway.Dicom.Network.Services;

/// <summary>Performs C-MOVE and C-GET retrievals (PS3.4 C.4.2, C.4.3).</summary>
public interface IRetrieveService
{
    /// <summary>
    /// Sends the matching instances to <see cref="QueryRequest.MoveDestination"/> (C-MOVE) on a new association, yielding
    /// progress after each sub-operation. Throw <see cref="DimseStatusException"/> (for example Move Destination Unknown) to fail.
    /// </summary>
    IAsyncEnumerable<RetrieveProgress> MoveAsync(QueryRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Sends the matching instances back on the requesting association as C-STORE sub-operations (C-GET), through
    /// <paramref name="sender"/>, yielding progress after each.
    /// </summary>
    IAsyncEnumerable<RetrieveProgress> GetAsync(QueryRequest request, SubOperationSender sender, CancellationToken cancellationToken);
}
