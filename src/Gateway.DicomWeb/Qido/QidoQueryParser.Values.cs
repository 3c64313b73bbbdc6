using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Gateway.Dicom;
using Gateway.Dicom.Model;

namespace Gateway.DicomWeb.Qido;

public static partial class QidoQueryParser
{
    /// <summary>The string VRs whose matching values may hold '*' and '?' (PS3.4 C.2.2.2.4).</summary>
    private static readonly HashSet<string> WildcardVRs = ["AE", "CS", "LO", "LT", "PN", "SH", "ST", "UC", "UR", "UT"];

    /// <summary>
    /// Checks <paramref name="value"/> against <paramref name="vr"/> and gives the form the identifier holds: UID lists
    /// with '\' for ',', everything else as given. An empty value is universal matching (a return key).
    /// </summary>
    private static bool TryNormalizeValue(DicomVR vr, string value, out string normalized, [NotNullWhen(false)] out string? error)
    {
        normalized = value;
        error = null;
        if (value.Length == 0)
        {
            return true;
        }

        if (value.Any(c => c < ' ' || c == '\x7F'))
        {
            error = "the value holds a control character";
            return false;
        }

        if (value.Contains('\\', StringComparison.Ordinal))
        {
            error = "the value holds '\\', the DICOM value separator";
            return false;
        }

        if (!Ascii.IsValid(value) && !vr.UsesSpecificCharacterSet)
        {
            error = $"VR {vr} takes only the default character repertoire";
            return false;
        }

        if ((value.Contains('*', StringComparison.Ordinal) || value.Contains('?', StringComparison.Ordinal)) && !WildcardVRs.Contains(vr.Code))
        {
            error = $"wildcards are not allowed for VR {vr}";
            return false;
        }

        switch (vr.Code)
        {
            case "UI":
                string[] uids = value.Split(',');
                if (uids.Any(u => !new DicomUid(u).IsValid))
                {
                    error = "not a UID, or a comma-separated list of UIDs (PS3.5 9.1)";
                    return false;
                }

                normalized = string.Join('\\', uids);
                return true;
            case "DA":
                return TryRange(value, IsDate, "a date YYYYMMDD or a range of them (from-to, -to, from-)", out error);
            case "TM":
                return TryRange(value, IsTime, "a time HHMMSS.FFFFFF (from HH) or a range of them", out error);
            case "DT":
                return TryRange(value, IsDateTime, "a date-time YYYYMMDDHHMMSS.FFFFFF&ZZXX (from YYYY) or a range of them", out error);
            case "AS":
                error = AgeString().IsMatch(value) ? null : "an age nnnD, nnnW, nnnM or nnnY";
                return error is null;
            case "IS" or "SS" or "US" or "SL" or "UL" or "SV" or "UV":
                error = IsInteger(vr, value) ? null : $"not an integer in the range of VR {vr}";
                return error is null;
            case "DS" or "FL" or "FD":
                error = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) && (vr != DicomVR.DS || value.Length <= 16)
                    ? null
                    : $"not a number of VR {vr}";
                return error is null;
            case "AT":
                error = value.Length == 8 && value.All(char.IsAsciiHexDigit) ? null : "a tag is eight hexadecimal digits";
                return error is null;
        }

        if (vr.Kind != DicomVRKind.Text)
        {
            error = $"attributes of VR {vr} cannot be matched by value";
            return false;
        }

        if (vr.MaxValueLength > 0 && value.Length > vr.MaxValueLength)
        {
            error = $"longer than VR {vr} allows ({vr.MaxValueLength})";
            return false;
        }

