using System.Globalization;
using System.Security.Cryptography;

namespace Gateway.Backup;

/// <summary>Snapshot and drill ids: <c>yyyyMMddTHHmmssZ-xxxxxxxx</c> (UTC time, 32 random bits), so ordinal order is time order.</summary>
public static class SnapshotId
{
    /// <summary>A new id for <paramref name="time"/>.</summary>
    public static string New(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>True when <paramref name="id"/> has the id's exact shape (so it is safe as a directory name).</summary>
    public static bool IsValid(string? id) =>
        id is { Length: 25 } && id[8] == 'T' && id[15] == 'Z' && id[16] == '-'
        && id.AsSpan(0, 8).ContainsAnyExceptInRange('0', '9') is false
        && id.AsSpan(9, 6).ContainsAnyExceptInRange('0', '9') is false
        && id.AsSpan(17).ToString().All(char.IsAsciiHexDigitLower);
}
