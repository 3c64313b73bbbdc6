using System.Globalization;

namespace Gateway.Dicom.Interop.Tests.Support;

/// <summary>
/// Compares one line of <c>gatewayctl dicom dump</c> with dcmdump's line for the same element: depth, tag, VR, length,
/// multiplicity, keyword and value by meaning (numbers as numbers, text with insignificant spaces trimmed).
/// </summary>
internal static partial class DumpComparison
{
    private static readonly HashSet<string> TextVRs = new(StringComparer.Ordinal) { "AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT" };
    private static readonly HashSet<string> NumberVRs = new(StringComparer.Ordinal) { "US", "SS", "UL", "SL", "FL", "FD", "SV", "UV", "OF", "OD", "OL", "OV" };

    /// <summary>
    /// Null when the lines agree, else what differs. <paramref name="expected"/> is dcmdump's line as stored,
    /// <paramref name="expectedText"/> the same line with text converted to UTF-8 (<c>+U8</c>), null when dcmdump could
    /// not convert it.
    /// </summary>
    public static string? Difference(DumpLine expected, DumpLine? expectedText, DumpLine actual)
    {
        // dcmdump prints "??" for the VR of an element it cannot name in implicit VR; the gateway reads it as UN. It
        // prints "up" for the UL offsets of a DICOMDIR, which the gateway shows as the UL they are.
        string expectedVR = expected.VR switch { "??" => "UN", "up" => "UL", _ => expected.VR };
        if (expected.Depth != actual.Depth || expected.Tag != actual.Tag || expectedVR != actual.VR)
        {
            return "depth, tag or VR";
        }

        // dcmdump pads an odd length to the next even one as it reads (with a warning); the gateway shows the length
        // as stored. Their values then agree as far as the stored bytes go.
        bool padded = long.TryParse(actual.Length, CultureInfo.InvariantCulture, out long stored) && (stored & 1) == 1 &&
            expected.Length == (stored + 1).ToString(CultureInfo.InvariantCulture);
        if (expected.Length != actual.Length && !padded)
        {
            return "length";
        }

        if (expected.IsStructural)
        {
            // "(Sequence with explicit length #=1)" against "(Sequence with explicit length)": dcmdump counts the items and
            // elements it has read whole, which a streaming dump cannot know when it prints the line. The rest agrees,
            // "(ItemDelimitationItem for re-encoding)" for the delimiters dcmdump adds to explicit-length items included.
            // In a DICOMDIR, dcmdump names each item of the Directory Record Sequence by its record type
            // ("Directory Record" PATIENT), read from inside the item, which a streaming dump has not reached yet, and
            // quotes the delimiters of those items instead of bracketing them.
            string value = expected.Value;
            if (value.StartsWith("\"Directory Record\" ", StringComparison.Ordinal))
            {
                return actual.Value.StartsWith("(Item with ", StringComparison.Ordinal) ? null : "structure";
            }

            if (value.Length > 1 && value[0] == '"' && value[^1] == '"')
            {
                value = "(" + value[1..^1] + ")";
            }

            return ItemCount().Replace(value, string.Empty) == actual.Value ? null : "structure";
        }

        // dcmdump gives an empty binary value a multiplicity of 1; PS3.5 6.4 says 0, as the gateway does.
        bool emptyBinary = expected.Length == "0" && actual.VR is "OB" or "OW" or "OF" or "OD" or "OL" or "OV" or "UN";
        if (expected.Multiplicity != actual.Multiplicity && !emptyBinary)
        {
            return "multiplicity";
        }

        // DCMTK's dictionary names retired attributes RETIRED_Keyword; the standard's keyword has no prefix.
        string expectedKeyword = expected.Keyword.StartsWith("RETIRED_", StringComparison.Ordinal) ? expected.Keyword["RETIRED_".Length..] : expected.Keyword;
        bool isPrivate = (Convert.ToUInt16(expected.Tag[..4], 16) & 1) == 1;
        if (!isPrivate && !expected.IsFragment && expectedKeyword != actual.Keyword)
        {
            return "keyword";
        }

        // (0008,0005) is the one value +U8 rewrites rather than converts. Without a converted line (dcmdump could not
        // convert the file's character set), text values are not compared.
        bool text = TextVRs.Contains(actual.VR) && expected.Tag != "0008,0005";
        if (text && expectedText is null)
        {
            return null;
        }

        string expectedValue = text ? expectedText!.Value : expected.Value;
        if (padded && !TextVRs.Contains(actual.VR) && expectedValue.EndsWith("\\00", StringComparison.Ordinal))
        {
            expectedValue = expectedValue[..^3];
        }
        return SameValue(actual.VR, expectedValue, actual.Value) ? null : "value";
    }

