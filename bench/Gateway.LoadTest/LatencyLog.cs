using System.Globalization;

namespace Gateway.LoadTest;

/// <summary>Operation latencies and failures, kept per 10-second window so that a fault's phase shows in the figures.</summary>
internal sealed class LatencyLog(string name, DateTimeOffset start)
{
    private const int WindowSeconds = 10;
    private readonly Lock _lock = new();
    private readonly List<double> _all = [];
    private readonly SortedDictionary<int, List<double>> _windows = [];
    private readonly SortedDictionary<int, int> _windowFailures = [];
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public int Succeeded
    {
        get
        {
            lock (_lock)
            {
                return _all.Count;
            }
        }
    }

    public void Success(DateTimeOffset at, TimeSpan latency)
    {
        lock (_lock)
        {
            _all.Add(latency.TotalMilliseconds);
            int window = Window(at);
            if (!_windows.TryGetValue(window, out List<double>? list))
            {
                _windows[window] = list = [];
            }

            list.Add(latency.TotalMilliseconds);
        }
    }

    public void Failure(DateTimeOffset at, string reason)
    {
        lock (_lock)
        {
            _failures[reason] = _failures.GetValueOrDefault(reason) + 1;
            int window = Window(at);
            _windowFailures[window] = _windowFailures.GetValueOrDefault(window) + 1;
        }
    }

    public void Report(TextWriter output)
    {
        lock (_lock)
        {
            int failed = _failures.Values.Sum();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Name}: {_all.Count} ok, {failed} failed; latency ms p50 {Percentile(_all, 50):F1} p95 {Percentile(_all, 95):F1} p99 {Percentile(_all, 99):F1} max {Percentile(_all, 100):F1}"));
            foreach ((string reason, int count) in _failures.OrderByDescending(f => f.Value))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  failed {count} x: {reason}"));
            }
        }
    }

    public void ReportWindows(TextWriter output)
    {
        lock (_lock)
        {
            output.WriteLine($"{Name} per {WindowSeconds} s window (seconds from start: ok, failed, p50 ms, p99 ms):");
            foreach (int window in _windows.Keys.Union(_windowFailures.Keys).Order())
            {
                List<double> list = _windows.GetValueOrDefault(window) ?? [];
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {window * WindowSeconds,5} {list.Count,7} {_windowFailures.GetValueOrDefault(window),5} {Percentile(list, 50),9:F1} {Percentile(list, 99),9:F1}"));
            }
        }
    }

    private int Window(DateTimeOffset at) => (int)((at - start).TotalSeconds / WindowSeconds);

    private static double Percentile(List<double> values, int percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        double[] sorted = [.. values.Order()];
        int index = (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}
