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
    private const int MaxShownBytes = 64;

    public static async Task WriteAsync(DicomFileReader file, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync().ConfigureAwait(false);
        if (file.FileMetaInformation.Count > 0)
        {
            await output.WriteLineAsync("# Dicom-File-Format").ConfigureAwait(false);
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync("# Dicom-Meta-Information-Header").ConfigureAwait(false);
            await output.WriteLineAsync("# Used TransferSyntax: Little Endian Explicit").ConfigureAwait(false);
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
        await output.WriteLineAsync("# Used TransferSyntax: " + file.TransferSyntax.Name).ConfigureAwait(false);

        DicomStreamReader reader = file.Reader;
        var characterSets = new Stack<DicomCharacterSet>();
        DicomCharacterSet characterSet = DicomCharacterSet.Default;
        byte[] shown = new byte[MaxShownBytes * 2];
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
                    await output.WriteLineAsync(FormatLine(depth, reader.Tag, DicomVR.SQ, reader.IsUndefinedLength ? "(Sequence with undefined length)" : "(Sequence with explicit length)", reader.Length, 1, Keyword(reader.Tag, reader.PrivateCreator))).ConfigureAwait(false);
                    break;
                case DicomTokenType.ItemStart:
                    await output.WriteLineAsync(FormatItemLine(depth, "fffe,e000", reader.IsUndefinedLength ? "(Item with undefined length)" : "(Item with explicit length)", reader.Length, 1, "Item")).ConfigureAwait(false);
                    break;
                case DicomTokenType.ItemEnd:
                    // Nested items inherit the character set of the data set around their sequence.
                    characterSet = characterSets.Peek();
                    await output.WriteLineAsync(FormatItemLine(depth, "fffe,e00d", "(ItemDelimitationItem)", 0, 0, "ItemDelimitationItem")).ConfigureAwait(false);
                    break;
                case DicomTokenType.SequenceEnd:
                    characterSet = characterSets.Pop();
                    await output.WriteLineAsync(FormatItemLine(depth, "fffe,e0dd", "(SequenceDelimitationItem)", 0, 0, "SequenceDelimitationItem")).ConfigureAwait(false);
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
                    await output.WriteLineAsync(FormatItemLine(depth, "fffe,e000", text, reader.Length, 1, reader.Index == 0 ? "Item (Basic Offset Table)" : "Item")).ConfigureAwait(false);
                    break;
                }

                case DicomTokenType.FragmentsEnd:
                    await output.WriteLineAsync(FormatItemLine(depth, "fffe,e0dd", "(SequenceDelimitationItem)", 0, 0, "SequenceDelimitationItem")).ConfigureAwait(false);
                    break;
            }
        }
    }

    private static string Keyword(DicomTag tag, string? privateCreator) =>
        Gateway.Dicom.Dictionary.DicomDictionary.Standard.FindKeyword(tag, privateCreator) ?? (tag.IsPrivate ? "PrivateTag" : "Unknown Tag & Data");

    private static string FormatLine(int depth, DicomTag tag, DicomVR vr, string value, uint length, int vm, string keyword)
    {
        string head = string.Create(CultureInfo.InvariantCulture, $"({tag.Group:x4},{tag.Element:x4}) {vr.Code} {value}");
        return Pad(depth, head, length, vm, keyword);
    }

    private static string FormatItemLine(int depth, string tag, string value, uint length, int vm, string keyword) =>
        Pad(depth, $"({tag}) {(value.StartsWith('(') ? "na" : "pi")} {value}", length, vm, keyword);

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
        line.Append(CultureInfo.InvariantCulture, $" # {len,3}, {vm} {keyword}");
        return line.ToString();
    }

    /// <summary>Formats a value (possibly only its first bytes) as dcmdump does: text in brackets, numbers and bytes separated by backslashes.</summary>
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
                string joined = string.Join('\\', values);
                if (joined.Length > 64)
                {
                    return "[" + Escape(joined[..64]) + "]...";
                }

                return "[" + Escape(joined) + "]" + (truncated ? "..." : string.Empty);
            }

            case DicomVRKind.Binary:
            {
                int count = DicomValue.CountBinary(vr, value.Length);
                vm = (int)(fullLength / (uint)vr.ValueSize);
                var parts = new List<string>();
                int shownLength = 0;
                for (int i = 0; i < count && shownLength < 64; i++)
                {
                    string s = DicomValue.FormatBinary(vr, value, i);
                    parts.Add(vr == DicomVR.AT ? s.ToLowerInvariant() : s);
                    shownLength += s.Length + 1;
                }

                return string.Join('\\', parts) + (parts.Count < vm ? "..." : string.Empty);
            }

            default:
            {
                vm = 1;
                var sb = new StringBuilder();
                bool words = vr == DicomVR.OW && value.Length % 2 == 0;
                int step = words ? 2 : 1;
                for (int i = 0; i + step <= value.Length && sb.Length < 64; i += step)
                {
                    if (sb.Length > 0)
                    {
                        sb.Append('\\');
                    }

                    if (words)
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"{value[i] | (value[i + 1] << 8):x4}");
                    }
                    else
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"{value[i]:x2}");
                    }
                }

                return sb + (sb.Length >= 64 || truncated ? "..." : string.Empty);
            }
        }
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
