using System.Collections.Concurrent;
using System.Security.Cryptography;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Services;

namespace Gateway.Backup.Drill;

/// <summary>The drill client's C-STORE receiver for C-GET: hashes each data set as it arrives and keeps nothing else.</summary>
internal sealed class HashingStoreService : IStoreService
{
    /// <summary>SHA-256 (hex) of each received data set by SOP Instance UID; a UID received twice keeps the mark "duplicate".</summary>
    public ConcurrentDictionary<string, string> Received { get; } = new(StringComparer.Ordinal);

    public async Task<DimseStatus> StoreAsync(StoreRequest request, CancellationToken cancellationToken)
    {
        string hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(request.DataSet, cancellationToken).ConfigureAwait(false));
        Received.AddOrUpdate(request.SopInstanceUid, hash, (_, _) => "duplicate");
        return DimseStatus.Success;
    }
}
