using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Gateway.Dicom.Model;
using Gateway.Dicom.Text;

namespace Gateway.Dicom.Json;

/// <summary>Writes a data set in the DICOM JSON Model (PS3.18 Annex F).</summary>
/// <remarks>
/// <list type="bullet">
/// <item>Keys are "GGGGEEEE"; every attribute has "vr"; an empty attribute has no "Value".</item>
/// <item>Text is decoded with the Specific Character Set into Unicode, so (0008,0005) is written as "ISO_IR 192", as DCMTK's dcm2json does.</item>
/// <item>IS, DS and the binary numbers are JSON numbers; SV and UV beyond ±2^53 are strings (F.2.3.1); empty values in a list are null.</item>
/// <item>PN values are objects with Alphabetic, Ideographic and Phonetic groups.</item>
/// <item>OB, OD, OF, OL, OV, OW and UN are InlineBinary (base64 of the little-endian value). Encapsulated pixel data is
/// InlineBinary of its value field as encoded in explicit VR little endian: items with their tags, then the delimiter.</item>
/// <item>Group length elements are left out.</item>
/// </list>
/// </remarks>
public static class DicomJsonWriter
{
    private const long MaxSafeInteger = 9_007_199_254_740_991;

    /// <summary>Writes <paramref name="dataset"/> as one JSON object.</summary>
    public static void Write(Utf8JsonWriter writer, DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(dataset);
        WriteDataset(writer, dataset, 0);
    }

