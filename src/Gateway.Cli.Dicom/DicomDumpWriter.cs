using System.Globalization;
using System.Text;
using Gateway.Dicom;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Text;

namespace Gateway.Cli.Dicom;

/// <summary>
/// Prints a DICOM file as text in DCMTK's dcmdump layout: one line per element with tag, VR, value, then
/// "# length, multiplicity keyword". It streams: large values are read only as far as they are shown.
/// </summary>
internal static class DicomDumpWriter
{
    private const int ValueColumn = 40;

    // dcmdump's DCM_OptPrintLineLength: longer values are shortened to this many characters, "..." included.
    private const int MaxValueText = 70;

    // Enough bytes for any value shortened to MaxValueText characters (at most 35 numbers of 8 bytes).
    private const int MaxShownBytes = 320;

    public static async Task WriteAsync(DicomFileReader file, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync().ConfigureAwait(false);
        if (file.FileMetaInformation.Count > 0)
        {
            await output.WriteLineAsync("# Dicom-File-Format").ConfigureAwait(false);
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync("# Dicom-Meta-Information-Header").ConfigureAwait(false);
            await output.WriteLineAsync("# Used TransferSyntax: " + DcmtkName(DicomTransferSyntax.ExplicitVRLittleEndian)).ConfigureAwait(false);
            foreach (DicomItem item in file.FileMetaInformation)
            {
                if (item is DicomElement e)
                {
                    await output.WriteLineAsync(FormatLine(0, e.Tag, e.VR, FormatValue(e.VR, e.Value.Span, (uint)e.Length, DicomCharacterSet.Default, out int vm), (uint)e.Length, vm, Keyword(e.Tag, null))).ConfigureAwait(false);
                }
            }

            await output.WriteLineAsync().ConfigureAwait(false);
        }

        await output.WriteLineAsync("# Dicom-Data-Set").ConfigureAwait(false);
        await output.WriteLineAsync("# Used TransferSyntax: " + DcmtkName(file.TransferSyntax)).ConfigureAwait(false);

        DicomStreamReader reader = file.Reader;
        var characterSets = new Stack<DicomCharacterSet>();

        // Whether each open sequence and item had undefined length: dcmdump marks the delimiters it adds to explicit-length
        // ones ("for re-encoding"), as they are not in the file.
        var undefinedLengths = new Stack<bool>();
        DicomCharacterSet characterSet = DicomCharacterSet.Default;
        byte[] shown = new byte[MaxShownBytes];
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            int depth = reader.Depth;
            switch (reader.TokenType)
            {
                case DicomTokenType.Element:
                {
                    int take = (int)Math.Min(reader.Length, reader.VR.Kind == DicomVRKind.Text ? 4096 : shown.Length);
                    byte[] buffer = take <= shown.Length ? shown : new byte[take];
                    int n = 0;
                    while (n < take)
                    {
                        n += await reader.ReadValueChunkAsync(buffer.AsMemory(n, take - n), cancellationToken).ConfigureAwait(false);
                    }

                    Span<byte> value = buffer.AsSpan(0, n);
                    if (reader.Encoding.IsBigEndian)
                    {
                        DicomByteOrder.Swap(value, reader.VR.SwapUnit);
                    }

                    if (reader.Tag == DicomTags.SpecificCharacterSet)
                    {
                        characterSet = DicomCharacterSet.FromTerms(DicomValue.GetStrings(DicomVR.CS, value, DicomCharacterSet.Default), out _);
                    }

                    string text = FormatValue(reader.VR, value, reader.Length, characterSet, out int vm);
                    await output.WriteLineAsync(FormatLine(depth, reader.Tag, reader.VR, text, reader.Length, vm, Keyword(reader.Tag, reader.PrivateCreator))).ConfigureAwait(false);
                    break;
                }

                case DicomTokenType.SequenceStart:
                    characterSets.Push(characterSet);
                    undefinedLengths.Push(reader.IsUndefinedLength);
                    await output.WriteLineAsync(FormatLine(depth, reader.Tag, DicomVR.SQ, reader.IsUndefinedLength ? "(Sequence with undefined length)" : "(Sequence with explicit length)", reader.Length, 1, Keyword(reader.Tag, reader.PrivateCreator))).ConfigureAwait(false);
                    break;
                case DicomTokenType.ItemStart:
                    undefinedLengths.Push(reader.IsUndefinedLength);
                    await output.WriteLineAsync(FormatItemLine(depth, "fffe,e000", "na", reader.IsUndefinedLength ? "(Item with undefined length)" : "(Item with explicit length)", reader.Length, 1, "Item")).ConfigureAwait(false);
                    break;
                case DicomTokenType.ItemEnd:
                    // Nested items inherit the character set of the data set around their sequence.
                    characterSet = characterSets.Peek();
                    await output.WriteLineAsync(FormatItemLine(depth, "fffe,e00d", "na", undefinedLengths.Pop() ? "(ItemDelimitationItem)" : "(ItemDelimitationItem for re-encoding)", 0, 0, "ItemDelimitationItem")).ConfigureAwait(false);
                    break;
                case DicomTokenType.SequenceEnd:
                    characterSet = characterSets.Pop();
                    await output.WriteLineAsync(FormatItemLine(depth, "fffe,e0dd", "na", undefinedLengths.Pop() ? "(SequenceDelimitationItem)" : "(SequenceDelimitationItem for re-encod.)", 0, 0, "SequenceDelimitationItem")).ConfigureAwait(false);
                    break;
                case DicomTokenType.FragmentsStart:
                    await output.WriteLineAsync(FormatLine(depth, reader.Tag, reader.VR, "(PixelSequence)", uint.MaxValue, 1, "PixelData")).ConfigureAwait(false);
                    break;
                case DicomTokenType.Fragment:
                {
                    int take = (int)Math.Min(reader.Length, shown.Length);
                    int n = 0;
                    while (n < take)
                    {
                        n += await reader.ReadValueChunkAsync(shown.AsMemory(n, take - n), cancellationToken).ConfigureAwait(false);
                    }

                    string text = FormatValue(DicomVR.OB, shown.AsSpan(0, n), reader.Length, characterSet, out _);
                    // "pi" for every fragment, an empty Basic Offset Table included, as dcmdump prints it.
                    await output.WriteLineAsync(FormatItemLine(depth, "fffe,e000", "pi", text, reader.Length, 1, reader.Index == 0 ? "Item (Basic Offset Table)" : "Item")).ConfigureAwait(false);
                    break;
                }

                case DicomTokenType.FragmentsEnd:
                    await output.WriteLineAsync(FormatItemLine(depth, "fffe,e0dd", "na", "(SequenceDelimitationItem)", 0, 0, "SequenceDelimitationItem")).ConfigureAwait(false);
                    break;
            }
        }
    }

    // The name dcmdump gives a transfer syntax in its "Used TransferSyntax" line (DCMTK 3.6.7, checked one by one with
    // dcmconv, dcmcjpeg, dcmcrle and dcmcjpls output); any other syntax goes by its PS3.6 name.
    private static string DcmtkName(DicomTransferSyntax syntax) => syntax.Uid.Value switch
    {
        "1.2.840.10008.1.2" => "Little Endian Implicit",
        "1.2.840.10008.1.2.1" => "Little Endian Explicit",
        "1.2.840.10008.1.2.2" => "Big Endian Explicit",
        "1.2.840.10008.1.2.1.99" => "Deflated Explicit VR Little Endian",
        "1.2.840.10008.1.2.4.50" => "JPEG Baseline",
        "1.2.840.10008.1.2.4.51" => "JPEG Extended, Process 2+4",
        "1.2.840.10008.1.2.4.57" => "JPEG Lossless, Non-hierarchical, Process 14",
        "1.2.840.10008.1.2.4.70" => "JPEG Lossless, Non-hierarchical, 1st Order Prediction",
        "1.2.840.10008.1.2.4.80" => "JPEG-LS Lossless",
        "1.2.840.10008.1.2.5" => "RLE Lossless",
        _ => syntax.Name,
    };

    // dcmdump's name for an element its dictionary does not know, public or private alike.
    private static string Keyword(DicomTag tag, string? privateCreator) =>
        Gateway.Dicom.Dictionary.DicomDictionary.Standard.FindKeyword(tag, privateCreator) ?? "Unknown Tag & Data";

    private static string FormatLine(int depth, DicomTag tag, DicomVR vr, string value, uint length, int vm, string keyword)
    {
        string head = string.Create(CultureInfo.InvariantCulture, $"({tag.Group:x4},{tag.Element:x4}) {vr.Code} {value}");
        return Pad(depth, head, length, vm, keyword);
    }

    private static string FormatItemLine(int depth, string tag, string vr, string value, uint length, int vm, string keyword) =>
        Pad(depth, $"({tag}) {vr} {value}", length, vm, keyword);

    private static string Pad(int depth, string head, uint length, int vm, string keyword)
    {
        var line = new StringBuilder();
        line.Append(' ', depth * 2).Append(head);
        int column = (depth * 2) + ValueColumn + 15;
        if (line.Length < column)
        {
            line.Append(' ', column - line.Length);
        }

        string len = length == uint.MaxValue ? "u/l" : length.ToString(CultureInfo.InvariantCulture);
        line.Append(CultureInfo.InvariantCulture, $" # {len,3},{vm,2} {keyword}");
        return line.ToString();
    }

    /// <summary>Formats a value (possibly only its first bytes) as dcmdump does: text in brackets, numbers and bytes separated by backslashes.</summary>
    /// <remarks>
    /// Like dcmdump, a value longer than <see cref="MaxValueText"/> characters is shortened and ends in "...": text is cut,
    /// numbers are shown while they fit, bytes and words up to a fixed count. OF, OD, OL and OV are numbers, as dcmdump shows them.
    /// </remarks>
    internal static string FormatValue(DicomVR vr, ReadOnlySpan<byte> value, uint fullLength, DicomCharacterSet characterSet, out int vm)
    {
        bool truncated = value.Length < fullLength;
        vm = 0;
        if (fullLength == 0)
        {
            return "(no value available)";
        }

        switch (vr.Kind)
        {
            case DicomVRKind.Text:
            {
                string[] values = DicomValue.GetStrings(vr, value, characterSet);
                vm = values.Length;
                string shown = "[" + Escape(string.Join('\\', values)) + "]";
                return shown.Length > MaxValueText || truncated ? shown[..Math.Min(shown.Length, MaxValueText - 3)] + "..." : shown;
            }

            case DicomVRKind.Binary:
                vm = (int)(fullLength / (uint)vr.ValueSize);
                return FormatNumbers(vr, value, vm);
            default:
            {
                vm = 1;
                if (NumberVR(vr) is { } numberVR)
                {
                    return FormatNumbers(numberVR, value, (int)(fullLength / (uint)numberVR.ValueSize));
                }

                // Bytes, or 16-bit words for OW: as many as fit in full, then "...".
                bool words = vr == DicomVR.OW && fullLength % 2 == 0;
                int width = words ? 4 : 2;
                long total = words ? fullLength / 2 : fullLength;
                long count = total * (width + 1) - 1 > MaxValueText ? (MaxValueText - 3 + 1) / (width + 1) : total;
                var sb = new StringBuilder();
                int step = words ? 2 : 1;
                for (int i = 0; i < count && i * step + step <= value.Length; i++)
                {
                    if (i > 0)
                    {
                        sb.Append('\\');
                    }

                    int at = i * step;
                    if (words)
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"{value[at] | (value[at + 1] << 8):x4}");
                    }
                    else
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"{value[at]:x2}");
                    }
                }

                return sb + (count < total ? "..." : string.Empty);
            }
        }
    }

    // OF, OD, OL and OV hold numbers of the matching binary VR, which dcmdump shows as numbers.
    private static DicomVR? NumberVR(DicomVR vr) => vr.Code switch
    {
        "OF" => DicomVR.FL,
        "OD" => DicomVR.FD,
        "OL" => DicomVR.UL,
        "OV" => DicomVR.UV,
        _ => null,
    };

    // Numbers are shown while they fit in MaxValueText characters, leaving room for "..." unless it is the last one.
    private static string FormatNumbers(DicomVR vr, ReadOnlySpan<byte> value, int total)
    {
        int available = DicomValue.CountBinary(vr, value.Length);
        var sb = new StringBuilder();
        for (int i = 0; i < total; i++)
        {
            if (i == available)
            {
                return sb + "...";
            }

            string s = DicomValue.FormatBinary(vr, value, i);
            if (vr == DicomVR.AT)
            {
                s = s.ToLowerInvariant();
            }

            int newLength = sb.Length + (i > 0 ? 1 : 0) + s.Length;
            if (newLength > MaxValueText || (i + 1 < total && newLength + 3 > MaxValueText))
            {
                return sb + "...";
            }

            sb.Append(i > 0 ? "\\" : string.Empty).Append(s);
        }

        return sb.ToString();
    }

    // Control characters (CR, LF, ESC ...) would break the one-line-per-element layout.
    private static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            if (char.IsControl(c))
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\{(int)c:x2}");
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
