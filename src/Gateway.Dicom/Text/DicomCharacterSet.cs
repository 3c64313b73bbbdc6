using System.Text;

namespace Gateway.Dicom.Text;

/// <summary>
/// Decodes and encodes text values under a Specific Character Set (0008,0005) (PS3.3 C.12.1.1.2, PS3.5 6.1).
/// </summary>
/// <remarks>
/// Supported: the default repertoire, ISO_IR 100/101/109/110/126/127/138/144/148/166/203, ISO_IR 13, ISO_IR 192 (UTF-8),
/// GB18030, GBK, and their ISO 2022 forms, including code extensions with escape sequences for the single-byte sets,
/// JIS X 0201/0208/0212, KS X 1001 and GB 2312. Code pages come from <see cref="CodePagesEncodingProvider"/> without
/// registering it process-wide. Bytes that cannot be decoded become U+FFFD, never an exception.
/// </remarks>
public sealed class DicomCharacterSet
{
    private static readonly Encoding Ascii = Encoding.Latin1;
    private readonly Encoding[] _encodings;
    private readonly bool _usesCodeExtensions;

    private DicomCharacterSet(string[] terms, Encoding[] encodings, bool usesCodeExtensions)
    {
        Terms = terms;
        _encodings = encodings;
        _usesCodeExtensions = usesCodeExtensions;
    }

    /// <summary>The default character repertoire (no Specific Character Set).</summary>
    public static DicomCharacterSet Default { get; } = new([], [Ascii], false);

    /// <summary>ISO_IR 192, Unicode in UTF-8.</summary>
    public static DicomCharacterSet Utf8 { get; } = new(["ISO_IR 192"], [new UTF8Encoding(false, false)], false);

    /// <summary>The defined terms of the Specific Character Set, in order.</summary>
    public IReadOnlyList<string> Terms { get; }

    /// <summary>The primary encoding (of the first term), used to encode new values.</summary>
    public Encoding PrimaryEncoding => _encodings[0];

    /// <summary>
    /// Creates the character set for the values of Specific Character Set. Unknown terms are reported in
    /// <paramref name="unknown"/> and decoded as the default repertoire (Latin-1 for bytes above 0x7F, as DCMTK does).
    /// </summary>
    public static DicomCharacterSet FromTerms(IReadOnlyList<string> terms, out IReadOnlyList<string> unknown)
    {
        List<string> unknownTerms = [];
        if (terms.Count == 0 || (terms.Count == 1 && string.IsNullOrWhiteSpace(terms[0])))
        {
            unknown = unknownTerms;
            return Default;
        }

        var encodings = new Encoding[terms.Count];
        bool extensions = false;
        for (int i = 0; i < terms.Count; i++)
        {
            string term = terms[i].Trim();
            extensions |= term.StartsWith("ISO 2022", StringComparison.Ordinal);
            Encoding? e = EncodingForTerm(term);
            if (e is null)
            {
                if (term.Length > 0)
                {
                    unknownTerms.Add(term);
                }

                e = Ascii;
            }

            encodings[i] = e;
        }

        unknown = unknownTerms;
        if (terms.Count == 1 && terms[0].Trim() == "ISO_IR 192")
        {
            return Utf8;
        }

        return new DicomCharacterSet([.. terms.Select(t => t.Trim())], encodings, extensions || terms.Count > 1);
    }

    /// <summary>Decodes a text value (all its bytes, padding included).</summary>
    public string Decode(ReadOnlySpan<byte> bytes)
    {
        if (!_usesCodeExtensions || bytes.IndexOf((byte)0x1B) < 0)
        {
            return _encodings[0].GetString(bytes);
        }

        return DecodeWithEscapes(bytes);
    }

    /// <summary>Encodes a text value with the primary encoding.</summary>
    public byte[] Encode(string text) => _encodings[0].GetBytes(text);

