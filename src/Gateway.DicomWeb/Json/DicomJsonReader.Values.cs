using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Gateway.Dicom;
using Gateway.Dicom.Model;

namespace Gateway.DicomWeb.Json;

public sealed partial class DicomJsonReader
{
    // True when a text value of the current top-level data set is not ASCII, so the data set is declared ISO_IR 192.
    private bool _nonAscii;

    /// <summary>Turns a finished attribute object into its element or sequence, now that both its VR and its value are known.</summary>
    private void EndAttribute(Frame frame)
    {
        DicomVR vr = frame.VR;
        if (vr.IsNone)
        {
            throw Error(DicomJsonError.InvalidVR, frame.Offset, "the attribute has no \"vr\"");
        }

        bool bulk = DicomWebJsonWriter.IsBulkVR(vr);

        // F.2.3: OB, OD, OF, OL, OV, OW and UN carry InlineBinary or BulkDataURI, the others Value (or BulkDataURI). OD, OF,
        // OL and OV as Value arrays of numbers are accepted too: Orthanc 1.10's DICOMweb plugin writes them so.
        bool numericBulk = vr == DicomVR.OD || vr == DicomVR.OF || vr == DicomVR.OL || vr == DicomVR.OV;
        if ((frame.ValueMember == Member.Value && bulk && !numericBulk) ||
            (frame.ValueMember == Member.InlineBinary && !bulk) ||
            (frame.ValueMember == Member.BulkDataUri && vr == DicomVR.SQ))
        {
            throw Error(DicomJsonError.InvalidMember, frame.ValueOffset, $"{MemberName(frame.ValueMember)} is not allowed for VR {vr}");
        }

        DicomItem? item = frame.ValueMember switch
        {
            Member.None => vr == DicomVR.SQ ? new DicomSequence(frame.Tag, []) : new DicomElement(frame.Tag, vr, Array.Empty<byte>()),
            Member.InlineBinary => new DicomElement(frame.Tag, vr, InlineBinaryValue(frame, frame.InlineBinary!)),
            Member.BulkDataUri => new DicomElement(frame.Tag, vr, Array.Empty<byte>()),
            _ when vr == DicomVR.SQ => new DicomSequence(frame.Tag, SequenceItems(frame)),
            _ when vr.Kind == DicomVRKind.Binary || numericBulk => new DicomElement(frame.Tag, vr, BinaryValue(frame)),
            _ => new DicomElement(frame.Tag, vr, TextValue(frame)),
        };

        if (frame.ValueMember == Member.BulkDataUri)
        {
            _bulkData?.Add(new DicomJsonBulkData(frame.Dataset!, frame.Path, frame.Tag, vr, frame.BulkDataUri!));
        }

        // Every text value read here is UTF-8, whatever an item declared: only the top level says so.
        if (frame.Tag != DicomTags.SpecificCharacterSet || frame.Depth == 0)
        {
            frame.Dataset!.Set(item);
        }

        _frames.Pop();
    }

    private IEnumerable<DicomDataset> SequenceItems(Frame frame)
    {
        var items = new List<DicomDataset>(frame.Values!.Count);
        foreach (PendingValue value in frame.Values)
        {
            items.Add(value.Kind switch
            {
                ValueKind.Item => value.Item!,
                ValueKind.EmptyObject => new DicomDataset(frame.Dataset),
                _ => throw Error(DicomJsonError.UnexpectedToken, value.Offset, $"a sequence item is a data set object; found {Describe(value.Kind)}"),
            });
        }

        return items;
    }