    /// <summary>
    /// Compares two printed values by meaning: text values with insignificant spaces trimmed, numbers as numbers (FL and OF as
    /// floats: dcmdump prints 9 digits, the gateway the shortest round-trip text; FD and OD as doubles), bytes as bytes. A shortened value ("...")
    /// needs only agree with the other as far as both go.
    /// </summary>
    private static bool SameValue(string vr, string expected, string actual)
    {
        if (expected == actual)
        {
            return true;
        }

        string[] e = Components(vr, expected, out bool expectedShortened);
        string[] a = Components(vr, actual, out bool actualShortened);
        int count = Math.Min(e.Length, a.Length);
        if (!expectedShortened && !actualShortened && e.Length != a.Length)
        {
            return false;
        }

        // The last component of a shortened value may be cut in the middle.
        for (int i = 0; i < count; i++)
        {
            bool last = i == count - 1;
            bool cut = (expectedShortened && i == e.Length - 1) || (actualShortened && i == a.Length - 1);
            if (!SameComponent(vr, e[i], a[i]) && !(last && cut && (e[i].StartsWith(a[i], StringComparison.Ordinal) || a[i].StartsWith(e[i], StringComparison.Ordinal))))
            {
                return false;
            }
        }

        return true;
    }

    private static string[] Components(string vr, string value, out bool shortened)
    {
        shortened = value.EndsWith("...", StringComparison.Ordinal);
        string v = shortened ? value[..^3] : value;
        if (TextVRs.Contains(vr))
        {
            v = v.TrimStart('[');
            v = v.EndsWith(']') ? v[..^1] : v;
            // Spaces pad text values (PS3.5 6.2); some writers pad with NUL instead.
            return vr is "LT" or "ST" or "UT" or "UR" ? [v.TrimEnd(' ', '\0')] : [.. v.Split('\\').Select(c => c.Trim(' ', '\0'))];
        }

        return v.Split('\\');
    }

    private static bool SameComponent(string vr, string expected, string actual)
    {
        if (string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!NumberVRs.Contains(vr))
        {
            return false;
        }

        if (vr is "FL" or "OF")
        {
            return float.TryParse(expected, NumberStyles.Float, CultureInfo.InvariantCulture, out float e) &&
                float.TryParse(actual, NumberStyles.Float, CultureInfo.InvariantCulture, out float a) && e.Equals(a);
        }

        if (vr is "FD" or "OD")
        {
            // dcmdump's own number formatting is not exact at large exponents: the double nearest 1e300 prints as
            // 1.0000000000000007e+300, the gateway prints 1E+300. Allow a few units in the last place.
            return double.TryParse(expected, NumberStyles.Float, CultureInfo.InvariantCulture, out double e) &&
                double.TryParse(actual, NumberStyles.Float, CultureInfo.InvariantCulture, out double a) &&
                Math.Abs(e - a) <= 1e-14 * Math.Max(Math.Abs(e), Math.Abs(a));
        }

        return decimal.TryParse(expected, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal de) &&
            decimal.TryParse(actual, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal da)
            ? de == da
            : double.TryParse(expected, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) &&
              double.TryParse(actual, NumberStyles.Float, CultureInfo.InvariantCulture, out double y) && x.Equals(y);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@" #=\d+(?=\))")]
    private static partial System.Text.RegularExpressions.Regex ItemCount();
}
