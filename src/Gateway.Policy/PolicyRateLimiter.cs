using System.Collections.Concurrent;

namespace Gateway.Policy;

/// <summary>
/// Counts what the rate limits of allowed decisions limit: a fixed one-minute window per principal, rule and kind.
/// Thread-safe. The evaluator says which limit applies (<see cref="PolicyDecision.RateLimit"/>); the host asks this
/// class whether one more association, instance or request fits.
/// </summary>
/// <remarks>
/// Keys are the principal and rule names of allowed decisions, so their number is bounded by the policy, not by what
/// peers send; windows older than two minutes are swept from time to time (they may belong to a policy reloaded since).
/// </remarks>
public sealed class PolicyRateLimiter
{
    private const int SweepEvery = 4096;
    private static readonly long WindowTicks = TimeSpan.TicksPerMinute;

    private readonly ConcurrentDictionary<(string Principal, string Rule, PolicyRateLimitKind Kind), Window> _windows = new();
    private readonly TimeProvider _time;
    private int _untilSweep = SweepEvery;

    /// <summary>Creates a limiter reading the time from <paramref name="time"/>.</summary>
    public PolicyRateLimiter(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>The number of windows held (for tests and metrics).</summary>
    public int Count => _windows.Count;

    /// <summary>
    /// Counts <paramref name="count"/> units against the limit of <paramref name="kind"/> in the decision; false (and
    /// nothing counted) when they do not fit in the current minute. A decision without that limit always fits; a denied
    /// decision never does.
    /// </summary>
    public bool TryAcquire(in PolicyDecision decision, PolicyRateLimitKind kind, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (!decision.IsAllowed)
        {
            return false;
        }

        int limit = decision.RateLimit.For(kind);
        if (limit == 0)
        {
            return true;
        }

        long now = _time.GetUtcNow().UtcTicks;
        if (Interlocked.Decrement(ref _untilSweep) <= 0)
        {
            Interlocked.Exchange(ref _untilSweep, SweepEvery);
            Sweep(now);
        }

        Window window = _windows.GetOrAdd((decision.Principal ?? string.Empty, decision.Rule ?? string.Empty, kind), static _ => new Window());
        return window.TryAdd(now - (now % WindowTicks), count, limit);
    }

    /// <summary>Removes windows that ended more than a minute ago.</summary>
    public void Sweep() => Sweep(_time.GetUtcNow().UtcTicks);

    private void Sweep(long now)
    {
        long current = now - (now % WindowTicks);
        foreach (KeyValuePair<(string, string, PolicyRateLimitKind), Window> entry in _windows)
        {
            if (entry.Value.Start < current - WindowTicks)
            {
                _windows.TryRemove(entry);
            }
        }
    }

    private sealed class Window
    {
        private readonly Lock _lock = new();
        private int _count;

        public long Start { get; private set; }

        public bool TryAdd(long start, int count, int limit)
        {
            lock (_lock)
            {
                if (start != Start)
                {
                    Start = start;
                    _count = 0;
                }

                if (_count > limit - count)
                {
                    return false;
                }

                _count += count;
                return true;
            }
        }
    }
}