    private string DecodeWithEscapes(ReadOnlySpan<byte> bytes)
    {
        // PS3.5 6.1.2.5.3: the initial set is active at the start and again after each delimiter (CR, LF, FF, TAB,
        // backslash, and in person names '^' and '='). An escape sequence switches G0 or G1 until the next one.
        var result = new StringBuilder(bytes.Length);
        Encoding initial = _encodings[0];
        Encoding current = initial;
        bool currentIsIso2022Jp = false;
        int segmentStart = 0;
        int i = 0;
        while (i < bytes.Length)
        {
            byte b = bytes[i];
            if (b == 0x1B)
            {
                Flush(bytes[segmentStart..i]);
                int escapeLength = MatchEscape(bytes[i..], out Encoding? next, out bool nextIsJis);
                if (escapeLength == 0)
                {
                    result.Append('\uFFFD');
                    i++;
                }
                else
                {
                    current = next ?? initial;
                    currentIsIso2022Jp = nextIsJis;
                    i += escapeLength;
                }

                segmentStart = i;
                continue;
            }

            if (!currentIsIso2022Jp && b is 0x0D or 0x0A or 0x0C or 0x09 or (byte)'\\' or (byte)'^' or (byte)'=')
            {
                Flush(bytes[segmentStart..i]);
                result.Append((char)b);
                current = initial;
                i++;
                segmentStart = i;
                continue;
            }

            i++;
        }

        Flush(bytes[segmentStart..]);
        return result.ToString();

        void Flush(ReadOnlySpan<byte> segment)
        {
            if (segment.IsEmpty)
            {
                return;
            }

            if (currentIsIso2022Jp)
            {
                // JIS X 0208 / 0212 bytes are 7-bit pairs: decode through ISO-2022-JP with its own designation.
                byte[] wrapped = [0x1B, (byte)'$', (byte)'B', .. segment, 0x1B, (byte)'(', (byte)'B'];
                result.Append(current.GetString(wrapped));
            }
            else
            {
                result.Append(current.GetString(segment));
            }
        }
    }

    private static int MatchEscape(ReadOnlySpan<byte> s, out Encoding? encoding, out bool isIso2022Jp)
    {
        isIso2022Jp = false;
        encoding = null;
        (string sequence, string? term)[] table =
        [
            ("\u001b(B", "ISO_IR 6"),
            ("\u001b(J", "ISO_IR 13"),
            ("\u001b)I", "ISO_IR 13"),
            ("\u001b-A", "ISO_IR 100"),
            ("\u001b-B", "ISO_IR 101"),
            ("\u001b-C", "ISO_IR 109"),
            ("\u001b-D", "ISO_IR 110"),
            ("\u001b-L", "ISO_IR 144"),
            ("\u001b-G", "ISO_IR 127"),
            ("\u001b-F", "ISO_IR 126"),
            ("\u001b-H", "ISO_IR 138"),
            ("\u001b-M", "ISO_IR 148"),
            ("\u001b-T", "ISO_IR 166"),
            ("\u001b-b", "ISO_IR 203"),
            ("\u001b$B", "ISO 2022 IR 87"),
            ("\u001b$(D", "ISO 2022 IR 159"),
            ("\u001b$)C", "ISO 2022 IR 149"),
            ("\u001b$)A", "ISO 2022 IR 58"),
        ];
        foreach ((string sequence, string? term) in table)
        {
            if (s.Length >= sequence.Length && Matches(s, sequence))
            {
                if (term is "ISO 2022 IR 87" or "ISO 2022 IR 159")
                {
                    isIso2022Jp = true;
                }

                encoding = EncodingForTerm(term!);
                return sequence.Length;
            }
        }

        return 0;
    }

    private static bool Matches(ReadOnlySpan<byte> s, string sequence)
    {
        for (int i = 0; i < sequence.Length; i++)
        {
            if (s[i] != sequence[i])
            {
                return false;
            }
        }

        return true;
    }

    private static Encoding? EncodingForTerm(string term)
    {
        string core = term.Replace("ISO 2022 ", "ISO_", StringComparison.Ordinal);
        int? codePage = core switch
        {
            "" or "ISO_IR 6" => 28591,
            "ISO_IR 100" => 28591,
            "ISO_IR 101" => 28592,
            "ISO_IR 109" => 28593,
            "ISO_IR 110" => 28594,
            "ISO_IR 144" => 28595,
            "ISO_IR 127" => 28596,
            "ISO_IR 126" => 28597,
            "ISO_IR 138" => 28598,
            "ISO_IR 148" => 28599,
            "ISO_IR 203" => 28605,
            "ISO_IR 166" => 874,
            "ISO_IR 13" => 932,
            "ISO_IR 87" or "ISO_IR 159" => 50220,
            "ISO_IR 149" => 51949,
            "ISO_IR 58" => 936,
            "ISO_IR 192" => 65001,
            "GB18030" => 54936,
            "GBK" => 936,
            _ => null,
        };
        if (codePage is null)
        {
            return null;
        }

        return codePage.Value switch
        {
            28591 => Encoding.Latin1,
            65001 => new UTF8Encoding(false, false),
            _ => CodePagesEncodingProvider.Instance.GetEncoding(codePage.Value) ?? Encoding.GetEncoding(codePage.Value),
        };
    }
}
