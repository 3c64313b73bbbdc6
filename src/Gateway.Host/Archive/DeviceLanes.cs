using System.Security.Cryptography;
using System.Text;

namespace Gateway.Host.Archive;

/// <summary>
/// The outbox destinations ("lanes") of a VLAN device: <c>@AE</c> carries pushes from the clinical side, <c>+AE</c>
/// carries prefetched priors. Two lanes mean two queues with their own forwarder loop, so priors waiting for the device
/// never sit in front of a push, and the prefetch lane can step aside while live traffic runs (see
/// <see cref="LiveTraffic"/>).
/// </summary>
/// <remarks>
/// A lane name is an outbox destination, so at most 16 characters of the AE title repertoire. The prefixes cannot start
/// a policy service name (<c>a-z 0-9</c> first) and upstream names may not use them, so a lane is never mistaken for
/// either. An AE title of 16 characters keeps its first 9 and gets 6 hex digits of its SHA-256.
/// </remarks>
public static class DeviceLanes
{
    /// <summary>First character of a push lane.</summary>
    public const char LivePrefix = '@';

    /// <summary>First character of a prefetch lane.</summary>
    public const char PrefetchPrefix = '+';

    /// <summary>The push lane of device <paramref name="aeTitle"/>.</summary>
    public static string Live(string aeTitle) => Name(LivePrefix, aeTitle);

    /// <summary>The prefetch lane of device <paramref name="aeTitle"/>.</summary>
    public static string Prefetch(string aeTitle) => Name(PrefetchPrefix, aeTitle);

    /// <summary>True for a name that is (or would be taken for) a device lane.</summary>
    public static bool IsDeviceLane(string destination) => destination is { Length: > 0 } && destination[0] is LivePrefix or PrefetchPrefix;

    /// <summary>True for a prefetch lane.</summary>
    public static bool IsPrefetchLane(string destination) => destination is { Length: > 0 } && destination[0] == PrefetchPrefix;

    /// <summary>The device among <paramref name="aeTitles"/> whose lane <paramref name="destination"/> is, or null.</summary>
    public static string? DeviceOf(string destination, IEnumerable<string> aeTitles)
    {
        ArgumentNullException.ThrowIfNull(aeTitles);
        if (!IsDeviceLane(destination))
        {
            return null;
        }

        return aeTitles.FirstOrDefault(ae => IsAETitle(ae) && (Live(ae) == destination || Prefetch(ae) == destination));
    }

    /// <summary>PS3.5 6.2: 1-16 characters of the default repertoire, no backslash or control characters, not all spaces.</summary>
    public static bool IsAETitle(string? value) =>
        value?.Trim() is { Length: > 0 and <= 16 } v && v.All(c => c is >= ' ' and <= '~' && c != '\\');

    private static string Name(char prefix, string aeTitle)
    {
        if (!IsAETitle(aeTitle))
        {
            throw new ArgumentException("not an AE title", nameof(aeTitle));
        }

        string ae = aeTitle.Trim();
        if (ae.Length <= 15)
        {
            return prefix + ae;
        }

        string hash = Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(ae)), 0, 3);
        return prefix + ae[..9] + hash;
    }
}
