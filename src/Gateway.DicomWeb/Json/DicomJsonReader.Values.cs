using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Gateway.Dicom;

namespace Gateway.DicomWeb.Json;

public sealed partial class DicomJsonReader
{
    // True when a text value of the current top-level data set is not ASCII, so the data set is declared ISO_IR 192.
    private bool _nonAscii;

    /// <summary>One value of a text VR: a string, null (an empty value), or for IS and DS a number (F.2.3.1).</summary>
    private string? TextValue(ref Utf8JsonReader reader, DicomVR vr)
    {
        bool numeric = vr == DicomVR.IS || vr == DicomVR.DS;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number when numeric:
            {
                // A JSON number is ASCII and never escaped; a longer one cannot be an IS or DS value anyway.
                if (reader.ValueSpan.Length > 64)
                {
                    throw Error(DicomJsonError.InvalidValue, Offset(ref reader), $"a number of {reader.ValueSpan.Length} characters is too long for VR {vr}");
                }

                Span<char> raw = stackalloc char[reader.ValueSpan.Length];
                CopyAscii(reader.ValueSpan, raw);
                return NumberString(ref reader, vr, raw);
            }

            case JsonTokenType.String when numeric:
            {
                string text = reader.GetString()!.Trim(' ');
                return text.Length == 0 ? null : NumberString(ref reader, vr, text);
            }

            case JsonTokenType.String:
            {
                string text = reader.GetString()!;
                bool ascii = Ascii.IsValid(text);
                if (!ascii && !vr.UsesSpecificCharacterSet)
                {
                    throw Error(DicomJsonError.InvalidValue, Offset(ref reader), $"VR {vr} takes only the default character repertoire (PS3.5 6.2)");
                }

                _nonAscii |= !ascii;
                return text;
            }

            default:
                throw Error(DicomJsonError.InvalidValue, Offset(ref reader), $"VR {vr} takes {(numeric ? "numbers" : "strings")} or null; found {Describe(reader.TokenType)}");
        }
    }

    /// <summary>The IS or DS text of a number: integral for IS (PS3.5: -2^31 to 2^31-1), at most 16 characters for DS.</summary>
    private string NumberString(ref Utf8JsonReader reader, DicomVR vr, scoped ReadOnlySpan<char> text)
    {
        if (vr == DicomVR.IS)
        {
            if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d) && d == decimal.Truncate(d) && d is >= int.MinValue and <= int.MaxValue)
            {
                return ((int)d).ToString(CultureInfo.InvariantCulture);
            }

            throw Error(DicomJsonError.InvalidValue, Offset(ref reader), "an IS value is an integer from -2^31 to 2^31-1");
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || !double.IsFinite(number))
        {
            throw Error(DicomJsonError.InvalidValue, Offset(ref reader), "a DS value is a finite decimal number");
        }

        if (text.Length <= 16 && text.IndexOfAnyExcept("0123456789+-.eE") < 0)
        {
            return text.ToString();
        }

        // PS3.5 Table 6.2-1: DS is at most 16 bytes; keep as many significant digits as fit.
        for (int precision = 17; precision > 0; precision--)
        {
            string formatted = number.ToString("G" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (formatted.Length <= 16)
            {
                return formatted;
            }
        }

        throw Error(DicomJsonError.InvalidValue, Offset(ref reader), "a DS value does not fit in 16 characters");
    }

    /// <summary>Appends one value of a binary VR, little endian: numbers, SV/UV beyond 2^53 and FL/FD NaN or infinities as strings, AT as "GGGGEEEE".</summary>
    private void AppendBinary(ref Utf8JsonReader reader, DicomVR vr, ArrayBufferWriter<byte> bytes)
    {
        Span<byte> s = bytes.GetSpan(8)[..vr.ValueSize];
        bool ok = vr.Code switch
        {
            "AT" => TryTag(ref reader, s),
            "US" => TryInteger(ref reader, ushort.MinValue, ushort.MaxValue, out long us) && Write(s, (ushort)us),
            "SS" => TryInteger(ref reader, short.MinValue, short.MaxValue, out long ss) && Write(s, (short)ss),
            "UL" => TryInteger(ref reader, uint.MinValue, uint.MaxValue, out long ul) && Write(s, (uint)ul),
            "SL" => TryInteger(ref reader, int.MinValue, int.MaxValue, out long sl) && Write(s, (int)sl),
            "SV" => TryInteger(ref reader, long.MinValue, long.MaxValue, out long sv) && Write(s, sv),
            "UV" => TryUInt64(ref reader, out ulong uv) && Write(s, uv),
            "FL" => TryFloat(ref reader, out double fl) && (float)fl is var f && (float.IsFinite(f) || !double.IsFinite(fl)) && Write(s, f),
            "FD" => TryFloat(ref reader, out double fd) && Write(s, fd),
            _ => false,
        };
        if (!ok)
        {
            throw Error(DicomJsonError.InvalidValue, Offset(ref reader), vr == DicomVR.AT
                ? "an AT value is a string of eight hexadecimal digits"
                : $"the value is not a number in the range of VR {vr}");
        }

        bytes.Advance(vr.ValueSize);
    }

    private bool TryTag(ref Utf8JsonReader reader, Span<byte> destination)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        DicomTag tag = ParseTag(ref reader, "an AT value");
        BinaryPrimitives.WriteUInt16LittleEndian(destination, tag.Group);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], tag.Element);
        return true;
    }

    private static bool TryInteger(ref Utf8JsonReader reader, long min, long max, out long value)
    {
        value = 0;
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (!reader.TryGetInt64(out value))
            {
                // 1.0 or 1e2: integral, only not written as an integer.
                if (!reader.TryGetDecimal(out decimal d) || d != decimal.Truncate(d) || d < long.MinValue || d > long.MaxValue)
                {
                    return false;
                }

                value = (long)d;
            }
        }
        else if (reader.TokenType != JsonTokenType.String || !long.TryParse(reader.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }

        return value >= min && value <= max;
    }

    private static bool TryUInt64(ref Utf8JsonReader reader, out ulong value)
    {
        value = 0;
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetUInt64(out value))
            {
                return true;
            }

            if (!reader.TryGetDecimal(out decimal d) || d != decimal.Truncate(d) || d < 0 || d > ulong.MaxValue)
            {
                return false;
            }

            value = (ulong)d;
            return true;
        }

        return reader.TokenType == JsonTokenType.String && ulong.TryParse(reader.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryFloat(ref Utf8JsonReader reader, out double value)
    {
        value = 0;
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetDouble(out value) && double.IsFinite(value);
        }

        // NaN and the infinities are not JSON numbers; writers (ours, DCMTK's lenient mode) put them in strings.
        if (reader.TokenType == JsonTokenType.String)
        {
            switch (reader.GetString())
            {
                case "NaN":
                    value = double.NaN;
                    return true;
                case "Infinity" or "inf":
                    value = double.PositiveInfinity;
                    return true;
                case "-Infinity" or "-inf":
                    value = double.NegativeInfinity;
                    return true;
            }
        }

        return false;
    }

    private static bool Write(Span<byte> s, ushort v)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(s, v);
        return true;
    }

    private static bool Write(Span<byte> s, short v)
    {
        BinaryPrimitives.WriteInt16LittleEndian(s, v);
        return true;
    }

    private static bool Write(Span<byte> s, uint v)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(s, v);
        return true;
    }

    private static bool Write(Span<byte> s, int v)
    {
        BinaryPrimitives.WriteInt32LittleEndian(s, v);
        return true;
    }

    private static bool Write(Span<byte> s, long v)
    {
        BinaryPrimitives.WriteInt64LittleEndian(s, v);
        return true;
    }

    private static bool Write(Span<byte> s, ulong v)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(s, v);
        return true;
    }

    private static bool Write(Span<byte> s, float v)
    {
        BinaryPrimitives.WriteSingleLittleEndian(s, v);
        return true;
    }

    private static bool Write(Span<byte> s, double v)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(s, v);
        return true;
    }

    /// <summary>The value field of a text attribute: values joined by '\', UTF-8 or ASCII, padded to even length (PS3.5 6.2).</summary>
    private byte[] EncodeText(ref Utf8JsonReader reader, Frame frame)
    {
        List<string?> values = frame.Texts!;
        DicomVR vr = frame.VR;
        if (values.Count == 0)
        {
            return [];
        }

        if (!vr.AllowsMultipleTextValues && values.Count > 1)
        {
            throw Error(DicomJsonError.InvalidValue, Offset(ref reader), $"VR {vr} has one value, found {values.Count}");
        }

        if (vr.AllowsMultipleTextValues && values.Exists(v => v is not null && v.Contains('\\', StringComparison.Ordinal)))
        {
            throw Error(DicomJsonError.InvalidValue, Offset(ref reader), $"a value of VR {vr} contains '\\', the value separator");
        }

        string joined = string.Join('\\', values.Select(v => v ?? string.Empty));
        int length = Encoding.UTF8.GetByteCount(joined);
        byte[] bytes = new byte[length + (length & 1)];
        Encoding.UTF8.GetBytes(joined, bytes);
        if ((length & 1) != 0)
        {
            bytes[^1] = vr.PaddingByte;
        }

        return bytes;
    }

    /// <summary>The bytes of an InlineBinary value: whole units of the VR (OW 2, OF and OL 4, OD and OV 8), odd OB/UN padded with NUL.</summary>
    private byte[] InlineBinaryValue(ref Utf8JsonReader reader, DicomVR vr, byte[] bytes)
    {
        if (bytes.Length % vr.SwapUnit != 0)
        {
            throw Error(DicomJsonError.InvalidValue, Offset(ref reader), $"{bytes.Length} bytes are not whole {vr.SwapUnit}-byte values of VR {vr}");
        }

        if ((bytes.Length & 1) != 0)
        {
            Array.Resize(ref bytes, bytes.Length + 1);
        }

        return bytes;
    }
}
