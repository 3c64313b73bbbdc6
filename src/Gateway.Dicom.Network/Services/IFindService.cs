using Gateway.Dicom.Model;

namespace Gateway.Dicom.Network.Services;

/// <summary>Answers C-FIND queries (PS3.4 C, K): Patient Root, Study Root and Modality Worklist.</summary>
public interface IFindService
{
    /// <summary>
    /// Yields the matches, each sent as a pending response (FF00, or FF01 when the service set <see cref="QueryRequest.PendingStatus"/>
    /// before yielding it); cancelled by C-CANCEL. Throw <see cref="DimseStatusException"/> to fail.
    /// </summary>
    IAsyncEnumerable<DicomDataset> FindAsync(QueryRequest request, CancellationToken cancellationToken);
}
