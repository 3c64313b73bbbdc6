using System.Globalization;
using System.Text;
using Gateway.Dicom.Interop.Tests.Support;

namespace Gateway.Dicom.Interop.Tests.Cli;

/// <summary><c>gatewayctl dicom dump</c> against dcmdump: the same lines, tags, VRs, lengths, multiplicities and values.</summary>
public sealed class DicomDumpWriterInteropTests(DcmtkFixture dcmtk) : IClassFixture<DcmtkFixture>
{
    public static TheoryData<string> Inputs =>
    [
        "ct-16bit/explicit-le", "ct-16bit/implicit-le", "ct-16bit/explicit-be", "ct-16bit/undefined-length", "ct-16bit/dataset-implicit-le",
        "ct-16bit/implicit-le-undefined-length", "ct-8bit-2frames/jpeg-ls",
        "charset-latin1/explicit-le", "charset-utf8/explicit-le", "charset-greek/implicit-le", "charset-korean-iso2022/explicit-le",
        "sr-comprehensive/explicit-le", "worklist-item/deflated",
    ];

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task Dump_Input_ShowsWhatDcmdumpShows(string name)
    {
        string path = await dcmtk.Corpus.GetAsync(InteropInput.Named(name));

        // Structure, lengths and multiplicities as stored; text values converted to UTF-8 (+U8) as the gateway decodes them.
        ToolResult plain = (await ExternalTool.RunAsync("dcmdump", "-Un", path)).EnsureSuccess();
        ToolResult utf8 = (await ExternalTool.RunAsync("dcmdump", "-Un", "+U8", path)).EnsureSuccess();
        IReadOnlyList<DumpLine> expected = DumpLine.ParseDcmdump(Encoding.Latin1.GetString(plain.StandardOutputBytes));
        IReadOnlyList<DumpLine> expectedText = DumpLine.ParseDcmdump(utf8.StandardOutput);
        (int exitCode, string stdout, string stderr) = await GatewayCodec.RunCliAsync("dicom", "dump", path);
        IReadOnlyList<DumpLine> actual = DumpLine.Parse(stdout);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(expected.Count, expectedText.Count);
        Assert.True(expected.Count > 10, $"dcmdump printed only {expected.Count} lines");
        for (int i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            string? difference = DumpComparison.Difference(expected[i], expectedText[i], actual[i]);
            Assert.True(difference is null, $"line {i + 1}: {difference}{Environment.NewLine}  dcmdump:   {expected[i]}{Environment.NewLine}  gatewayctl: {actual[i]}");
        }

        Assert.Equal(expected.Count, actual.Count);

        // The data set's transfer syntax is named as dcmdump names it. (For a data set without File Meta Information
        // dcmdump also prints an empty meta header, "Unknown Transfer Syntax"; gatewayctl prints no meta header.)
        Assert.Equal(DataSetTransferSyntax(plain.StandardOutput), DataSetTransferSyntax(stdout));
    }

    private static string DataSetTransferSyntax(string dump) =>
        dump.Split('\n').Select(l => l.TrimEnd('\r')).Last(l => l.StartsWith("# Used TransferSyntax: ", StringComparison.Ordinal));
}
