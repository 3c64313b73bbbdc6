using System.Text;
using Gateway.Dicom.Interop.Tests.Support;

namespace Gateway.Dicom.Interop.Tests.Cli;

/// <summary>
/// An independent corpus: the test files pydicom ships (Debian package <c>python3-pydicom</c>), written by many
/// toolkits and devices, including deliberately odd and broken ones (big endian, no File Meta Information, a File Meta
/// Information without a transfer syntax, odd lengths, private and UN sequences, truncations, every compressed pixel
/// data encoding). For each file, <c>gatewayctl dicom dump</c> must read what dcmdump reads, element for element, and
/// refuse what dcmdump refuses; the few deliberate differences are listed with their reasons.
/// </summary>
public sealed class PydicomCorpusInteropTests(DcmtkFixture dcmtk) : IClassFixture<DcmtkFixture>
{
    /// <summary>Where Debian's python3-pydicom puts pydicom's test files.</summary>
    public const string CorpusDirectory = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

    private const string Missing = "(python3-pydicom is not installed)";

    /// <summary>
    /// Files dcmdump reads and the gateway refuses, on purpose. The last item of this DICOMDIR declares 248 bytes and
    /// the file ends 24 bytes into it, inside the sequence's own declared length: dcmdump silently reads the shortened
    /// item; the gateway treats an item that overruns its sequence as a broken structure (LengthExceedsParent).
    /// </summary>
    private static readonly Dictionary<string, string> RefusedOnPurpose = new(StringComparer.Ordinal)
    {
        ["dicomdirtests/DICOMDIR-nooffset"] = "LengthExceedsParent",
    };

    public static TheoryData<string> Files
    {
        get
        {
            var files = new TheoryData<string>();
            if (!Directory.Exists(CorpusDirectory))
            {
                // One row that fails with the reason: a missing corpus is a failure, never a silent pass or a skip.
                files.Add(Missing);
                return files;
            }

            foreach (string path in Directory.EnumerateFiles(CorpusDirectory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                string name = Path.GetRelativePath(CorpusDirectory, path);
                string extension = Path.GetExtension(name);
                if (extension is ".dcm" || (name.StartsWith("dicomdirtests/", StringComparison.Ordinal) && extension.Length == 0 && Path.GetFileName(name) != "README"))
                {
                    files.Add(name);
                }
            }

            return files;
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Dump_ReadsWhatDcmdumpReads_RefusesWhatItRefuses(string name)
    {
        Assert.True(name != Missing, $"{CorpusDirectory} does not exist: install the corpus with `apt-get install python3-pydicom` (./run-tests does)");
        Assert.NotNull(dcmtk.Version);
        string path = Path.Combine(CorpusDirectory, name);

        ToolResult plain = await ExternalTool.RunAsync("dcmdump", "-Un", "+L", path);
        (int exitCode, string stdout, string stderr) = await GatewayCodec.RunCliAsync("dicom", "dump", path);

        if (RefusedOnPurpose.TryGetValue(name, out string? reason))
        {
            Assert.Equal(0, plain.ExitCode);
            Assert.Equal(2, exitCode);
            Assert.Contains(reason, stderr, StringComparison.Ordinal);
            return;
        }

        if (plain.ExitCode != 0)
        {
            // Truncated files, a data set whose encoding contradicts its File Meta Information, a file cut at byte 1.
            Assert.True(exitCode == 2, $"dcmdump refuses {name} ({plain.StandardError.Trim()}); gatewayctl exited {exitCode}");
            Assert.StartsWith("error: ", stderr, StringComparison.Ordinal);
            return;
        }

        // dcmdump cannot convert every character set to UTF-8 (iconv has no ISO 2022 IR 87 without a base): then the
        // structure, lengths and binary values are compared, not the text.
        ToolResult utf8 = await ExternalTool.RunAsync("dcmdump", "-Un", "+L", "+U8", path);
        IReadOnlyList<DumpLine> expected = DumpLine.ParseDcmdump(Encoding.Latin1.GetString(plain.StandardOutputBytes));
        IReadOnlyList<DumpLine>? expectedText = utf8.ExitCode == 0 ? DumpLine.ParseDcmdump(utf8.StandardOutput) : null;
        if (expectedText is not null && expectedText.Count == expected.Count + 1)
        {
            // +U8 adds (0008,0005) ISO_IR 192 to a data set that had no Specific Character Set.
            expectedText = [.. expectedText.Where((line, i) => !(line.Depth == 0 && line.Tag == "0008,0005" && (i >= expected.Count || expected[i].Tag != "0008,0005")))];
        }

        IReadOnlyList<DumpLine> actual = DumpLine.Parse(stdout);
        Assert.True(exitCode == 0, stderr);
        Assert.True(expected.Count > 0, $"dcmdump printed no element of {name}");
        for (int i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            string? difference = DumpComparison.Difference(expected[i], expectedText?[i], actual[i]);
            Assert.True(difference is null, $"line {i + 1}: {difference}{Environment.NewLine}  dcmdump:   {expected[i]}{Environment.NewLine}  dcmdump +U8: {expectedText?[i]}{Environment.NewLine}  gatewayctl: {actual[i]}");
        }

        Assert.Equal(expected.Count, actual.Count);
    }
}
