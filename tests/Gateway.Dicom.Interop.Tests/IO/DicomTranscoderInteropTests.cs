using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Dicom.Interop.Tests.Json;
using Gateway.Dicom.Interop.Tests.Support;

namespace Gateway.Dicom.Interop.Tests.IO;

/// <summary>
/// Every file the transcoder writes is read back by DCMTK (dcmdump, dcm2json, dcmconv, the decompressors) with the same
/// content as DCMTK's own conversion of the same input.
/// </summary>
public sealed partial class DicomTranscoderInteropTests(DcmtkFixture dcmtk) : IClassFixture<DcmtkFixture>
{
    public static TheoryData<string> UncompressedInputs => [.. InteropInput.All.Where(i => !i.IsEncapsulated).Select(i => i.Name)];

    public static TheoryData<string> EncapsulatedInputs => [.. InteropInput.All.Where(i => i.IsEncapsulated).Select(i => i.Name)];

    public static TheoryData<string> TargetNames => [.. TargetSyntax.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(UncompressedInputs))]
    public async Task Transcode_UncompressedInputToEachSyntax_DcmtkReadsTheSameContentAsItsOwnConversion(string inputName)
    {
        // The four conversions of one input run side by side: each mostly waits for DCMTK's processes.
        InteropInput input = InteropInput.Named(inputName);
        await Task.WhenAll(TargetSyntax.All.Select(target => WithContextAsync($"{input.Name} -> {target.Name}", () => AssertUncompressedConversionAsync(input, target))));
    }

    [Theory]
    [MemberData(nameof(EncapsulatedInputs))]
    public async Task Transcode_EncapsulatedInputToItsOwnSyntax_DcmtkReadsAndDecodesTheSameContent(string inputName)
    {
        InteropInput input = InteropInput.Named(inputName);
        string source = await dcmtk.Corpus.GetAsync(input);
        string sourceListing = await Dcmdump.ReadCleanlyAsync(source);
        DicomTransferSyntax syntax = DicomTransferSyntax.Parse(Dcmdump.ValueOf(sourceListing, "0002,0010")!);
        string ours = dcmtk.Corpus.NewPath($"{input.Name}.gateway-same");

        await GatewayCodec.TranscodeAsync(source, ours, syntax);

        string listing = await Dcmdump.ReadCleanlyAsync(ours);
        AssertMetaInformation(listing, syntax, sourceListing);
        string reference = await dcmtk.Corpus.GetDcmtkConversionAsync(input, target: null);
        Assert.Equal(Dcmdump.DatasetPart(await Dcmdump.ReadCleanlyAsync(reference)), Dcmdump.DatasetPart(listing));
        Assert.Equal(await EncapsulatedPixelData.FragmentsFromDcmdumpAsync(source), await EncapsulatedPixelData.FragmentsFromDcmdumpAsync(ours));
        DicomJsonWriterInteropTests.AssertSameJson(
            await dcmtk.Corpus.GetDcm2JsonAsync(await dcmtk.Corpus.GetWithoutPixelDataAsync(source)),
            await Dcm2JsonAsync(await dcmtk.Corpus.GetWithoutPixelDataAsync(ours)));

        // DCMTK's decoder decodes the gateway's copy to the same pixels as the original.
        string decodedSource = dcmtk.Corpus.NewPath($"{input.Name}.{input.Decompressor}");
        string decodedOurs = dcmtk.Corpus.NewPath($"{input.Name}.gateway-same.{input.Decompressor}");
        (await ExternalTool.RunAsync(input.Decompressor, source, decodedSource)).EnsureSuccess();
        (await ExternalTool.RunAsync(input.Decompressor, ours, decodedOurs)).EnsureSuccess();
        byte[] pixels = await PixelDataBytesAsync(decodedOurs);
        Assert.NotEmpty(pixels);
        Assert.Equal(await PixelDataBytesAsync(decodedSource), pixels);
    }

    [Theory]
    [MemberData(nameof(TargetNames))]
    public async Task Transcode_Iso2022Japanese_KeepsTheEscapeSequencesByteForByte(string targetName)
    {
        TargetSyntax target = TargetSyntax.Named(targetName);
        string source = await dcmtk.Corpus.GetAsync(InteropInput.Japanese);
        string ours = dcmtk.Corpus.NewPath($"{InteropInput.Japanese.Name}.gateway-{target.Name}");

        await GatewayCodec.TranscodeAsync(source, ours, target.Syntax);

        // dcmdump prints the value bytes as they are, escape sequences included.
        string expected = Dcmdump.DatasetPart(await Dcmdump.ReadCleanlyAsync(await dcmtk.Corpus.GetDcmtkConversionAsync(InteropInput.Japanese, target)));
        Assert.Equal(expected, Dcmdump.DatasetPart(await Dcmdump.ReadCleanlyAsync(ours)));
        Assert.Contains("\u001b$B;3ED\u001b(B", expected, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Convert_WithTheCli_WritesAFileDcmtkReads()
    {
        InteropInput input = new("ct-16bit", InteropInput.ExplicitLE);
        string source = await dcmtk.Corpus.GetAsync(input);
        string ours = dcmtk.Corpus.NewPath("ct-16bit.gatewayctl-explicit-be");

        (int exitCode, _, string stderr) = await GatewayCodec.RunCliAsync("dicom", "convert", "--transfer-syntax", DicomTransferSyntax.ExplicitVRBigEndian.Uid.Value, source, ours);

        Assert.True(exitCode == 0, stderr);
        string listing = await Dcmdump.ReadCleanlyAsync(ours);
        AssertMetaInformation(listing, DicomTransferSyntax.ExplicitVRBigEndian, await Dcmdump.ReadCleanlyAsync(source));
        DicomJsonWriterInteropTests.AssertSameJson(await dcmtk.Corpus.GetDcm2JsonAsync(source), await Dcm2JsonAsync(ours));
    }

    private async Task AssertUncompressedConversionAsync(InteropInput input, TargetSyntax target)
    {
        string source = await dcmtk.Corpus.GetAsync(input);
        string reference = await dcmtk.Corpus.GetDcmtkConversionAsync(input, target);
        string ours = dcmtk.Corpus.NewPath($"{input.Name}.gateway-{target.Name}");

        await GatewayCodec.TranscodeAsync(source, ours, target.Syntax);

        string listing = await Dcmdump.ReadCleanlyAsync(ours, line => target == TargetSyntax.ImplicitLE && IsPrivateSequenceInImplicitVRWarning(line));
        AssertMetaInformation(listing, target.Syntax, await Dcmdump.ReadCleanlyAsync(source, IsPrivateSequenceInImplicitVRWarning));
        Assert.Equal(Dcmdump.DatasetPart(await Dcmdump.ReadCleanlyAsync(reference, _ => true)), Dcmdump.DatasetPart(listing));
        DicomJsonWriterInteropTests.AssertSameJson(await dcmtk.Corpus.GetDcm2JsonAsync(reference), await Dcm2JsonAsync(ours));

        if (input.HasPixelData)
        {
            // Back to explicit VR little endian with DCMTK: the pixel data bytes are those of DCMTK's own conversion.
            string back = dcmtk.Corpus.NewPath($"{input.Name}.gateway-{target.Name}.dcmconv-explicit-le");
            (await ExternalTool.RunAsync("dcmconv", "+te", ours, back)).EnsureSuccess();
            string expected = await dcmtk.Corpus.GetDcmtkConversionAsync(input, TargetSyntax.ExplicitLE);
            Assert.Equal(await PixelDataBytesAsync(expected), await PixelDataBytesAsync(back));
        }
    }

    // Names the conversion in a failure, since several run in one test.
    private static async Task WithContextAsync(string context, Func<Task> check)
    {
        try
        {
            await check();
        }
        catch (Xunit.Sdk.XunitException ex)
        {
            throw new Xunit.Sdk.XunitException($"{context}: {ex.Message}");
        }
    }

    // The File Meta Information names the new transfer syntax and keeps the source's SOP class and instance, taken from
    // the data set when the source is a bare data set (PS3.10 7.1: both are Type 1).
    private static void AssertMetaInformation(string listing, DicomTransferSyntax syntax, string sourceListing)
    {
        Assert.Equal(syntax.Uid.Value, Dcmdump.ValueOf(listing, "0002,0010"));
        Assert.Equal("00\\01", Dcmdump.ValueOf(listing, "0002,0001"));
        string? sopClass = Dcmdump.ValueOf(sourceListing, "0002,0002") ?? Dcmdump.ValueOf(sourceListing, "0008,0016");
        string? sopInstance = Dcmdump.ValueOf(sourceListing, "0002,0003") ?? Dcmdump.ValueOf(sourceListing, "0008,0018");
        Assert.NotNull(sopClass);
        Assert.NotNull(sopInstance);
        Assert.Equal(sopClass, Dcmdump.ValueOf(listing, "0002,0002"));
        Assert.Equal(sopInstance, Dcmdump.ValueOf(listing, "0002,0003"));
    }

    // In implicit VR a private sequence has no VR on the wire and is not in the dictionary, so DCMTK reads it as UN of
    // undefined length, parses it as a sequence (CP-246) and says so. It warns the same about its own `dcmconv +ti -e`.
    private static bool IsPrivateSequenceInImplicitVRWarning(string line)
    {
        Match m = Cp246Warning().Match(line);
        return m.Success && (Convert.ToUInt16(m.Groups["group"].Value, 16) & 1) == 1;
    }

    private static async Task<string> Dcm2JsonAsync(string path) =>
        (await ExternalTool.RunAsync("dcm2json", path)).EnsureSuccess().StandardOutput;

    private async Task<byte[]> PixelDataBytesAsync(string path)
    {
        using JsonDocument json = JsonDocument.Parse(await dcmtk.Corpus.GetDcm2JsonAsync(path));
        return json.RootElement.GetProperty("7FE00010").GetProperty("InlineBinary").GetBytesFromBase64();
    }

    [GeneratedRegex(@"^W: Found element \((?<group>[0-9a-f]{4}),[0-9a-f]{4}\) with VR UN and undefined length, reading a sequence with transfer syntax LittleEndianImplicit \(CP-246\)$")]
    private static partial Regex Cp246Warning();
}
