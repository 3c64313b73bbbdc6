using System.Collections.Concurrent;

namespace Gateway.Host.Archive;

/// <summary>
/// What live traffic is doing now, so that prefetch can step aside: C-STOREs being received from devices and from the
/// clinical side (the path whose Success must not wait), and the push lanes of devices that have items to deliver.
/// </summary>
/// <remarks>
/// Prefetch shares two things with live traffic: the archive (disk writes and their fsyncs, the index's one writer) and
/// a device's link and association slots. It therefore waits until no live C-STORE is in flight and none ended within
/// <see cref="QuietPeriod"/>, and, before sending to a device, until that device's push lane is idle.
/// </remarks>
public sealed class LiveTraffic(TimeProvider time)
{
    /// <summary>How long after the last live C-STORE the archive counts as quiet.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private readonly ConcurrentDictionary<string, bool> _busyLanes = new(StringComparer.Ordinal);
    private int _storesInFlight;
    private long _lastStoreEnded = long.MinValue;

    /// <summary>Live C-STOREs being received now.</summary>
    public int StoresInFlight => Volatile.Read(ref _storesInFlight);

    /// <summary>Marks a live C-STORE in flight until the returned scope is disposed.</summary>
    public IDisposable BeginStore()
    {
        Interlocked.Increment(ref _storesInFlight);
        return new StoreScope(this);
    }

    /// <summary>Reports whether device <paramref name="aeTitle"/>'s push lane has work (its forwarder holds an item) or is idle.</summary>
    public void SetPushLaneBusy(string aeTitle, bool busy) => _busyLanes[aeTitle] = busy;

    /// <summary>True when no live C-STORE is in flight or recent, and (with a device) that device's push lane is idle.</summary>
    public bool IsQuiet(string? deviceAETitle = null)
    {
        if (Volatile.Read(ref _storesInFlight) > 0)
        {
            return false;
        }

        long ended = Interlocked.Read(ref _lastStoreEnded);
        if (ended != long.MinValue && time.GetElapsedTime(ended) < QuietPeriod)
        {
            return false;
        }

        return deviceAETitle is null || !_busyLanes.GetValueOrDefault(deviceAETitle);
    }

    /// <summary>Waits until <see cref="IsQuiet"/>; returns false when <paramref name="atMost"/> passed first (infinite: never).</summary>
    public async Task<bool> WaitUntilQuietAsync(string? deviceAETitle, TimeSpan atMost, CancellationToken cancellationToken)
    {
        long start = time.GetTimestamp();
        while (!IsQuiet(deviceAETitle))
        {
            if (atMost != Timeout.InfiniteTimeSpan && time.GetElapsedTime(start) >= atMost)
            {
                return false;
            }

            await Task.Delay(Poll, time, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private void EndStore()
    {
        Interlocked.Exchange(ref _lastStoreEnded, time.GetTimestamp());
        Interlocked.Decrement(ref _storesInFlight);
    }

    private sealed class StoreScope(LiveTraffic owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.EndStore();
            }
        }
    }
}
