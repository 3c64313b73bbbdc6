using System.Globalization;

namespace Gateway.Dicom.Network.Services;

/// <summary>
/// The attribute matching of C-FIND (PS3.4 C.2.2.2): universal, single value, wildcard, list of UID and range
/// matching, applied to decoded values with their padding removed.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Single value matching is case-sensitive, except for PN, which PS3.4 C.2.2.2.1 lets an SCP match
/// case-insensitively; this matcher does (as Orthanc does by default), so "smith^john" finds "SMITH^John".</item>
/// <item>Wildcards (<c>*</c> any run, <c>?</c> one character) apply to the VRs C.2.2.2.4 allows them for, not to
/// UIDs, dates, times, numbers or AS. A key of <c>*</c> alone is universal matching for every VR.</item>
/// <item>DA, TM and DT take single values and ranges (<c>a-b</c>, <c>-b</c>, <c>a-</c>, C.2.2.2.5); a value given to a
/// lower precision stands for the whole interval it names (<c>10</c> as a time matches 10:00:00-10:59:59.999999).
/// Time zone offsets of DT values are ignored.</item>
/// <item>A key with several values (a list of UIDs, C.2.2.2.2, or any other multi-valued key, C.2.2.2.8) matches when one
/// of its values matches; a multi-valued attribute matches when one of its values does.</item>
/// </list>
/// </remarks>
public static class DicomQueryMatcher
{
    /// <summary>True when an attribute with <paramref name="values"/> matches the key <paramref name="keyValues"/>.</summary>
    /// <param name="vr">The VR of the attribute.</param>
    /// <param name="keyValues">The key's values; none (a zero-length key) is universal matching.</param>
    /// <param name="values">The attribute's values; none when it is absent or empty.</param>
    public static bool Matches(DicomVR vr, IReadOnlyList<string> keyValues, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(keyValues);
        ArgumentNullException.ThrowIfNull(values);
        if (IsUniversal(keyValues))
        {
            return true;
        }

        foreach (string key in keyValues)
        {
            if (key.Length == 0)
            {
                continue;
            }

            foreach (string value in values)
            {
                if (MatchesValue(vr, key, value))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>True when a key is universal matching: zero length, only empty values, or <c>*</c> alone.</summary>
    public static bool IsUniversal(IReadOnlyList<string> keyValues)
    {
        ArgumentNullException.ThrowIfNull(keyValues);
        return keyValues.All(k => k.Length == 0) || (keyValues.Count == 1 && keyValues[0] == "*");
    }

    /// <summary>True when wildcard matching applies to values of <paramref name="vr"/> (PS3.4 C.2.2.2.4).</summary>
    public static bool AllowsWildcards(DicomVR vr) => vr.Code is "AE" or "CS" or "LO" or "LT" or "PN" or "SH" or "ST" or "UC" or "UR" or "UT";

    /// <summary>Matches one key value against one attribute value.</summary>
    public static bool MatchesValue(DicomVR vr, string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (key == "*")
        {
            return true;
        }

        switch (vr.Code)
        {
            case "UI":
                return string.Equals(key, value, StringComparison.Ordinal);
            case "DA":
            case "TM":
            case "DT":
                return MatchesDateTime(vr, key, value);
            case "IS":
            case "DS":
                return double.TryParse(key, NumberStyles.Float, CultureInfo.InvariantCulture, out double k) &&
                       double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
                    ? k == v
                    : string.Equals(key, value, StringComparison.Ordinal);
            case "PN":
                return MatchesPersonName(key, value);
        }

        if (AllowsWildcards(vr) && HasWildcard(key))
        {
            return MatchesWildcard(key, value, ignoreCase: false);
        }

        return string.Equals(key, value, StringComparison.Ordinal);
    }

    /// <summary>
    /// Wildcard matching: <c>*</c> matches any run of characters (also none), <c>?</c> exactly one, anything else itself.
    /// Runs in O(pattern × value) at worst, so no pattern can make it backtrack exponentially.
    /// </summary>
    public static bool MatchesWildcard(string pattern, string value, bool ignoreCase)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(value);
        int p = 0;
        int v = 0;
        int star = -1;
        int resume = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || CharEquals(pattern[p], value[v], ignoreCase)))
            {
                p++;
                v++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                // Remember the star; first try to let it match nothing, widen it on a later mismatch.
                star = p++;
                resume = v;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>
    /// Date, time and date-time matching: a range <c>a-b</c>, <c>-b</c> or <c>a-</c> (inclusive), or a single value
    /// standing for the interval of its precision. A malformed key or value matches only an identical string.
    /// </summary>
    public static bool MatchesDateTime(DicomVR vr, string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        string? actual = Normalize(vr, value, upper: false);
        if (actual is null || !TryParseRange(vr, key, out string lower, out string upper))
        {
            return string.Equals(key, value, StringComparison.Ordinal);
        }

        return string.CompareOrdinal(actual, lower) >= 0 && string.CompareOrdinal(actual, upper) <= 0;
    }

    /// <summary>Splits a DA, TM or DT key into the inclusive bounds it denotes, as fixed-width digit strings.</summary>
    internal static bool TryParseRange(DicomVR vr, string key, out string lower, out string upper)
    {
        lower = string.Empty;
        upper = string.Empty;

        // A DT value may carry a "-ZZXX" offset: the key is a single value when it parses as one.
        if (!key.Contains('-', StringComparison.Ordinal) || (vr == DicomVR.DT && Normalize(vr, key, upper: false) is not null))
        {
            string? low = Normalize(vr, key, upper: false);
            string? high = Normalize(vr, key, upper: true);
            if (low is null || high is null)
            {
                return false;
            }

            (lower, upper) = (low, high);
            return true;
        }

        for (int dash = key.IndexOf('-', StringComparison.Ordinal); dash >= 0; dash = key.IndexOf('-', dash + 1))
        {
            string left = key[..dash];
            string right = key[(dash + 1)..];
            if (left.Length == 0 && right.Length == 0)
            {
                return false;
            }

            string? low = left.Length == 0 ? new string('0', Width(vr)) : Normalize(vr, left, upper: false);
            string? high = right.Length == 0 ? new string('9', Width(vr)) : Normalize(vr, right, upper: true);
            if (low is not null && high is not null)
            {
                (lower, upper) = (low, high);
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A DA, TM or DT value as a fixed-width digit string that sorts in time order: the components it lacks are filled
    /// with their lowest (or, for <paramref name="upper"/>, highest) values. Null when the text is malformed.
    /// </summary>
    internal static string? Normalize(DicomVR vr, string text, bool upper) => vr.Code switch
    {
        "DA" => NormalizeDate(text),
        "TM" => NormalizeTime(text, upper),
        "DT" => NormalizeDateTime(text, upper),
        _ => null,
    };

    private static int Width(DicomVR vr) => vr.Code switch
    {
        "DA" => 8,
        "TM" => 12,
        _ => 20,
    };

    private static string? NormalizeDate(string text)
    {
        // ACR-NEMA "YYYY.MM.DD" is still sent by old equipment (PS3.5 6.2, DA note).
        string digits = text.Length == 10 && text[4] == '.' && text[7] == '.' ? string.Concat(text.AsSpan(0, 4), text.AsSpan(5, 2), text.AsSpan(8, 2)) : text;
        return digits.Length == 8 && IsDigits(digits) ? digits : null;
    }

    private static string? NormalizeTime(string text, bool upper)
    {
        // HH[MM[SS[.F{1,6}]]]; the ACR-NEMA form HH:MM:SS is accepted too.
        string t = text.Contains(':', StringComparison.Ordinal) ? text.Replace(":", string.Empty, StringComparison.Ordinal) : text;
        int dot = t.IndexOf('.', StringComparison.Ordinal);
        string whole = dot >= 0 ? t[..dot] : t;
        string fraction = dot >= 0 ? t[(dot + 1)..] : string.Empty;
        if (whole.Length is not (2 or 4 or 6) || !IsDigits(whole) || fraction.Length > 6 || (fraction.Length > 0 && !IsDigits(fraction)) ||
            (dot >= 0 && whole.Length != 6))
        {
            return null;
        }

        string fill = upper ? "995959" : "000000";
        string padded = whole + fill[whole.Length..] + (dot >= 0 ? fraction.PadRight(6, upper ? '9' : '0') : (upper ? "999999" : "000000"));
        return padded;
    }

    private static string? NormalizeDateTime(string text, bool upper)
    {
        // YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX]: the offset is dropped. It is only recognised after an hour at least,
        // so that "2020-2021" stays a range of years.
        string t = text;
        if (t.Length >= 15 && (t[^5] == '+' || t[^5] == '-') && IsDigits(t[^4..]))
        {
            t = t[..^5];
        }

        int dot = t.IndexOf('.', StringComparison.Ordinal);
        string whole = dot >= 0 ? t[..dot] : t;
        string fraction = dot >= 0 ? t[(dot + 1)..] : string.Empty;
        if (whole.Length is not (4 or 6 or 8 or 10 or 12 or 14) || !IsDigits(whole) || fraction.Length > 6 ||
            (fraction.Length > 0 && !IsDigits(fraction)) || (dot >= 0 && whole.Length != 14))
        {
            return null;
        }

        string fill = upper ? "1231235959" : "0101000000";
        string padded = whole + fill[(whole.Length - 4)..] + (dot >= 0 ? fraction.PadRight(6, upper ? '9' : '0') : (upper ? "999999" : "000000"));
        return padded;
    }

    private static bool MatchesPersonName(string key, string value)
    {
        string k = NormalizePersonName(key);
        string v = NormalizePersonName(value);

        // A key without component groups is compared with the alphabetic group as well as with the whole name.
        string alphabetic = NormalizePersonName(v.Split('=')[0]);
        bool wildcard = HasWildcard(k);
        return wildcard
            ? MatchesWildcard(k, v, ignoreCase: true) || (!k.Contains('=', StringComparison.Ordinal) && MatchesWildcard(k, alphabetic, ignoreCase: true))
            : string.Equals(k, v, StringComparison.OrdinalIgnoreCase) || (!k.Contains('=', StringComparison.Ordinal) && string.Equals(k, alphabetic, StringComparison.OrdinalIgnoreCase));
    }

    // Trailing empty components and component groups carry no meaning (PS3.5 6.2.1.1): "Smith^John^^^" is "Smith^John".
    private static string NormalizePersonName(string name)
    {
        string[] groups = name.Split('=');
        for (int i = 0; i < groups.Length; i++)
        {
            groups[i] = groups[i].TrimEnd('^', ' ');
        }

        return string.Join('=', groups).TrimEnd('=');
    }

    private static bool HasWildcard(string key) => key.AsSpan().IndexOfAny('*', '?') >= 0;

    private static bool CharEquals(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));

    private static bool IsDigits(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);
}
