using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Services;

namespace Gateway.Host.Dimse;

/// <summary>
/// The gateway's counts of a relayed C-MOVE or C-GET (PS3.4 C.4.2.1.5): each sub-operation by the receiver's status,
/// and the failed instances. Thread-safe: sub-operations may run concurrently.
/// </summary>
internal sealed class SubOperationCounts
{
    private readonly Lock _lock = new();
    private readonly List<string> _failedUids = [];
    private int _completed;
    private int _failed;
    private int _warning;

    /// <summary>Sub-operations counted so far.</summary>
    public int Attempted
    {
        get
        {
            lock (_lock)
            {
                return _completed + _failed + _warning;
            }
        }
    }

    /// <summary>Counts one sub-operation: Success completed, Warning warning, anything else failed.</summary>
    public void Add(DimseStatus status, string sopInstanceUid)
    {
        lock (_lock)
        {
            switch (status.Category)
            {
                case DimseStatusCategory.Success:
                    _completed++;
                    break;
                case DimseStatusCategory.Warning:
                    _warning++;
                    break;
                default:
                    _failed++;
                    _failedUids.Add(sopInstanceUid);
                    break;
            }
        }
    }

    /// <summary>The counts with <paramref name="remaining"/> sub-operations to go; <paramref name="moreFailed"/> failures the receiver never saw are added (with their UIDs).</summary>
    public RetrieveProgress Progress(int remaining, int moreFailed = 0, IReadOnlyList<string>? moreFailedUids = null)
    {
        lock (_lock)
        {
            IEnumerable<string> uids = _failedUids.Concat((moreFailedUids ?? []).Where(u => !_failedUids.Contains(u, StringComparer.Ordinal)));
            return new RetrieveProgress(remaining, _completed, _failed + moreFailed, _warning, [.. uids]);
        }
    }
}
