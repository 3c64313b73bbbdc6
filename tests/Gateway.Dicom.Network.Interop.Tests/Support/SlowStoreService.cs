using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Services;

namespace Gateway.Dicom.Network.Interop.Tests.Support;

/// <summary>
/// A store service that answers each C-STORE only after a delay, like an SCU writing to a slow disk, and reports when a
/// C-STORE has arrived (so a test can act while its response is still outstanding).
/// </summary>
internal sealed class SlowStoreService(IStoreService inner, TimeSpan delay, Action? arrived = null) : IStoreService
{
    public async Task<DimseStatus> StoreAsync(StoreRequest request, CancellationToken cancellationToken)
    {
        arrived?.Invoke();
        DimseStatus status = await inner.StoreAsync(request, cancellationToken);
        await Task.Delay(delay, CancellationToken.None);
        return status;
    }
}
