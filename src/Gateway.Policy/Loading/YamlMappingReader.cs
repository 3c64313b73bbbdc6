using System.Globalization;
using Gateway.Policy.Model;

namespace Gateway.Policy.Loading;

/// <summary>
/// Reads the fields of one YAML mapping against the keys the language allows, reporting unknown keys (with a
/// suggestion), missing required keys and values of the wrong shape. Every problem becomes a diagnostic; reading goes on.
/// </summary>
internal sealed class YamlMappingReader
{
    private readonly YamlNode _node;
    private readonly string _what;
    private readonly List<PolicyDiagnostic> _diagnostics;

    public YamlMappingReader(YamlNode node, string what, IReadOnlyCollection<string> keys, List<PolicyDiagnostic> diagnostics)
    {
        _node = node;
        _what = what;
        _diagnostics = diagnostics;
        foreach (KeyValuePair<YamlNode, YamlNode> entry in node.Entries)
        {
            if (!keys.Contains(entry.Key.Value))
            {
                string? suggestion = PolicyValues.Suggest(entry.Key.Value, keys);
                Error("unknown-key", $"{what}: unknown key '{entry.Key.Value}'" + (suggestion is null ? $" (allowed: {string.Join(", ", keys)})" : $"; did you mean '{suggestion}'?"), entry.Key.Location);
            }
        }
    }

    public SourceLocation Location => _node.Location;

    public YamlNode? Get(string key)
    {
        foreach (KeyValuePair<YamlNode, YamlNode> entry in _node.Entries)
        {
            if (string.Equals(entry.Key.Value, key, StringComparison.Ordinal))
            {
                return entry.Value;
            }
        }

        return null;
    }

    /// <summary>A scalar value; null (with an error when required) when missing or of the wrong shape.</summary>
    public (string Value, SourceLocation Location)? Scalar(string key, bool required)
    {
        YamlNode? value = Get(key);
        if (value is null || value.IsNull)
        {
            if (required)
            {
                Error("missing-key", $"{_what}: '{key}' is required", value?.Location ?? _node.Location);
            }

            return null;
        }

        if (value.Kind != YamlNodeKind.Scalar)
        {
            Error("wrong-type", $"{_what}: '{key}' must be a single value, not {value.Describe()}", value.Location);
            return null;
        }

        return (value.Value, value.Location);
    }

    /// <summary>A list of scalars; one scalar counts as a list of one. Empty (with an error when required) when missing.</summary>
    public List<(string Value, SourceLocation Location)> List(string key, bool required)
    {
        var result = new List<(string, SourceLocation)>();
        YamlNode? value = Get(key);
        if (value is null || value.IsNull)
        {
            if (required)
            {
                Error("missing-key", $"{_what}: '{key}' is required", value?.Location ?? _node.Location);
            }

            return result;
        }

        if (value.Kind == YamlNodeKind.Scalar)
        {
            result.Add((value.Value, value.Location));
            return result;
        }

        if (value.Kind != YamlNodeKind.Sequence)
        {
            Error("wrong-type", $"{_what}: '{key}' must be a value or a list of values, not {value.Describe()}", value.Location);
            return result;
        }

        foreach (YamlNode item in value.Items)
        {
            if (item.Kind != YamlNodeKind.Scalar || item.IsNull)
            {
                Error("wrong-type", $"{_what}: each item of '{key}' must be a single value, not {item.Describe()}", item.Location);
            }
            else
            {
                result.Add((item.Value, item.Location));
            }
        }

        if (required && result.Count == 0 && value.Items.Count == 0)
        {
            Error("missing-key", $"{_what}: '{key}' must not be empty", value.Location);
        }

        return result;
    }

    /// <summary>A list of mappings; null when missing.</summary>
    public List<YamlNode> Mappings(string key, bool required)
    {
        var result = new List<YamlNode>();
        YamlNode? value = Get(key);
        if (value is null || value.IsNull)
        {
            if (required)
            {
                Error("missing-key", $"{_what}: '{key}' is required", value?.Location ?? _node.Location);
            }

            return result;
        }

        if (value.Kind != YamlNodeKind.Sequence)
        {
            Error("wrong-type", $"{_what}: '{key}' must be a list, not {value.Describe()}", value.Location);
            return result;
        }

        foreach (YamlNode item in value.Items)
        {
            if (item.Kind != YamlNodeKind.Mapping)
            {
                Error("wrong-type", $"{_what}: each item of '{key}' must be a mapping (key: value lines), not {item.Describe()}", item.Location);
            }
            else
            {
                result.Add(item);
            }
        }

        if (required && value.Items.Count == 0)
        {
            Error("missing-key", $"{_what}: '{key}' must not be empty", value.Location);
        }

        return result;
    }

    /// <summary>A nested mapping; null when missing or of the wrong shape.</summary>
    public YamlNode? Mapping(string key)
    {
        YamlNode? value = Get(key);
        if (value is null || value.IsNull)
        {
            return null;
        }

        if (value.Kind != YamlNodeKind.Mapping)
        {
            Error("wrong-type", $"{_what}: '{key}' must be a mapping, not {value.Describe()}", value.Location);
            return null;
        }

        return value;
    }

    /// <summary>true or false; null when missing or invalid.</summary>
    public bool? Bool(string key, bool required)
    {
        (string Value, SourceLocation Location)? v = Scalar(key, required);
        if (v is null)
        {
            return null;
        }

        switch (v.Value.Value)
        {
            case "true":
                return true;
            case "false":
                return false;
            default:
                Error("invalid-value", $"{_what}: '{key}' must be true or false, not '{v.Value.Value}'", v.Value.Location);
                return null;
        }
    }

    /// <summary>A whole number in a range; null when missing or invalid.</summary>
    public int? Int(string key, int min, int max, bool required)
    {
        (string Value, SourceLocation Location)? v = Scalar(key, required);
        if (v is null)
        {
            return null;
        }

        if (!int.TryParse(v.Value.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < min || n > max)
        {
            Error("invalid-value", $"{_what}: '{key}' must be a whole number from {min} to {max}, not '{v.Value.Value}'", v.Value.Location);
            return null;
        }

        return n;
    }

    public void Error(string code, string message, SourceLocation location) =>
        _diagnostics.Add(PolicyDiagnostic.Error(code, message, location));
}
