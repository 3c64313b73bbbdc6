using System.Globalization;
using System.Text.RegularExpressions;

namespace Gateway.Dicom.Interop.Tests.Support;

/// <summary>
/// One element line of dcmdump's layout, which <c>gatewayctl dicom dump</c> mimics:
/// <c>(gggg,eeee) VR value   # length, multiplicity Keyword</c>, indented two spaces per nesting level.
/// </summary>
internal sealed partial record DumpLine(int Depth, string Tag, string VR, string Value, string Length, int Multiplicity, string Keyword)
{
    /// <summary>True for sequence, item and delimiter lines, and for the encapsulated pixel data header.</summary>
    public bool IsStructural => VR is "SQ" or "na" || Value.StartsWith("(PixelSequence", StringComparison.Ordinal) || Value.StartsWith("(Sequence", StringComparison.Ordinal);

    /// <summary>True for an encapsulated pixel data fragment (or Basic Offset Table) line.</summary>
    public bool IsFragment => VR == "pi";

    /// <summary>The lines of a dump that describe elements, in order (comment and blank lines are left out).</summary>
    public static IReadOnlyList<DumpLine> Parse(string dump)
    {
        var lines = new List<DumpLine>();
        foreach (string raw in dump.Split('\n'))
        {
            Match m = LinePattern().Match(raw.TrimEnd('\r'));
            if (m.Success)
            {
                lines.Add(new DumpLine(
                    m.Groups["indent"].Length / 2,
                    m.Groups["tag"].Value.ToLowerInvariant(),
                    m.Groups["vr"].Value,
                    m.Groups["value"].Value,
                    m.Groups["length"].Value,
                    int.Parse(m.Groups["vm"].Value, CultureInfo.InvariantCulture),
                    m.Groups["keyword"].Value));
            }
        }

        return lines;
    }

    /// <summary>
    /// The element lines of dcmdump's output. dcmdump prints control characters in text values as they are, so a value
    /// with CR or LF spans several lines; they are joined and the characters written as <c>gatewayctl dicom dump</c>
    /// escapes them (<c>\0d</c>, <c>\0a</c>).
    /// </summary>
    public static IReadOnlyList<DumpLine> ParseDcmdump(string dump)
    {
        var joined = new System.Text.StringBuilder();
        foreach (string raw in dump.Split('\n'))
        {
            string trimmed = raw.TrimStart(' ');
            bool continues = joined.Length > 0 && !(trimmed.Length == 0 || trimmed[0] is '(' or '#');
            if (continues)
            {
                joined.Append("\\0a");
            }
            else if (joined.Length > 0)
            {
                joined.Append('\n');
            }

            joined.Append(raw.Replace("\r", "\\0d", StringComparison.Ordinal));
        }

        return Parse(joined.ToString());
    }

    /// <summary>The bytes of a hexadecimal value such as <c>ff\d8\ff</c> (a value dcmdump printed in full, with <c>+L</c>).</summary>
    public byte[] HexBytes()
    {
        if (Value.EndsWith("...", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The value of {Tag} was shortened; dump with +L to see all of it: {Value}");
        }

        return Value == "(no value available)" ? [] : [.. Value.Split('\\').Select(h => byte.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture))];
    }

    /// <inheritdoc />
    public override string ToString() => $"{new string(' ', Depth * 2)}({Tag}) {VR} {Value} # {Length}, {Multiplicity} {Keyword}";

    [GeneratedRegex(@"^(?<indent> *)\((?<tag>[0-9a-fA-F]{4},[0-9a-fA-F]{4})\) (?<vr>\S\S) (?<value>.*?)\s+#\s*(?<length>\S+),\s*(?<vm>\d+) (?<keyword>.*)$")]
    private static partial Regex LinePattern();
}
