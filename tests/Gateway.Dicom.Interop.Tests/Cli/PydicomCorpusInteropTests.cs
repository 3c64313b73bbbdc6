using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Dicom.Interop.Tests.Json;
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

    /// <summary>
    /// JSON that differs from dcm2json's on purpose. dcm2json pads an odd-length value to an even one as DCMTK reads it;
    /// the codec keeps the bytes as stored (a writer pads them when it re-encodes).
    /// </summary>
    private static readonly Dictionary<string, string> JsonDifferences = new(StringComparer.Ordinal)
    {
        ["nested_priv_SQ.dcm"] = "$.00010001.Value[0].00010002.InlineBinary: expected 10 bytes, found 9",
        ["meta_missing_tsyntax.dcm"] = "$.00010001.Value[0].00010002.InlineBinary: expected 10 bytes, found 9",
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
        string path = PathOf(name);
        Assert.NotNull(dcmtk.Version);

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

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Json_EqualsDcm2json_WhereDcm2jsonCanWriteIt(string name)
    {
        string path = PathOf(name);
        ToolResult reference = await ExternalTool.RunAsync("dcm2json", path);
        ToolResult readable = await ExternalTool.RunAsync("dcmdump", "-q", path);
        if (readable.ExitCode != 0 || RefusedOnPurpose.ContainsKey(name))
        {
            // Compared in Dump_ReadsWhatDcmdumpReads_RefusesWhatItRefuses: the codec refuses these too.
            await Assert.ThrowsAsync<DicomFormatException>(() => GatewayCodec.ToJsonAsync(path));
            return;
        }

        string actual = await GatewayCodec.ToJsonAsync(path);
        if (reference.ExitCode == 0)
        {
            JsonDifference? difference = JsonSemanticComparer.Compare(UnicodeInItems(reference.StandardOutput), actual, null);
            Assert.Equal(JsonDifferences.GetValueOrDefault(name), difference?.ToString());
            return;
        }

        // dcm2json refuses compressed pixel data and character sets iconv cannot convert. Without the pixel data it
        // must agree; where it still refuses (the character set), the JSON is only checked to be well formed.
        string withoutPixels = await dcmtk.Corpus.GetWithoutPixelDataAsync(path);
        ToolResult stripped = await ExternalTool.RunAsync("dcm2json", withoutPixels);
        if (stripped.ExitCode == 0)
        {
            // dcmodify also drops the Data Set Trailing Padding when it writes the copy.
            DicomJsonWriterInteropTests.AssertSameJson(UnicodeInItems(stripped.StandardOutput), actual, ["7FE00010", "FFFCFFFC"]);
            return;
        }

        Assert.Contains("not supported", stripped.StandardError, StringComparison.Ordinal);
        using JsonDocument document = JsonDocument.Parse(actual);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Transcode_ToEachUncompressedSyntax_DcmdumpReadsWhatDcmconvWrites(string name)
    {
        string path = PathOf(name);
        if ((await ExternalTool.RunAsync("dcmdump", "-q", path)).ExitCode != 0 || RefusedOnPurpose.ContainsKey(name))
        {
            // Compared in Dump_ReadsWhatDcmdumpReads_RefusesWhatItRefuses: the codec refuses these.
            await Assert.ThrowsAsync<DicomFormatException>(() => GatewayCodec.TranscodeAsync(path, dcmtk.Corpus.NewPath("refused"), DicomTransferSyntax.ExplicitVRLittleEndian));
            return;
        }

        foreach (TargetSyntax target in TargetSyntax.All)
        {
            // dcmconv converts compressed data only through its codecs; where it refuses, there is no reference.
            string reference = dcmtk.Corpus.NewPath($"{name}.dcmconv-{target.Name}");
            if ((await ExternalTool.RunAsync("dcmconv", "-q", "-e", "-g", target.DcmconvOption, path, reference)).ExitCode != 0)
            {
                continue;
            }

            string ours = dcmtk.Corpus.NewPath($"{name}.gateway-{target.Name}");
            await GatewayCodec.TranscodeAsync(path, ours, target.Syntax);

            IReadOnlyList<DumpLine> expected = DatasetLines((await ExternalTool.RunAsync("dcmdump", "-Un", "+L", reference)).EnsureSuccess());
            IReadOnlyList<DumpLine> actual = DatasetLines((await ExternalTool.RunAsync("dcmdump", "-Un", "+L", ours)).EnsureSuccess());
            // Both are dcmdump's reading, so line for line the same: tag, VR, value, length, multiplicity, name.
            for (int i = 0; i < Math.Min(expected.Count, actual.Count); i++)
            {
                Assert.True(expected[i] == actual[i], $"{target.Name}, line {i + 1}:{Environment.NewLine}  dcmconv: {expected[i]}{Environment.NewLine}  gateway: {actual[i]}");
            }

            Assert.True(expected.Count == actual.Count, $"{target.Name}: dcmconv's copy has {expected.Count} elements, the gateway's {actual.Count}");
        }
    }

    // The corpus file's path; a missing corpus fails the test with what to install (the one row Files then has).
    private static string PathOf(string name)
    {
        Assert.True(name != Missing, $"{CorpusDirectory} does not exist: install the corpus with `apt-get install python3-pydicom` (./run-tests does)");
        return Path.Combine(CorpusDirectory, name);
    }

    private static IReadOnlyList<DumpLine> DatasetLines(ToolResult dump) =>
        DumpLine.ParseDcmdump(Dcmdump.DatasetPart(Encoding.Latin1.GetString(dump.StandardOutputBytes)));

    /// <summary>
    /// dcm2json writes ISO_IR 192 for the data set's (0008,0005), since the JSON text is Unicode, but leaves an item's own
    /// (a DICOMDIR record's) as it was; the codec decodes the item's text into Unicode too and says so in the same way.
    /// </summary>
    private static string UnicodeInItems(string json)
    {
        JsonNode root = JsonNode.Parse(json)!;
        foreach (JsonNode? attribute in root.AsObject().Select(p => p.Value))
        {
            if (attribute?["Value"] is JsonArray items && attribute["vr"]?.GetValue<string>() == "SQ")
            {
                foreach (JsonNode? item in items)
                {
                    Rewrite(item);
                }
            }
        }

        return root.ToJsonString();

        static void Rewrite(JsonNode? item)
        {
            if (item is not JsonObject dataset)
            {
                return;
            }

            if (dataset["00080005"] is JsonObject charset && charset["Value"] is not null)
            {
                charset["Value"] = new JsonArray("ISO_IR 192");
            }

            foreach (JsonNode? attribute in dataset.Select(p => p.Value))
            {
                if (attribute?["Value"] is JsonArray nested && attribute["vr"]?.GetValue<string>() == "SQ")
                {
                    foreach (JsonNode? child in nested)
                    {
                        Rewrite(child);
                    }
                }
            }
        }
    }
}