    /// <summary>The value field of a text attribute: values joined by '\', UTF-8 or ASCII, padded to even length (PS3.5 6.2).</summary>
    private byte[] TextValue(Frame frame)
    {
        DicomVR vr = frame.VR;
        bool numeric = vr == DicomVR.IS || vr == DicomVR.DS;
        var texts = new List<string>(frame.Values!.Count);
        foreach (PendingValue value in frame.Values)
        {
            string? text = value.Kind switch
            {
                ValueKind.Null => null,
                ValueKind.EmptyObject when vr == DicomVR.PN => null,
                ValueKind.PersonName when vr == DicomVR.PN => value.Text,

                // A PN value as a plain string is its Alphabetic group, as some writers put it.
                ValueKind.String when !numeric => value.Text,
                ValueKind.String or ValueKind.Number when numeric => NumberString(value, vr),
                _ => throw Error(DicomJsonError.InvalidValue, value.Offset, $"VR {vr} takes {(numeric ? "numbers" : vr == DicomVR.PN ? "person name objects" : "strings")} or null; found {Describe(value.Kind)}"),
            };
            text ??= string.Empty;
            bool ascii = Ascii.IsValid(text);
            if (!ascii && !vr.UsesSpecificCharacterSet)
            {
                throw Error(DicomJsonError.InvalidValue, value.Offset, $"VR {vr} takes only the default character repertoire (PS3.5 6.2)");
            }

            if (vr.AllowsMultipleTextValues && text.Contains('\\', StringComparison.Ordinal))
            {
                throw Error(DicomJsonError.InvalidValue, value.Offset, $"a value of VR {vr} contains '\\', the value separator");
            }

            _nonAscii |= !ascii;
            texts.Add(text);
        }

        // LT, ST, UT and UR hold one value; several are joined back with the '\' they were split at (Orthanc splits them).
        string joined = string.Join('\\', texts);
        int length = Encoding.UTF8.GetByteCount(joined);
        byte[] bytes = new byte[length + (length & 1)];
        Encoding.UTF8.GetBytes(joined, bytes);
        if ((length & 1) != 0)
        {
            bytes[^1] = vr.PaddingByte;
        }

        return bytes;
    }

    /// <summary>The IS or DS text of a number: integral for IS (PS3.5: -2^31 to 2^31-1), at most 16 characters for DS.</summary>
    private string? NumberString(PendingValue value, DicomVR vr)
    {
        string text = value.Text!.Trim(' ');
        if (text.Length == 0)
        {
            return null;
        }

        if (vr == DicomVR.IS)
        {
            if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d) && d == decimal.Truncate(d) && d is >= int.MinValue and <= int.MaxValue)
            {
                return ((int)d).ToString(CultureInfo.InvariantCulture);
            }

