using System.Diagnostics.CodeAnalysis;

namespace Gateway.DicomWeb;

/// <summary>A parsed media type with its parameters (RFC 7231 3.1.1.1), as in Content-Type and Accept headers.</summary>
/// <remarks>
/// The type and subtype, and parameter names, are case-insensitive and held in lower case; parameter values are kept as
/// written, unquoted. A parameter may appear once; anything that is not the RFC grammar is refused.
/// </remarks>
public sealed record MediaType
{
    private MediaType(string value, IReadOnlyDictionary<string, string> parameters)
    {
        Value = value;
        Parameters = parameters;
    }

    /// <summary>"type/subtype" in lower case, for example "multipart/related".</summary>
    public string Value { get; }

    /// <summary>The parameters by lower-case name, values unquoted.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>A parameter's value, or null.</summary>
    public string? this[string name] => Parameters.TryGetValue(name.ToLowerInvariant(), out string? v) ? v : null;

    /// <summary>True when this is <paramref name="value"/> ("type/subtype"), ignoring case and parameters.</summary>
    public bool Is(string value) => string.Equals(Value, value, StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses "type/subtype *( OWS ";" OWS name=(token / quoted-string) )".</summary>
    /// <param name="text">The header value.</param>
    /// <param name="mediaType">The result.</param>
    /// <param name="error">Why it was refused; it never quotes the input.</param>
    public static bool TryParse(string? text, [NotNullWhen(true)] out MediaType? mediaType, [NotNullWhen(false)] out string? error)
    {
        mediaType = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "no media type";
            return false;
        }

        ReadOnlySpan<char> s = text.AsSpan().Trim(" \t");
        int slash = s.IndexOf('/');
        int end = s.IndexOfAny(';', ' ', '\t');
        if (end < 0)
        {
            end = s.Length;
        }

        if (slash <= 0 || slash >= end - 1 || !IsToken(s[..slash]) || !IsToken(s[(slash + 1)..end]))
        {
            error = "not a media type (type/subtype)";
            return false;
        }

        string value = s[..end].ToString().ToLowerInvariant();
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        int i = end;
        while (true)
        {
            i = SkipWhitespace(s, i);
            if (i == s.Length)
            {
                break;
            }

            if (s[i] != ';')
            {
                error = "parameters are separated by ';'";
                return false;
            }

            i = SkipWhitespace(s, i + 1);
            if (i == s.Length)
            {
                // A trailing ';' is tolerated, as most parsers do.
                break;
            }

            int eq = s[i..].IndexOf('=');
            if (eq <= 0 || !IsToken(s.Slice(i, eq)))
            {
                error = "a parameter is not name=value";
                return false;
            }

            string name = s.Slice(i, eq).ToString().ToLowerInvariant();
            i += eq + 1;
            string parameterValue;
            if (i < s.Length && s[i] == '"')
            {
                if (!TryReadQuoted(s, ref i, out parameterValue))
                {
                    error = $"the value of parameter '{name}' is an unterminated or invalid quoted string";
                    return false;
                }
            }
            else
            {
                int start = i;
                while (i < s.Length && s[i] is not (';' or ' ' or '\t'))
                {
                    i++;
                }

                if (i == start || !IsToken(s[start..i]))
                {
                    error = $"the value of parameter '{name}' is not a token or quoted string";
                    return false;
                }

                parameterValue = s[start..i].ToString();
            }

            if (!parameters.TryAdd(name, parameterValue))
            {
                error = $"parameter '{name}' appears twice";
                return false;
            }
        }

        mediaType = new MediaType(value, parameters);
        error = null;
        return true;
    }

    /// <inheritdoc />
    public override string ToString() =>
        Parameters.Count == 0 ? Value : Value + string.Concat(Parameters.Select(p => $"; {p.Key}={Quote(p.Value)}"));

    /// <summary>The value as a token, or quoted when it holds characters a token may not.</summary>
    public static string Quote(string value) =>
        value.Length > 0 && IsToken(value) ? value : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>RFC 7230 3.2.6 token: one or more tchar.</summary>
    public static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)))
            {
                return false;
            }
        }

        return true;
    }

    private static int SkipWhitespace(ReadOnlySpan<char> s, int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t')
        {
            i++;
        }

        return i;
    }

    private static bool TryReadQuoted(ReadOnlySpan<char> s, ref int i, out string value)
    {
        // quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 7230 3.2.6)
        var text = new System.Text.StringBuilder();
        for (i++; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '"')
            {
                i++;
                value = text.ToString();
                return true;
            }

            if (c == '\\')
            {
                if (++i == s.Length)
                {
                    break;
                }

                c = s[i];
            }

            if ((c < 0x20 && c != '\t') || c == 0x7F)
            {
                break;
            }

            text.Append(c);
        }

        value = string.Empty;
        return false;
    }
}
