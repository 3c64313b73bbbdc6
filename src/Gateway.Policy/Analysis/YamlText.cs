using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.Policy.Analysis;

/// <summary>Writes YAML scalars safely: plain when unambiguous, otherwise double-quoted with escapes.</summary>
internal static partial class YamlText
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~",
    };

    public static string Scalar(string value)
    {
        if (value.Length > 0 && PlainPattern().IsMatch(value) && !Reserved.Contains(value))
        {
            return value;
        }

        var quoted = new StringBuilder("\"");
        foreach (char c in value)
        {
            switch (c)
            {
                case '"':
                    quoted.Append("\\\"");
                    break;
                case '\\':
                    quoted.Append("\\\\");
                    break;
                default:
                    if (c < ' ' || c == '\u007f')
                    {
                        quoted.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
                    }
                    else
                    {
                        quoted.Append(c);
                    }

                    break;
            }
        }

        return quoted.Append('"').ToString();
    }

    public static string List(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(Scalar)) + "]";

    // Letters, digits and . _ / - @ inside, not starting with a YAML indicator; no ": " or " #" can appear.
    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_./@-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainPattern();
}