    /// <summary>Serialises <paramref name="dataset"/> to a JSON string.</summary>
    public static string Serialize(DicomDataset dataset, bool indented = true)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, dataset);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteDataset(Utf8JsonWriter writer, DicomDataset dataset, int depth)
    {
        // Depth is bounded by the reader's nesting limit for anything read from a stream.
        writer.WriteStartObject();
        foreach (DicomItem item in dataset)
        {
            if (item.Tag.IsGroupLength)
            {
                continue;
            }

            writer.WritePropertyName(item.Tag.ToJsonKey());
            writer.WriteStartObject();
            writer.WriteString("vr", item.VR.Code);
            switch (item)
            {
                case DicomSequence sequence:
                    if (sequence.Items.Count > 0)
                    {
                        writer.WriteStartArray("Value");
                        foreach (DicomDataset child in sequence.Items)
                        {
                            WriteDataset(writer, child, depth + 1);
                        }

                        writer.WriteEndArray();
                    }

                    break;
                case DicomFragmentSequence fragments:
                    writer.WriteBase64String("InlineBinary", EncodeFragments(fragments));
                    break;
                case DicomElement element:
                    WriteValue(writer, element, dataset.CharacterSet);
                    break;
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes the value member of one element's attribute object ("Value" or "InlineBinary"), or nothing when the value
    /// is empty; the caller has written the key, opened the object and written "vr".
    /// </summary>
    /// <param name="writer">The JSON writer, inside the attribute object.</param>
    /// <param name="element">The element, value in little endian.</param>
    /// <param name="characterSet">The Specific Character Set in force where the element stands (inherited by items).</param>
    public static void WriteValue(Utf8JsonWriter writer, DicomElement element, DicomCharacterSet characterSet)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(element);
        ArgumentNullException.ThrowIfNull(characterSet);
        ReadOnlySpan<byte> value = element.Value.Span;
        DicomVR vr = element.VR;
        if (element.Tag == DicomTags.SpecificCharacterSet)
        {
            // The JSON text is Unicode whatever the data set declared, an empty (default repertoire) one included.
            writer.WriteStartArray("Value");
            writer.WriteStringValue("ISO_IR 192");
            writer.WriteEndArray();
            return;
        }

        if (value.IsEmpty)
        {
            return;
        }

        switch (vr.Kind)
        {
            case DicomVRKind.Bulk:
            case DicomVRKind.Unknown:
                writer.WriteBase64String("InlineBinary", value);
                return;
            case DicomVRKind.Binary:
                WriteBinaryValues(writer, vr, value);
                return;
        }

        string[] values = DicomValue.GetStrings(vr, value, characterSet);
        if (vr == DicomVR.PN)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = WithoutTrailingEmptyComponents(values[i]);
            }
        }
        if (values.Length == 1 && values[0].Length == 0)
        {
            return;
        }

        writer.WriteStartArray("Value");
        foreach (string v in values)
        {
            if (v.Length == 0)
            {
                writer.WriteNullValue();
            }
            else if (vr == DicomVR.PN)
            {
                WritePersonName(writer, v);
            }
            else if (vr == DicomVR.IS || vr == DicomVR.DS)
            {
                WriteNumberText(writer, v);
            }
            else
            {
                writer.WriteStringValue(v);
            }
        }

        writer.WriteEndArray();
    }

    private static void WriteBinaryValues(Utf8JsonWriter writer, DicomVR vr, ReadOnlySpan<byte> value)
    {
        int count = DicomValue.CountBinary(vr, value.Length);
        if (count == 0)
        {
            // A value shorter than one number: malformed, kept as bytes rather than lost.
            writer.WriteBase64String("InlineBinary", value);
            return;
        }

        writer.WriteStartArray("Value");
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> s = value.Slice(i * vr.ValueSize, vr.ValueSize);
            switch (vr.Code)
            {
                case "AT":
                    writer.WriteStringValue(DicomValue.GetTag(value, i).ToJsonKey());
                    break;
                case "FL":
                    float f = BinaryPrimitives.ReadSingleLittleEndian(s);
                    WriteFloatingPoint(writer, f, float.IsFinite(f) ? f.ToString("R", CultureInfo.InvariantCulture) : null);
                    break;
                case "FD":
                    double d = BinaryPrimitives.ReadDoubleLittleEndian(s);
                    WriteFloatingPoint(writer, d, double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : null);
                    break;
                case "SV":
                    long sv = BinaryPrimitives.ReadInt64LittleEndian(s);
                    if (sv is >= -MaxSafeInteger and <= MaxSafeInteger)
                    {
                        writer.WriteNumberValue(sv);
                    }
                    else
                    {
                        writer.WriteStringValue(sv.ToString(CultureInfo.InvariantCulture));
                    }

                    break;
                case "UV":
                    ulong uv = BinaryPrimitives.ReadUInt64LittleEndian(s);
                    if (uv <= MaxSafeInteger)
                    {
                        writer.WriteNumberValue(uv);
                    }
                    else
                    {
                        writer.WriteStringValue(uv.ToString(CultureInfo.InvariantCulture));
                    }

                    break;
                default:
                    writer.WriteRawValue(DicomValue.FormatBinary(vr, value, i), skipInputValidation: true);
                    break;
            }
        }

        writer.WriteEndArray();
    }

    private static void WriteFloatingPoint(Utf8JsonWriter writer, double number, string? text)
    {
        if (text is null)
        {
            // NaN and infinities are not JSON numbers (DCMTK's strict mode refuses them); keep them readable.
            writer.WriteStringValue(number.ToString(CultureInfo.InvariantCulture));
            return;
        }

        writer.WriteRawValue(text, skipInputValidation: true);
    }

    private static void WriteNumberText(Utf8JsonWriter writer, string text)
    {
        if (IsJsonNumber(text))
        {
            writer.WriteRawValue(text, skipInputValidation: true);
        }
        else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d))
        {
            writer.WriteNumberValue(d);
        }
        else
        {
            // Not a number at all: keep the text rather than lose it.
            writer.WriteStringValue(text);
        }
    }

    /// <summary>
    /// A person name without its insignificant delimiters (PS3.5 6.2.1.1: trailing empty components and groups may be
    /// omitted), as dcm2json writes it: <c>Doe^John^^^</c> is <c>Doe^John</c>, <c>Smith^^=Ideo^^=</c> is
    /// <c>Smith=Ideo</c>, and a name of delimiters only (<c>^^^^</c>) is empty.
    /// </summary>
    internal static string WithoutTrailingEmptyComponents(string name)
    {
        if (name.Length == 0 || (!name.Contains('^', StringComparison.Ordinal) && !name.Contains('=', StringComparison.Ordinal)))
        {
            return name;
        }

        string[] groups = name.Split('=');
        for (int i = 0; i < groups.Length; i++)
        {
            groups[i] = groups[i].TrimEnd('^', ' ');
        }

        int count = groups.Length;
        while (count > 0 && groups[count - 1].Length == 0)
        {
            count--;
        }

        return string.Join('=', groups, 0, count);
    }

    private static void WritePersonName(Utf8JsonWriter writer, string value)
    {
        var name = new DicomPersonName(value);
        writer.WriteStartObject();
        if (name.Alphabetic.Length > 0)
        {
            writer.WriteString("Alphabetic", name.Alphabetic);
        }

        if (name.Ideographic.Length > 0)
        {
            writer.WriteString("Ideographic", name.Ideographic);
        }

        if (name.Phonetic.Length > 0)
        {
            writer.WriteString("Phonetic", name.Phonetic);
        }

        writer.WriteEndObject();
    }

    /// <summary>True when <paramref name="s"/> follows the JSON number grammar (RFC 8259 6).</summary>
    internal static bool IsJsonNumber(ReadOnlySpan<char> s)
    {
        int i = 0;
        if (i < s.Length && s[i] == '-')
        {
            i++;
        }

        if (i >= s.Length)
        {
            return false;
        }

        if (s[i] == '0')
        {
            i++;
        }
        else if (s[i] is >= '1' and <= '9')
        {
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }
        }
        else
        {
            return false;
        }

        if (i < s.Length && s[i] == '.')
        {
            i++;
            int start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
        {
            i++;
            if (i < s.Length && (s[i] == '+' || s[i] == '-'))
            {
                i++;
            }

            int start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        return i == s.Length;
    }

    /// <summary>
    /// The value field of encapsulated pixel data as explicit VR little endian encodes it: each item (offset table, then
    /// fragments) with its tag and length, then the sequence delimiter. This is what "InlineBinary" holds for it.
    /// </summary>
    public static byte[] EncodeFragments(DicomFragmentSequence fragments)
    {
        ArgumentNullException.ThrowIfNull(fragments);
        // Item tag (FFFE,E000) and 32-bit length per fragment, padded to even length, then (FFFE,E0DD) (PS3.5 A.4).
        long size = 8;
        foreach (ReadOnlyMemory<byte> fragment in fragments.Items)
        {
            size += 8 + fragment.Length + (fragment.Length & 1);
        }

        byte[] bytes = new byte[size];
        Span<byte> s = bytes;
        int at = 0;
        foreach (ReadOnlyMemory<byte> fragment in fragments.Items)
        {
            WriteItemHeader(s[at..], DicomTag.Item, (uint)(fragment.Length + (fragment.Length & 1)));
            fragment.Span.CopyTo(s[(at + 8)..]);
            at += 8 + fragment.Length + (fragment.Length & 1);
        }

        WriteItemHeader(s[at..], DicomTag.SequenceDelimitationItem, 0);
        return bytes;
    }

    private static void WriteItemHeader(Span<byte> s, DicomTag tag, uint length)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(s, tag.Group);
        BinaryPrimitives.WriteUInt16LittleEndian(s[2..], tag.Element);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], length);
    }
}
