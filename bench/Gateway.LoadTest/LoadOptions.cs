using System.Globalization;
using System.Net;

namespace Gateway.LoadTest;

/// <summary>The command line: <c>MODE --name value ...</c>.</summary>
internal sealed class LoadOptions
{
    public required string Mode { get; init; }

    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 11112;

    public string CalledAE { get; init; } = "GATEWAY";

    public string AEPrefix { get; init; } = "DEV";

    public int Devices { get; init; } = 16;

    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(10);

    public string? Template { get; init; }

    public int StudySize { get; init; } = 20;

    public int FindEvery { get; init; } = 3;

    public double ImagesPerSecond { get; init; } = 5;

    /// <summary>Devices connect from this network's host number = device number (127.0.1.0: 127.0.1.1 ...).</summary>
    public IPAddress? SourceNetwork { get; init; }

    /// <summary>The attacker's address for slowloris and flood.</summary>
    public IPAddress? From { get; init; }

    public int Connections { get; init; } = 200;

    public string Output { get; init; } = ".";

    public long Bytes { get; init; } = 4 << 20;

    public static LoadOptions Parse(string[] args)
    {
        if (args.Length == 0 || args.Length % 2 == 0)
        {
            throw new ArgumentException("usage: Gateway.LoadTest devices|slowloris|flood|oversize --name value ...");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 1; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"expected --name, got '{args[i]}'");
            }

            values[args[i][2..]] = args[i + 1];
        }

        string? Take(string name) => values.Remove(name, out string? v) ? v : null;
        int Int(string name, int fallback) => Take(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var result = new LoadOptions
        {
            Mode = args[0],
            Host = Take("host") ?? "127.0.0.1",
            Port = Int("port", 11112),
            CalledAE = Take("called") ?? "GATEWAY",
            AEPrefix = Take("ae-prefix") ?? "DEV",
            Devices = Int("devices", 16),
            Duration = TimeSpan.FromSeconds(Int("seconds", 600)),
            Template = Take("template"),
            StudySize = Int("study-size", 20),
            FindEvery = Int("find-every", 3),
            ImagesPerSecond = Take("rate") is { } r ? double.Parse(r, CultureInfo.InvariantCulture) : 5,
            SourceNetwork = Take("source-network") is { } n ? IPAddress.Parse(n) : null,
            From = Take("from") is { } f ? IPAddress.Parse(f) : null,
            Connections = Int("connections", 200),
            Output = Take("out") ?? ".",
            Bytes = Take("bytes") is { } b ? long.Parse(b, CultureInfo.InvariantCulture) : 4 << 20,
        };
        if (values.Count > 0)
        {
            throw new ArgumentException("unknown option(s): " + string.Join(", ", values.Keys.Select(k => "--" + k)));
        }

        return result;
    }
}
