using Gateway.Dicom.Network.Dimse;

namespace Gateway.Dicom.Network.Services;

/// <summary>Stores instances received by C-STORE (PS3.4 B).</summary>
public interface IStoreService
{
    /// <summary>Consumes the data set and returns the status to answer with; throw <see cref="DimseStatusException"/> to fail with a comment.</summary>
    Task<DimseStatus> StoreAsync(StoreRequest request, CancellationToken cancellationToken);
}