            throw Error(DicomJsonError.InvalidValue, value.Offset, "an IS value is an integer from -2^31 to 2^31-1");
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || !double.IsFinite(number))
        {
            throw Error(DicomJsonError.InvalidValue, value.Offset, "a DS value is a finite decimal number");
        }

        if (text.Length <= 16 && text.AsSpan().IndexOfAnyExcept("0123456789+-.eE") < 0)
        {
            return text;
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

        throw Error(DicomJsonError.InvalidValue, value.Offset, "a DS value does not fit in 16 characters");
    }

    /// <summary>
    /// The little-endian bytes of a binary attribute: numbers, SV/UV beyond 2^53 and FL/FD NaN or infinities as strings,
    /// AT as "GGGGEEEE"; OF, OD, OL and OV as numbers of FL, FD, UL and UV.
    /// </summary>
    private byte[] BinaryValue(Frame frame)
    {
        DicomVR vr = frame.VR;
        string code = vr.Code switch
        {
            "OF" => "FL",
            "OD" => "FD",
            "OL" => "UL",
            "OV" => "UV",
            _ => vr.Code,
        };
        int size = code switch
        {
            "US" or "SS" => 2,
            "FD" or "SV" or "UV" => 8,
            _ => 4,
        };
        byte[] bytes = new byte[frame.Values!.Count * size];
        for (int i = 0; i < frame.Values.Count; i++)
        {
            PendingValue value = frame.Values[i];
            Span<byte> s = bytes.AsSpan(i * size, size);
            bool ok = value.Kind is ValueKind.Number or ValueKind.String && code switch
            {
                "AT" => value.Kind == ValueKind.String && TryTag(value, s),
                "US" => TryInteger(value, ushort.MinValue, ushort.MaxValue, out long us) && Write(s, (ushort)us),
                "SS" => TryInteger(value, short.MinValue, short.MaxValue, out long ss) && Write(s, (short)ss),
                "UL" => TryInteger(value, uint.MinValue, uint.MaxValue, out long ul) && Write(s, (uint)ul),
                "SL" => TryInteger(value, int.MinValue, int.MaxValue, out long sl) && Write(s, (int)sl),
                "SV" => TryInteger(value, long.MinValue, long.MaxValue, out long sv) && Write(s, sv),
                "UV" => TryUInt64(value, out ulong uv) && Write(s, uv),
                "FL" => TryFloat(value, out double fl) && (float)fl is var f && (float.IsFinite(f) || !double.IsFinite(fl)) && Write(s, f),
                "FD" => TryFloat(value, out double fd) && Write(s, fd),
                _ => false,
            };
            if (!ok)
            {
                throw Error(DicomJsonError.InvalidValue, value.Offset, vr == DicomVR.AT
                    ? "an AT value is a string of eight hexadecimal digits"
                    : $"the value is not a number in the range of VR {vr}");
            }
        }

        return bytes;
    }

    private bool TryTag(PendingValue value, Span<byte> destination)
    {
        string text = value.Text!;
        if (text.Length != 8 || !uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint tag))
        {
            throw Error(DicomJsonError.InvalidTag, value.Offset, "an AT value is not eight hexadecimal digits");
        }

        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)(tag >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], (ushort)tag);
        return true;
    }

    private static bool TryInteger(PendingValue value, long min, long max, out long result)
    {
        // 1.0 and 1e2 are integral numbers too, only not written as integers; strings are accepted for SV (F.2.3.1).
        result = 0;
        if (!long.TryParse(value.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result))
        {
            if (value.Kind != ValueKind.Number || !decimal.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d) ||
                d != decimal.Truncate(d) || d < long.MinValue || d > long.MaxValue)
            {
                return false;
            }

            result = (long)d;
        }

        return result >= min && result <= max;
    }

    private static bool TryUInt64(PendingValue value, out ulong result)
    {
        if (ulong.TryParse(value.Text, NumberStyles.None, CultureInfo.InvariantCulture, out result))
        {
            return true;
        }

        if (value.Kind != ValueKind.Number || !decimal.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d) ||
            d != decimal.Truncate(d) || d < 0 || d > ulong.MaxValue)
        {
            return false;
        }

        result = (ulong)d;
        return true;
    }

    private static bool TryFloat(PendingValue value, out double result)
    {
        if (value.Kind == ValueKind.Number)
        {
            return double.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out result) && double.IsFinite(result);
        }

        // NaN and the infinities are not JSON numbers; writers (ours, DCMTK's lenient mode) put them in strings.
        result = value.Text switch
        {
            "NaN" => double.NaN,
            "Infinity" or "inf" => double.PositiveInfinity,
            "-Infinity" or "-inf" => double.NegativeInfinity,
            _ => 0,
        };
        return !double.IsFinite(result);
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

    /// <summary>The bytes of an InlineBinary value: whole units of the VR (OW 2, OF and OL 4, OD and OV 8), odd OB/UN padded with NUL.</summary>
    private byte[] InlineBinaryValue(Frame frame, byte[] bytes)
    {
        if (bytes.Length % frame.VR.SwapUnit != 0)
        {
            throw Error(DicomJsonError.InvalidValue, frame.ValueOffset, $"{bytes.Length} bytes are not whole {frame.VR.SwapUnit}-byte values of VR {frame.VR}");
        }

        if ((bytes.Length & 1) != 0)
        {
            Array.Resize(ref bytes, bytes.Length + 1);
        }

        return bytes;
    }

    private static string Describe(ValueKind kind) => kind switch
    {
        ValueKind.String => "a string",
        ValueKind.Number => "a number",
        ValueKind.Null => "null",
        ValueKind.PersonName => "a person name",
        ValueKind.Item => "a sequence item",
        _ => "an empty object",
    };

    private static string MemberName(Member member) => member switch
    {
        Member.Value => "\"Value\"",
        Member.InlineBinary => "\"InlineBinary\"",
        Member.BulkDataUri => "\"BulkDataURI\"",
        _ => "\"vr\"",
    };
}