        return true;
    }

    /// <summary>A single value, or "from-to", "-to", "from-" (PS3.4 C.2.2.2.5), from not after to.</summary>
    private static bool TryRange(string value, Func<string, bool> isValid, string expected, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (isValid(value))
        {
            return true;
        }

        // Date-times may carry a "-ZZXX" offset, so try every '-' as the range separator.
        for (int dash = value.IndexOf('-', StringComparison.Ordinal); dash >= 0; dash = value.IndexOf('-', dash + 1))
        {
            string from = value[..dash];
            string to = value[(dash + 1)..];
            if ((from.Length > 0 || to.Length > 0) && (from.Length == 0 || isValid(from)) && (to.Length == 0 || isValid(to)))
            {
                if (from.Length > 0 && to.Length > 0 && string.CompareOrdinal(from, to) > 0 && from.Length == to.Length)
                {
                    error = "the range ends before it starts";
                    return false;
                }

                return true;
            }
        }

        error = $"not {expected}";
        return false;
    }

    private static bool IsDate(string s) =>
        s.Length == 8 && s.All(char.IsAsciiDigit) && DateOnly.TryParseExact(s, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private static bool IsTime(string s) => TimeValue().IsMatch(s) && DicomValue.TryParseTime(s, out _);

    private static bool IsDateTime(string s)
    {
        Match m = DateTimeValue().Match(s);
        if (!m.Success)
        {
            return false;
        }

        // Pad the missing components with their least values, then let the calendar decide (no 20240230).
        string digits = m.Groups["dt"].Value;
        string full = digits + "0101000000"[(digits.Length - 4)..];
        return DateTime.TryParseExact(full, "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
    }

    private static bool IsInteger(DicomVR vr, string s)
    {
        if (vr == DicomVR.UV)
        {
            return ulong.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
        }

        if (!long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n))
        {
            return false;
        }

        return vr.Code switch
        {
            "SS" => n is >= short.MinValue and <= short.MaxValue,
            "US" => n is >= ushort.MinValue and <= ushort.MaxValue,
            "SL" or "IS" => n is >= int.MinValue and <= int.MaxValue,
            "UL" => n is >= uint.MinValue and <= uint.MaxValue,
            _ => true,
        };
    }

    /// <summary>The identifier element for a validated matching value: text encoded with the data set's character set, numbers and tags in binary.</summary>
    private static DicomElement ValueElement(DicomDataset dataset, DicomTag tag, DicomVR vr, string value)
    {
        if (vr.Kind == DicomVRKind.Binary)
        {
            byte[] bytes = new byte[vr.ValueSize];
            CultureInfo c = CultureInfo.InvariantCulture;
            switch (vr.Code)
            {
                case "US":
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes, ushort.Parse(value, c));
                    break;
                case "SS":
                    BinaryPrimitives.WriteInt16LittleEndian(bytes, short.Parse(value, c));
                    break;
                case "UL":
                    BinaryPrimitives.WriteUInt32LittleEndian(bytes, uint.Parse(value, c));
                    break;
                case "SL":
                    BinaryPrimitives.WriteInt32LittleEndian(bytes, int.Parse(value, c));
                    break;
                case "SV":
                    BinaryPrimitives.WriteInt64LittleEndian(bytes, long.Parse(value, c));
                    break;
                case "UV":
                    BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.Parse(value, c));
                    break;
                case "FL":
                    BinaryPrimitives.WriteSingleLittleEndian(bytes, float.Parse(value, c));
                    break;
                case "FD":
                    BinaryPrimitives.WriteDoubleLittleEndian(bytes, double.Parse(value, c));
                    break;
                case "AT":
                    var at = new DicomTag(uint.Parse(value, NumberStyles.AllowHexSpecifier, c));
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes, at.Group);
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), at.Element);
                    break;
            }

            return new DicomElement(tag, vr, bytes);
        }

        byte[] text = vr.UsesSpecificCharacterSet ? dataset.CharacterSet.Encode(value) : Encoding.ASCII.GetBytes(value);
        if ((text.Length & 1) != 0)
        {
            Array.Resize(ref text, text.Length + 1);
            text[^1] = vr.PaddingByte;
        }

        return new DicomElement(tag, vr, text);
    }

    [GeneratedRegex(@"^[0-9]{3}[DWMY]$", RegexOptions.CultureInvariant)]
    private static partial Regex AgeString();

    [GeneratedRegex(@"^[0-9]{2}([0-9]{2}([0-9]{2}(\.[0-9]{1,6})?)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex TimeValue();

    [GeneratedRegex(@"^(?<dt>[0-9]{4}([0-9]{2}([0-9]{2}([0-9]{2}([0-9]{2}([0-9]{2})?)?)?)?)?)(\.[0-9]{1,6})?([+-][0-9]{4})?$", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimeValue();
}
