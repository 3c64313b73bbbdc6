using System.Globalization;
using System.Text.RegularExpressions;

namespace Gateway.Policy.Loading;

/// <summary>Parsers and checks for the scalar values of the policy language: names, AE titles, sizes, times, days.</summary>
public static partial class PolicyValues
{
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    /// <summary>True for a policy name: 1-64 characters, lower-case letters, digits, '.', '_' and '-', starting with a letter or digit.</summary>
    public static bool IsName(string value) => NamePattern().IsMatch(value);

    /// <summary>
    /// Checks an AE title (PS3.5 6.2, VR AE): 1-16 characters of the default repertoire without backslash or control
    /// characters, not only spaces. Leading and trailing spaces are not significant and are removed.
    /// </summary>
    /// <param name="value">The title as written.</param>
    /// <param name="title">The title without padding.</param>
    /// <param name="error">Why it is not an AE title, or null.</param>
    public static bool TryParseAETitle(string value, out string title, out string? error)
    {
        ArgumentNullException.ThrowIfNull(value);
        title = value.Trim(' ');
        if (title.Length == 0)
        {
            error = "an AE title must not be empty or only spaces";
            return false;
        }

        if (title.Length > 16)
        {
            error = $"AE title '{title}' is {title.Length} characters; the limit is 16 (PS3.5 6.2)";
            return false;
        }

        foreach (char c in title)
        {
            if (c is < ' ' or > '~' or '\\')
            {
                error = $"AE title '{title}' holds a character AE titles may not ({(c < ' ' ? "control character" : "'" + c + "'")})";
                return false;
            }
        }

        error = null;
        return true;
    }

    /// <summary>Parses a size: a whole number of bytes, or with a unit B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024).</summary>
    public static bool TryParseSize(string value, out long bytes)
    {
        ArgumentNullException.ThrowIfNull(value);
        bytes = 0;
        Match m = SizePattern().Match(value.Trim());
        if (!m.Success || !long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out long number))
        {
            return false;
        }

        long unit = m.Groups[2].Value.ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "KB" => 1000,
            "MB" => 1000_000,
            "GB" => 1000_000_000,
            "TB" => 1000_000_000_000,
            "KIB" => 1L << 10,
            "MIB" => 1L << 20,
            "GIB" => 1L << 30,
            "TIB" => 1L << 40,
            _ => 0,
        };
        if (unit == 0 || number > long.MaxValue / unit)
        {
            return false;
        }

        bytes = number * unit;
        return true;
    }

    /// <summary>Formats a size with the largest binary unit that divides it (<c>512 MiB</c>), else in bytes.</summary>
    public static string FormatSize(long bytes)
    {
        (long Unit, string Name)[] units = [(1L << 40, "TiB"), (1L << 30, "GiB"), (1L << 20, "MiB"), (1L << 10, "KiB")];
        foreach ((long unit, string name) in units)
        {
            if (bytes >= unit && bytes % unit == 0)
            {
                return (bytes / unit).ToString(CultureInfo.InvariantCulture) + " " + name;
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture) + " B";
    }

    /// <summary>Parses a time of day <c>HH:MM</c> (24-hour); <c>24:00</c> is the end of the day (returned as 00:00).</summary>
    public static bool TryParseTime(string value, out TimeOnly time)
    {
        ArgumentNullException.ThrowIfNull(value);
        time = default;
        string v = value.Trim();
        if (v == "24:00")
        {
            return true;
        }

        return v.Length == 5 && TimeOnly.TryParseExact(v, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }

    /// <summary>Parses days: <c>mon</c> ... <c>sun</c>, ranges like <c>mon-fri</c>; returns the bit mask (1 &lt;&lt; DayOfWeek).</summary>
    public static bool TryParseDays(string value, out byte days)
    {
        ArgumentNullException.ThrowIfNull(value);
        days = 0;
        string v = value.Trim().ToLowerInvariant();
        int dash = v.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            int d = Array.IndexOf(DayNames, v);
            if (d < 0)
            {
                return false;
            }

            days = (byte)(1 << d);
            return true;
        }

        int from = Array.IndexOf(DayNames, v[..dash]);
        int to = Array.IndexOf(DayNames, v[(dash + 1)..]);
        if (from < 0 || to < 0)
        {
            return false;
        }

        // Weeks start on Monday in the ranges people write ("mon-sun", "fri-mon").
        for (int i = from; ; i = (i + 1) % 7)
        {
            days |= (byte)(1 << i);
            if (i == to)
            {
                break;
            }
        }

        return true;
    }

    /// <summary>Formats a day mask as people write it: <c>every day</c>, <c>mon-fri</c>, <c>sat, sun</c>.</summary>
    public static string FormatDays(byte days)
    {
        if ((days & 0x7F) == 0x7F)
        {
            return "every day";
        }

        if (days == 0b0111110)
        {
            return "mon-fri";
        }

        int[] order = [1, 2, 3, 4, 5, 6, 0];
        return string.Join(", ", order.Where(d => (days & (1 << d)) != 0).Select(d => DayNames[d]));
    }

    /// <summary>The name closest to <paramref name="value"/> among <paramref name="candidates"/> (edit distance at most 2), for "did you mean".</summary>
    public static string? Suggest(string value, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(candidates);
        string? best = null;
        int bestDistance = 3;
        foreach (string candidate in candidates)
        {
            int d = Distance(value, candidate);
            if (d < bestDistance)
            {
                best = candidate;
                bestDistance = d;
            }
        }

        return best;
    }

    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 2 || a.Length > 64 || b.Length > 64)
        {
            return int.MaxValue;
        }

        int[] previous = new int[b.Length + 1];
        int[] current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex("^([0-9]{1,19})\\s*([A-Za-z]{0,3})$", RegexOptions.CultureInvariant)]
    private static partial Regex SizePattern();
}
