using System.Buffers.Binary;
using System.Globalization;
using Gateway.Dicom.Text;

namespace Gateway.Dicom.Model;

/// <summary>Decoders of raw little-endian values, shared by the data set model, the dump and the JSON writer.</summary>
public static class DicomValue
{
    /// <summary>
    /// Splits a text value into its values (backslash-separated for VRs that allow several), decoded with
    /// <paramref name="characterSet"/> where the VR uses it, with padding removed as PS3.5 6.2 describes:
    /// trailing spaces (and NULs for UI), and leading spaces too for the VRs whose leading spaces are insignificant.
    /// </summary>
    public static string[] GetStrings(DicomVR vr, ReadOnlySpan<byte> value, DicomCharacterSet characterSet)
    {
        if (value.IsEmpty)
        {
            return [];
        }

        string text = vr.UsesSpecificCharacterSet ? characterSet.Decode(value) : System.Text.Encoding.Latin1.GetString(value);
        if (!vr.AllowsMultipleTextValues)
        {
            return [TrimValue(vr, text)];
        }

        string[] parts = text.Split('\\');
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = TrimValue(vr, parts[i]);
        }

        return parts;
    }

    /// <summary>Removes padding that is not part of a value of <paramref name="vr"/> (PS3.5 Table 6.2-1).</summary>
    public static string TrimValue(DicomVR vr, string value) => vr.Code switch
    {
        "UI" => value.TrimEnd('\0', ' '),
        // Leading and trailing spaces are insignificant.
        "AE" or "CS" or "DS" or "IS" or "LO" or "SH" or "AS" or "DA" or "TM" or "DT" => value.Trim(' ', '\0'),
        // Only trailing spaces are insignificant; leading ones are kept.
        "LT" or "ST" or "UT" or "PN" or "UC" or "UR" => value.TrimEnd(' ', '\0'),
        _ => value,
    };

    /// <summary>The number of values of a binary VR in a value of <paramref name="length"/> bytes.</summary>
    public static int CountBinary(DicomVR vr, int length) => vr.ValueSize == 0 ? 0 : length / vr.ValueSize;

    /// <summary>Reads value <paramref name="index"/> of a binary number VR (US, SS, UL, SL, FL, FD, SV, UV) as a double.</summary>
    public static double GetNumber(DicomVR vr, ReadOnlySpan<byte> value, int index)
    {
        int size = vr.ValueSize;
        ReadOnlySpan<byte> s = value.Slice(index * size, size);
        return vr.Code switch
        {
            "US" => BinaryPrimitives.ReadUInt16LittleEndian(s),
            "SS" => BinaryPrimitives.ReadInt16LittleEndian(s),
            "UL" => BinaryPrimitives.ReadUInt32LittleEndian(s),
            "SL" => BinaryPrimitives.ReadInt32LittleEndian(s),
            "FL" => BinaryPrimitives.ReadSingleLittleEndian(s),
            "FD" => BinaryPrimitives.ReadDoubleLittleEndian(s),
            "SV" => BinaryPrimitives.ReadInt64LittleEndian(s),
            "UV" => BinaryPrimitives.ReadUInt64LittleEndian(s),
            _ => throw new InvalidOperationException($"{vr} is not a binary number VR."),
        };
    }

    /// <summary>Formats value <paramref name="index"/> of a binary VR exactly (integers as integers, floats round-trip).</summary>
    public static string FormatBinary(DicomVR vr, ReadOnlySpan<byte> value, int index)
    {
        int size = vr.ValueSize;
        ReadOnlySpan<byte> s = value.Slice(index * size, size);
        CultureInfo c = CultureInfo.InvariantCulture;
        return vr.Code switch
        {
            "US" => BinaryPrimitives.ReadUInt16LittleEndian(s).ToString(c),
            "SS" => BinaryPrimitives.ReadInt16LittleEndian(s).ToString(c),
            "UL" => BinaryPrimitives.ReadUInt32LittleEndian(s).ToString(c),
            "SL" => BinaryPrimitives.ReadInt32LittleEndian(s).ToString(c),
            "FL" => BinaryPrimitives.ReadSingleLittleEndian(s).ToString("R", c),
            "FD" => BinaryPrimitives.ReadDoubleLittleEndian(s).ToString("R", c),
            "SV" => BinaryPrimitives.ReadInt64LittleEndian(s).ToString(c),
            "UV" => BinaryPrimitives.ReadUInt64LittleEndian(s).ToString(c),
            "AT" => new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(s), BinaryPrimitives.ReadUInt16LittleEndian(s[2..])).ToString(),
            _ => throw new InvalidOperationException($"{vr} is not a binary VR."),
        };
    }

    /// <summary>Reads value <paramref name="index"/> of an AT element.</summary>
    public static DicomTag GetTag(ReadOnlySpan<byte> value, int index)
    {
        ReadOnlySpan<byte> s = value.Slice(index * 4, 4);
        return new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(s), BinaryPrimitives.ReadUInt16LittleEndian(s[2..]));
    }

    /// <summary>Parses a DA value (YYYYMMDD; the ACR-NEMA form YYYY.MM.DD is accepted too).</summary>
    public static bool TryParseDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text, ["yyyyMMdd", "yyyy.MM.dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>Parses a TM value (HH, HHMM, HHMMSS, HHMMSS.F up to 6 fraction digits; HH:MM:SS accepted).</summary>
    public static bool TryParseTime(string text, out TimeOnly time)
    {
        string t = text.Replace(":", string.Empty, StringComparison.Ordinal);
        string[] formats = ["HH", "HHmm", "HHmmss", "HHmmss.f", "HHmmss.ff", "HHmmss.fff", "HHmmss.ffff", "HHmmss.fffff", "HHmmss.ffffff"];
        return TimeOnly.TryParseExact(t, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }
}
