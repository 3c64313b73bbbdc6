using CsCheck;
using Gateway.Dicom.Text;

namespace Gateway.Dicom.Tests.Text;

public sealed class DicomCharacterSetTests
{
    // PS3.5 H.3.1: "Yamada^Tarou=山田^太郎=やまだ^たろう" with Specific Character Set "\ISO 2022 IR 87".
    private const string JapaneseHex =
        "59616D6164615E5461726F753D" + "1B24423B3345441B2842" + "5E" + "1B244242404F3A1B2842" + "3D" +
        "1B2442246424" + "5E24401B2842" + "5E" + "1B2442243F246D24261B2842";

    // PS3.5 I.2: "Hong^Gildong=洪^吉洞=홍^길동" with Specific Character Set "\ISO 2022 IR 149".
    private const string KoreanHex =
        "486F6E675E47696C646F6E673D" + "1B242943FBF3" + "5E" + "1B242943D1CED4D7" + "3D" + "1B242943C8AB" + "5E" + "1B242943B1E6B5BF";

    private static readonly string[] SupportedTerms =
    [
        "", "ISO_IR 6", "ISO_IR 100", "ISO_IR 101", "ISO_IR 109", "ISO_IR 110", "ISO_IR 126", "ISO_IR 127", "ISO_IR 138", "ISO_IR 144",
        "ISO_IR 148", "ISO_IR 166", "ISO_IR 203", "ISO_IR 13", "ISO_IR 192", "GB18030", "GBK", "ISO 2022 IR 6", "ISO 2022 IR 100",
        "ISO 2022 IR 87", "ISO 2022 IR 159", "ISO 2022 IR 149", "ISO 2022 IR 58", "ISO 2022 IR 13",
    ];

    [Fact]
    public void Decode_IsoIr100_IsLatin1()
    {
        DicomCharacterSet cs = DicomCharacterSet.FromTerms(["ISO_IR 100"], out IReadOnlyList<string> unknown);

        Assert.Empty(unknown);
        Assert.Equal("Müller", cs.Decode(Convert.FromHexString("4DFC6C6C6572")));
        Assert.Equal("4DFC6C6C6572", Convert.ToHexString(cs.Encode("Müller")));
    }

    [Fact]
    public void Decode_IsoIr192_IsUtf8()
    {
        DicomCharacterSet cs = DicomCharacterSet.FromTerms(["ISO_IR 192"], out _);

        Assert.Same(DicomCharacterSet.Utf8, cs);
        Assert.Equal("Müller^Jürgen=山田", cs.Decode(Convert.FromHexString("4DC3BC6C6C65725E4AC3BC7267656E3DE5B1B1E794B0")));
        Assert.Equal("4DC3BC6C6C6572", Convert.ToHexString(cs.Encode("Müller")));
    }

    [Fact]
    public void Decode_IsoIr192Invalid_ReplacesWithoutThrowing()
    {
        Assert.Equal("A\uFFFDB", DicomCharacterSet.Utf8.Decode([0x41, 0xC3, 0x42]));
    }

    [Fact]
    public void Decode_Iso2022Ir87_DecodesPS35AnnexHJapaneseName()
    {
        DicomCharacterSet cs = DicomCharacterSet.FromTerms(["", "ISO 2022 IR 87"], out IReadOnlyList<string> unknown);

        Assert.Empty(unknown);
        Assert.Equal("Yamada^Tarou=山田^太郎=やまだ^たろう", cs.Decode(Convert.FromHexString(JapaneseHex)));
    }

    [Fact]
    public void Decode_Iso2022Ir149_DecodesPS35AnnexIKoreanName()
    {
        DicomCharacterSet cs = DicomCharacterSet.FromTerms(["", "ISO 2022 IR 149"], out _);

        Assert.Equal("Hong^Gildong=洪^吉洞=홍^길동", cs.Decode(Convert.FromHexString(KoreanHex)));
    }

    [Theory]
    [InlineData("ISO_IR 144", "B8D2D0DDDED2", "Иванов")]
    [InlineData("ISO_IR 126", "C4E9EFEDF5F3E9EFF2", "Διονυσιος")]
    [InlineData("GB18030", "D6D0CEC45EB2E2CAD4", "中文^测试")]
    public void Decode_SingleTerm_UsesItsCodePage(string term, string hex, string expected)
    {
        DicomCharacterSet cs = DicomCharacterSet.FromTerms([term], out _);

        Assert.Equal(expected, cs.Decode(Convert.FromHexString(hex)));
        Assert.Equal(hex, Convert.ToHexString(cs.Encode(expected)));
    }

    [Fact]
    public void FromTerms_UnknownTerm_ReportsItAndDecodesLatin1()
    {
        DicomCharacterSet cs = DicomCharacterSet.FromTerms(["ISO_IR 999"], out IReadOnlyList<string> unknown);

        Assert.Equal(["ISO_IR 999"], unknown);
        Assert.Equal("Müller", cs.Decode(Convert.FromHexString("4DFC6C6C6572")));
    }

    [Theory]
    [InlineData]
    [InlineData("")]
    [InlineData("  ")]
    public void FromTerms_NoTerm_IsDefaultRepertoire(params string[] terms)
    {
        DicomCharacterSet cs = DicomCharacterSet.FromTerms(terms, out IReadOnlyList<string> unknown);

        Assert.Same(DicomCharacterSet.Default, cs);
        Assert.Empty(unknown);
        Assert.Empty(cs.Terms);
    }

    [Fact]
    public void Terms_PaddedTerms_AreTrimmed()
    {
        DicomCharacterSet cs = DicomCharacterSet.FromTerms([" ", "ISO 2022 IR 87 "], out _);

        Assert.Equal(["", "ISO 2022 IR 87"], cs.Terms);
    }

    [Fact]
    public void Decode_UnknownEscapeSequence_BecomesReplacementCharacter()
    {
        DicomCharacterSet cs = DicomCharacterSet.FromTerms(["", "ISO 2022 IR 87"], out _);

        Assert.Equal("A\uFFFD%ZB", cs.Decode("A\u001b%ZB"u8));
    }

    [Fact]
    public void Decode_RandomBytesUnderEveryTerm_NeverThrowsNorYieldsLoneSurrogates()
    {
        Gen.Select(Gen.Int[0, SupportedTerms.Length - 1], Gen.Int[0, SupportedTerms.Length - 1], Gen.Byte.Array[0, 64])
            .Sample(
                (first, second, bytes) =>
                {
                    // Sprinkle escape sequences so the ISO 2022 switching paths run too.
                    byte[] input = [.. bytes, 0x1B, (byte)'$', (byte)'B', .. bytes, 0x1B, (byte)'(', (byte)'B', .. bytes];
                    DicomCharacterSet cs = DicomCharacterSet.FromTerms([SupportedTerms[first], SupportedTerms[second]], out IReadOnlyList<string> unknown);
                    string text = cs.Decode(input);
                    Assert.Empty(unknown);
                    for (int i = 0; i < text.Length; i++)
                    {
                        if (char.IsHighSurrogate(text[i]))
                        {
                            if (i + 1 == text.Length || !char.IsLowSurrogate(text[i + 1]))
                            {
                                return false;
                            }

                            i++;
                        }
                        else if (char.IsLowSurrogate(text[i]))
                        {
                            return false;
                        }
                    }

                    return true;
                },
                iter: 3000);
    }
}
