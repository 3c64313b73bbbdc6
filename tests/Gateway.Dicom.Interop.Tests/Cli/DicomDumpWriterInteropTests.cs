using System.Globalization;
using System.Text;
using Gateway.Dicom.Interop.Tests.Support;

namespace Gateway.Dicom.Interop.Tests.Cli;

/// <summary><c>gatewayctl dicom dump</c> against dcmdump: the same lines, tags, VRs, lengths, multiplicities and values.</summary>
public sealed class DicomDumpWriterInteropTests(DcmtkFixture dcmtk) : IClassFixture<DcmtkFixture>
{
    private static readonly HashSet<string> TextVRs = new(StringComparer.Ordinal) { "AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT" };
    private static readonly HashSet<string> NumberVRs = new(StringComparer.Ordinal) { "US", "SS", "UL", "SL", "FL", "FD", "SV", "UV", "OF", "OD", "OL", "OV" };

    public static TheoryData<string> Inputs =>
    [
        "ct-16bit/explicit-le", "ct-16bit/implicit-le", "ct-16bit/explicit-be", "ct-16bit/undefined-length", "ct-16bit/dataset-implicit-le",
        "ct-16bit/implicit-le-undefined-length", "ct-8bit-2frames/jpeg-ls",
        "charset-latin1/explicit-le", "charset-utf8/explicit-le", "charset-greek/implicit-le", "charset-korean-iso2022/explicit-le",
        "sr-comprehensive/explicit-le", "worklist-item/deflated",
    ];

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task Dump_Input_ShowsWhatDcmdumpShows(string name)
    {
        string path = await dcmtk.Corpus.GetAsync(InteropInput.Named(name));

        // Structure, lengths and multiplicities as stored; text values converted to UTF-8 (+U8) as the gateway decodes them.
        ToolResult plain = (await ExternalTool.RunAsync("dcmdump", "-Un", path)).EnsureSuccess();
        ToolResult utf8 = (await ExternalTool.RunAsync("dcmdump", "-Un", "+U8", path)).EnsureSuccess();
        IReadOnlyList<DumpLine> expected = DumpLine.Parse(Encoding.Latin1.GetString(plain.StandardOutputBytes));
        IReadOnlyList<DumpLine> expectedText = DumpLine.Parse(utf8.StandardOutput);
        (int exitCode, string stdout, string stderr) = await GatewayCodec.RunCliAsync("dicom", "dump", path);
        IReadOnlyList<DumpLine> actual = DumpLine.Parse(stdout);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(expected.Count, expectedText.Count);
        Assert.True(expected.Count > 10, $"dcmdump printed only {expected.Count} lines");
        for (int i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            string? difference = Difference(expected[i], expectedText[i], actual[i]);
            Assert.True(difference is null, $"line {i + 1}: {difference}{Environment.NewLine}  dcmdump:   {expected[i]}{Environment.NewLine}  gatewayctl: {actual[i]}");
        }

        Assert.Equal(expected.Count, actual.Count);
    }

    private static string? Difference(DumpLine expected, DumpLine expectedText, DumpLine actual)
    {
        // dcmdump prints "??" for the VR of an element it cannot name in implicit VR; the gateway reads it as UN.
        string expectedVR = expected.VR == "??" ? "UN" : expected.VR;
        if (expected.Depth != actual.Depth || expected.Tag != actual.Tag || expectedVR != actual.VR)
        {
            return "depth, tag or VR";
        }

        if (expected.Length != actual.Length)
        {
            return "length";
        }

        if (expected.IsStructural)
        {
            // "(Sequence with explicit length #=1)" against "(Sequence with explicit length)": the counts are dcmdump's extra.
            return null;
        }

        if (expected.Multiplicity != actual.Multiplicity)
        {
            return "multiplicity";
        }

        bool isPrivate = (Convert.ToUInt16(expected.Tag[..4], 16) & 1) == 1;
        if (!isPrivate && !expected.IsFragment && expected.Keyword != actual.Keyword)
        {
            return "keyword";
        }

        // (0008,0005) is the one value +U8 rewrites rather than converts.
        string expectedValue = TextVRs.Contains(actual.VR) && expected.Tag != "0008,0005" ? expectedText.Value : expected.Value;
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
            return vr is "LT" or "ST" or "UT" or "UR" ? [v.TrimEnd(' ')] : [.. v.Split('\\').Select(c => c.Trim(' '))];
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
}
