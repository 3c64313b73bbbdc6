using System.Globalization;
using System.Text.Json;

namespace Gateway.Dicom.Interop.Tests.Support;

/// <summary>
/// Compares two DICOM JSON documents (PS3.18 Annex F) by meaning, not by text, and reports the path of the first difference.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Objects must have the same keys (order is irrelevant); arrays the same length and elements in order.</item>
/// <item>Numbers are equal when their decimal values are equal (<c>120</c>, <c>1.2e2</c> and <c>120.0</c> are one number). Values
/// of an FL attribute are compared as single-precision floats: dcm2json prints FL with 9 significant digits
/// (<c>0.100000001</c>), the gateway prints the shortest text that round-trips the float (<c>0.1</c>); both parse to one float.
/// Values of an FD attribute are compared as doubles, for the same reason (17 digits against the shortest round-trip text).</item>
/// <item>InlineBinary is compared as the bytes it encodes.</item>
/// <item>Strings, booleans and null must be identical.</item>
/// </list>
/// </remarks>
internal static class JsonSemanticComparer
{
    /// <summary>Compares <paramref name="expected"/> with <paramref name="actual"/>.</summary>
    /// <param name="expected">The reference document (for example dcm2json's output).</param>
    /// <param name="actual">The document under test.</param>
    /// <param name="ignoredTopLevelKeys">Attribute keys ("GGGGEEEE") of the top-level data set to leave out on both sides.</param>
    /// <returns>The first difference, or null when the documents mean the same.</returns>
    public static JsonDifference? Compare(JsonElement expected, JsonElement actual, IReadOnlyCollection<string>? ignoredTopLevelKeys = null) =>
        CompareValue(expected, actual, "$", vr: null, ignoredTopLevelKeys ?? []);

    /// <summary>Parses and compares two JSON texts; see <see cref="Compare(JsonElement, JsonElement, IReadOnlyCollection{string})"/>.</summary>
    public static JsonDifference? Compare(string expectedJson, string actualJson, IReadOnlyCollection<string>? ignoredTopLevelKeys = null)
    {
        using JsonDocument expected = JsonDocument.Parse(expectedJson);
        using JsonDocument actual = JsonDocument.Parse(actualJson);
        return Compare(expected.RootElement, actual.RootElement, ignoredTopLevelKeys);
    }

    private static JsonDifference? CompareValue(JsonElement expected, JsonElement actual, string path, string? vr, IReadOnlyCollection<string> ignored)
    {
        if (expected.ValueKind != actual.ValueKind)
        {
            return new(path, $"expected {Describe(expected)}, found {Describe(actual)}");
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                return CompareObject(expected, actual, path, ignored);
            case JsonValueKind.Array:
            {
                int expectedLength = expected.GetArrayLength();
                int actualLength = actual.GetArrayLength();
                if (expectedLength != actualLength)
                {
                    return new(path, $"expected {expectedLength} array elements, found {actualLength}: expected {Shorten(expected.GetRawText())}, found {Shorten(actual.GetRawText())}");
                }

                for (int i = 0; i < expectedLength; i++)
                {
                    JsonDifference? d = CompareValue(expected[i], actual[i], $"{path}[{i}]", vr, []);
                    if (d is not null)
                    {
                        return d;
                    }
                }

                return null;
            }

            case JsonValueKind.Number:
                return NumbersEqual(expected.GetRawText(), actual.GetRawText(), vr)
                    ? null
                    : new(path, $"expected number {expected.GetRawText()}, found {actual.GetRawText()}{(vr is null ? string.Empty : $" (VR {vr})")}");
            case JsonValueKind.String:
                return string.Equals(expected.GetString(), actual.GetString(), StringComparison.Ordinal)
                    ? null
                    : new(path, $"expected string {expected.GetRawText()}, found {actual.GetRawText()}");
            default:
                // true, false, null: the kinds already match.
                return null;
        }
    }

    private static JsonDifference? CompareObject(JsonElement expected, JsonElement actual, string path, IReadOnlyCollection<string> ignored)
    {
        var expectedProperties = expected.EnumerateObject().Where(p => !ignored.Contains(p.Name)).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        var actualProperties = actual.EnumerateObject().Where(p => !ignored.Contains(p.Name)).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        foreach (string key in expectedProperties.Keys.Union(actualProperties.Keys).Order(StringComparer.Ordinal))
        {
            string childPath = $"{path}.{key}";
            if (!actualProperties.TryGetValue(key, out JsonElement actualValue))
            {
                return new(childPath, $"missing; expected {Shorten(expectedProperties[key].GetRawText())}");
            }

            if (!expectedProperties.TryGetValue(key, out JsonElement expectedValue))
            {
                return new(childPath, $"unexpected; found {Shorten(actualValue.GetRawText())}");
            }

            JsonDifference? d = key == "InlineBinary" && expectedValue.ValueKind == JsonValueKind.String && actualValue.ValueKind == JsonValueKind.String
                ? CompareInlineBinary(expectedValue, actualValue, childPath)
                : CompareValue(expectedValue, actualValue, childPath, VROf(expected), []);
            if (d is not null)
            {
                return d;
            }
        }

        return null;
    }

    private static JsonDifference? CompareInlineBinary(JsonElement expected, JsonElement actual, string path)
    {
        byte[] e;
        byte[] a;
        try
        {
            e = expected.GetBytesFromBase64();
            a = actual.GetBytesFromBase64();
        }
        catch (FormatException)
        {
            return string.Equals(expected.GetString(), actual.GetString(), StringComparison.Ordinal)
                ? null
                : new(path, $"expected {Shorten(expected.GetRawText())}, found {Shorten(actual.GetRawText())} (not both base64)");
        }

        int common = Math.Min(e.Length, a.Length);
        for (int i = 0; i < common; i++)
        {
            if (e[i] != a[i])
            {
                return new(path, $"bytes differ at offset {i}: expected 0x{e[i]:X2}, found 0x{a[i]:X2}");
            }
        }

        return e.Length == a.Length ? null : new(path, $"expected {e.Length} bytes, found {a.Length}");
    }

    // The "vr" of an attribute object, which decides how its numbers compare.
    private static string? VROf(JsonElement attribute) =>
        attribute.TryGetProperty("vr", out JsonElement vr) && vr.ValueKind == JsonValueKind.String ? vr.GetString() : null;

    internal static bool NumbersEqual(string expected, string actual, string? vr)
    {
        if (vr == "FL")
        {
            return float.Parse(expected, NumberStyles.Float, CultureInfo.InvariantCulture).Equals(float.Parse(actual, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        if (vr == "FD")
        {
            // dcm2json prints FD with 17 significant digits (3.1415926535897931), the gateway the shortest round-trip text.
            return double.Parse(expected, NumberStyles.Float, CultureInfo.InvariantCulture).Equals(double.Parse(actual, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        if (decimal.TryParse(expected, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal e) &&
            decimal.TryParse(actual, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal a))
        {
            return e == a;
        }

        // Beyond decimal's range (1e300): compare as doubles.
        return double.Parse(expected, NumberStyles.Float, CultureInfo.InvariantCulture).Equals(double.Parse(actual, NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    private static string Describe(JsonElement e) => $"{e.ValueKind.ToString().ToLowerInvariant()} {Shorten(e.GetRawText())}";

    private static string Shorten(string s) => s.Length <= 120 ? s : s[..117] + "...";
}
