using System.Text.RegularExpressions;

namespace Gateway.Dicom.Network.Interop.Tests.Support;

/// <summary>The responses findscu printed (on stderr, as "I: (gggg,eeee) VR [value]" lines per "Find Response: n").</summary>
internal sealed partial class FindscuOutput
{
    private FindscuOutput(IReadOnlyList<IReadOnlyDictionary<string, string>> responses, string? finalStatus)
    {
        Responses = responses;
        FinalStatus = finalStatus;
    }

    /// <summary>Each pending response: tag ("0010,0020", upper case) to the printed value ("" when empty).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Responses { get; }

    /// <summary>The final status findscu reported with -v ("Success", "Error: DataSetDoesNotMatchSOPClass" ...).</summary>
    public string? FinalStatus { get; }

    /// <summary>The values of one tag over all responses, in order.</summary>
    public IReadOnlyList<string> Values(string tag) => [.. Responses.Select(r => r.TryGetValue(tag, out string? v) ? v : "<absent>")];

    public static FindscuOutput Parse(string output)
    {
        var responses = new List<Dictionary<string, string>>();
        Dictionary<string, string>? current = null;
        string? final = null;
        foreach (string raw in output.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Contains("Find Response:", StringComparison.Ordinal) && line.Contains("(Pending)", StringComparison.Ordinal))
            {
                current = [];
                responses.Add(current);
                continue;
            }

            Match final1 = FinalLine().Match(line);
            if (final1.Success)
            {
                final = final1.Groups[1].Value;
                current = null;
                continue;
            }

            Match element = ElementLine().Match(line);
            if (current is not null && element.Success)
            {
                string tag = element.Groups[1].Value.ToUpperInvariant();
                string rest = element.Groups[3].Value;
                current[tag] = Value(rest);
            }
        }

        return new FindscuOutput(responses, final);
    }

    private static string Value(string printed)
    {
        // "[text]   # len, vm Keyword", "(no value available) ...", "=CTImageStorage ...", "16  # 2, 1 Rows".
        int hash = printed.LastIndexOf('#');
        string value = (hash >= 0 ? printed[..hash] : printed).Trim();
        if (value.StartsWith('['))
        {
            return value[1..value.LastIndexOf(']')].TrimEnd(' ', '\0');
        }

        return value.StartsWith("(no value available)", StringComparison.Ordinal) ? string.Empty : value;
    }

    [GeneratedRegex(@"^[IWE]: \(([0-9a-fA-F]{4},[0-9a-fA-F]{4})\) ([A-Z]{2}) (.*)$")]
    private static partial Regex ElementLine();

    [GeneratedRegex(@"Received Final Find Response \((.*)\)")]
    private static partial Regex FinalLine();
}
