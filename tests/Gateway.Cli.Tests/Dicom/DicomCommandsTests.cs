using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Cli.Tests.Support;
using Gateway.Dicom;
using Gateway.Dicom.IO;
using Gateway.Dicom.Json;
using Gateway.Dicom.Model;

namespace Gateway.Cli.Tests.Dicom;

/// <summary><c>gatewayctl dicom dump|json|convert</c> through <see cref="Program.RunAsync"/>: output, exit codes and error lines.</summary>
public sealed partial class DicomCommandsTests : IDisposable
{
    private readonly TestFiles _files = new();

    public static TheoryData<string> UncompressedSyntaxes =>
    [
        DicomTransferSyntax.ImplicitVRLittleEndian.Uid.Value,
        DicomTransferSyntax.ExplicitVRLittleEndian.Uid.Value,
        DicomTransferSyntax.ExplicitVRBigEndian.Uid.Value,
        DicomTransferSyntax.DeflatedExplicitVRLittleEndian.Uid.Value,
    ];

    public static TheoryData<string> Commands => ["dump", "json", "convert"];

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Dump_ValidFile_PrintsOneDcmdumpLinePerElementAndExitsZero()
    {
        string path = _files.Write("image.dcm", TestFiles.Image(), DicomTransferSyntax.ExplicitVRLittleEndian);

        CliResult result = await Gatewayctl.RunAsync("dicom", "dump", path);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Empty(result.StandardError);
        string[] lines = result.StandardOutput.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Contains("# Dicom-File-Format", lines);
        Assert.Contains("# Used TransferSyntax: Little Endian Explicit", lines);
        Assert.Matches(@"^\(0002,0010\) UI \[1\.2\.840\.10008\.1\.2\.1\] +#  20, 1 TransferSyntaxUID$", Line(lines, "(0002,0010)"));
        Assert.Matches(@"^\(0008,0008\) CS \[ORIGINAL\\PRIMARY\\AXIAL\] +#  22, 3 ImageType$", Line(lines, "(0008,0008)"));
        Assert.Matches(@"^\(0010,0010\) PN \[Müller\^Jürgen\] +#  14, 1 PatientName$", Line(lines, "(0010,0010)"));
        Assert.Matches(@"^\(0020,0032\) DS \[-1\.5\\2\\3\.25\] +#  12, 3 ImagePositionPatient$", Line(lines, "(0020,0032)"));
        Assert.Matches(@"^\(0040,0275\) SQ \(Sequence with undefined length\) +# u/l, 1 RequestAttributesSequence$", Line(lines, "(0040,0275)"));
        Assert.Matches(@"^        \(0008,0100\) SH \[24627-2\] +#   8, 1 CodeValue$", Line(lines, "        (0008,0100)"));
        Assert.Matches(@"^\(0072,0078\) UL 1\\2\\3\\4\\5\\6\\7\\8\\9\\10\\11\\12 +#  48,12 SelectorULValue$", Line(lines, "(0072,0078)"));
        Assert.Matches(@"^\(7fe0,0010\) OW 0700\\150e\\231c\\312a\\3f38\\4d46\\5b54\\6962\\7770\\857e\\938c\\a19a\\afa8\.\.\. +#  32, 1 PixelData$", Line(lines, "(7fe0,0010)"));
    }

    [Fact]
    public async Task Json_ValidFile_PrintsTheDataSetInTheDicomJsonModel()
    {
        string path = _files.Write("image.dcm", TestFiles.Image(), DicomTransferSyntax.ExplicitVRBigEndian);

        CliResult result = await Gatewayctl.RunAsync("dicom", "json", path);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Empty(result.StandardError);
        using JsonDocument json = JsonDocument.Parse(result.StandardOutput);
        JsonElement root = json.RootElement;
        Assert.DoesNotContain(root.EnumerateObject(), p => p.Name.StartsWith("0002", StringComparison.Ordinal));
        Assert.Equal("ISO_IR 192", root.GetProperty("00080005").GetProperty("Value")[0].GetString());
        Assert.Equal("Müller^Jürgen", root.GetProperty("00100010").GetProperty("Value")[0].GetProperty("Alphabetic").GetString());
        Assert.Equal(3.25m, root.GetProperty("00200032").GetProperty("Value")[2].GetDecimal());
        Assert.Equal(4, root.GetProperty("00280010").GetProperty("Value")[0].GetInt32());
        JsonElement code = root.GetProperty("00400275").GetProperty("Value")[0].GetProperty("00400008").GetProperty("Value")[0];
        Assert.Equal("24627-2", code.GetProperty("00080100").GetProperty("Value")[0].GetString());
        Assert.Equal(((DicomElement)TestFiles.Image()[DicomTags.PixelData]!).Value.ToArray(), root.GetProperty("7FE00010").GetProperty("InlineBinary").GetBytesFromBase64());
    }

    [Theory]
    [MemberData(nameof(UncompressedSyntaxes))]
    public async Task Convert_ToAnUncompressedSyntax_WritesThatSyntaxWithTheSameDataSet(string uid)
    {
        string input = _files.Write("in.dcm", TestFiles.Image(), DicomTransferSyntax.ExplicitVRBigEndian);
        string output = _files.PathFor("out.dcm");

        CliResult result = await Gatewayctl.RunAsync("dicom", "convert", "--transfer-syntax", uid, input, output);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Empty(result.StandardError);
        Assert.Equal(uid, (await ReadAsync(output)).Syntax.Uid.Value);
        Assert.Equal((await ReadAsync(input)).Json, (await ReadAsync(output)).Json);
        Assert.Equal(["in.dcm", "out.dcm"], Directory.GetFiles(_files.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Convert_EncapsulatedToItsOwnSyntax_CopiesTheFragments()
    {
        string input = _files.Write("in.dcm", TestFiles.EncapsulatedImage(), DicomTransferSyntax.JpegBaseline);
        string output = _files.PathFor("out.dcm");

        CliResult result = await Gatewayctl.RunAsync("dicom", "convert", "-t", DicomTransferSyntax.JpegBaseline.Uid.Value, input, output);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        (DicomTransferSyntax syntax, string json) = await ReadAsync(output);
        Assert.Equal(DicomTransferSyntax.JpegBaseline, syntax);
        Assert.Equal((await ReadAsync(input)).Json, json);
    }

    [Theory]
    [MemberData(nameof(UncompressedSyntaxes))]
    public async Task Convert_BareDataSet_TakesTheMediaStorageUidsFromTheDataSet(string uid)
    {
        // Regression: a data set without File Meta Information was converted into a file without (0002,0002) and
        // (0002,0003), which PS3.10 7.1 requires (Type 1).
        string input = _files.WriteBareDataset("in.dcm", TestFiles.Image(), DicomEncoding.ImplicitLittleEndian);
        string output = _files.PathFor("out.dcm");

        CliResult result = await Gatewayctl.RunAsync("dicom", "convert", "-t", uid, input, output);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        DicomFileReader reader = await DicomFileReader.OpenAsync(output);
        await using (reader)
        {
            Assert.True(reader.HasPreamble);
            Assert.Equal("1.2.840.10008.5.1.4.1.1.2", reader.FileMetaInformation.GetString(DicomTags.MediaStorageSOPClassUID));
            Assert.Equal("2.25.4242", reader.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID));
            Assert.Equal(uid, reader.FileMetaInformation.GetString(DicomTags.TransferSyntaxUID));
            Assert.Equal(DicomJsonWriter.Serialize(TestFiles.Image()), DicomJsonWriter.Serialize(await reader.ReadDatasetAsync()));
        }
    }

    [Fact]
    public async Task Convert_ExistingOutput_IsReplacedOnSuccess()
    {
        string input = _files.Write("in.dcm", TestFiles.Image(), DicomTransferSyntax.ExplicitVRLittleEndian);
        string output = _files.WriteBytes("out.dcm", "old content"u8.ToArray());

        CliResult result = await Gatewayctl.RunAsync("dicom", "convert", "-t", DicomTransferSyntax.ImplicitVRLittleEndian.Uid.Value, input, output);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Equal(DicomTransferSyntax.ImplicitVRLittleEndian, (await ReadAsync(output)).Syntax);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task TruncatedFile_FailsWithOneErrorLineNamingOffsetAndTag(string command)
    {
        byte[] whole = File.ReadAllBytes(_files.Write("whole.dcm", TestFiles.Image(), DicomTransferSyntax.ExplicitVRLittleEndian));
        string path = _files.WriteBytes("truncated.dcm", whole[..^10]);

        CliResult result = await RunOnAsync(command, path);

        string error = AssertBadInput(result);
        Assert.Contains("(7FE0,0010)", error, StringComparison.Ordinal);
        AssertNoOutputFile();
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task FileTruncatedInsideASequence_FailsWithOneErrorLineNamingOffsetAndTag(string command)
    {
        byte[] whole = File.ReadAllBytes(_files.Write("whole.dcm", TestFiles.Image(), DicomTransferSyntax.ImplicitVRLittleEndian));
        int codeValue = IndexOf(whole, "24627-2"u8);
        string path = _files.WriteBytes("truncated.dcm", whole[..(codeValue + 3)]);

        CliResult result = await RunOnAsync(command, path);

        string error = AssertBadInput(result);
        Assert.Contains("(0008,0100)", error, StringComparison.Ordinal);
        AssertNoOutputFile();
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task GarbageFile_FailsWithOneErrorLineNamingOffsetAndTag(string command)
    {
        byte[] garbage = new byte[4096];
        new Random(20240131).NextBytes(garbage);
        string path = _files.WriteBytes("garbage.bin", garbage);

        CliResult result = await RunOnAsync(command, path);

        AssertBadInput(result);
        AssertNoOutputFile();
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task TextFile_FailsWithOneErrorLineNamingOffsetAndTag(string command)
    {
        string path = _files.WriteBytes("notes.txt", "This is not a DICOM file, just some notes.\n"u8.ToArray());

        CliResult result = await RunOnAsync(command, path);

        string error = AssertBadInput(result);
        Assert.Contains("offset 0 ", error, StringComparison.Ordinal);
        AssertNoOutputFile();
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task MissingFile_FailsWithOneErrorLineNamingTheFile(string command)
    {
        string path = _files.PathFor("does-not-exist.dcm");

        CliResult result = await RunOnAsync(command, path);

        string error = AssertBadInput(result, expectOffsetAndTag: false);
        Assert.Contains(path, error, StringComparison.Ordinal);
        AssertNoOutputFile();
    }

    [Theory]
    [InlineData("1.2.3.4")]
    [InlineData("not-a-uid")]
    [InlineData("1.2.840.10008.1.2.4.9999")]
    public async Task Convert_UnknownTransferSyntax_FailsWithOneErrorLineNamingIt(string uid)
    {
        string input = _files.Write("in.dcm", TestFiles.Image(), DicomTransferSyntax.ExplicitVRLittleEndian);

        CliResult result = await Gatewayctl.RunAsync("dicom", "convert", "-t", uid, input, _files.PathFor("out.dcm"));

        string error = AssertBadInput(result, expectOffsetAndTag: false);
        Assert.Contains($"'{uid}'", error, StringComparison.Ordinal);
        AssertNoOutputFile();
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task FileWithAMalformedTransferSyntaxUid_FailsWithOneErrorLineNamingOffsetAndTag(string command)
    {
        string path = WithTransferSyntaxUid("1.2.840.10008.1.2.X");

        CliResult result = await RunOnAsync(command, path);

        string error = AssertBadInput(result);
        Assert.Contains("(0002,0010)", error, StringComparison.Ordinal);
        Assert.Contains("1.2.840.10008.1.2.X", error, StringComparison.Ordinal);
        AssertNoOutputFile();
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task FileWithControlCharactersInItsTransferSyntaxUid_StillFailsWithOneEscapedErrorLine(string command)
    {
        // Regression: the error quoted the UID's bytes as they were, so a line feed split the one error line and an ESC
        // reached the terminal.
        string path = WithTransferSyntaxUid("1.2.840.10008.1.2\n\u001b");

        CliResult result = await RunOnAsync(command, path);

        string error = AssertBadInput(result);
        Assert.Contains("1.2.840.10008.1.2\\x0a\\x1b", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Convert_FileWithAnUnknownTransferSyntaxUid_FailsWithOneErrorLineNamingOffsetAndTag()
    {
        // A valid UID that is no transfer syntax the codec knows: read as a future encapsulated syntax, so it cannot be re-encoded.
        string path = WithTransferSyntaxUid("1.2.840.10008.9.9.9");

        CliResult result = await RunOnAsync("convert", path);

        string error = AssertBadInput(result);
        Assert.Contains("(0002,0010)", error, StringComparison.Ordinal);
        Assert.Contains("1.2.840.10008.9.9.9", error, StringComparison.Ordinal);
        AssertNoOutputFile();
    }

    [Fact]
    public async Task Convert_UncompressedToACompressedSyntax_FailsWithOneErrorLineNamingOffsetAndTag()
    {
        string input = _files.Write("in.dcm", TestFiles.Image(), DicomTransferSyntax.ExplicitVRLittleEndian);

        CliResult result = await Gatewayctl.RunAsync("dicom", "convert", "-t", DicomTransferSyntax.JpegBaseline.Uid.Value, input, _files.PathFor("out.dcm"));

        string error = AssertBadInput(result);
        Assert.Contains("(7FE0,0010)", error, StringComparison.Ordinal);
        AssertNoOutputFile();
    }

    [Theory]
    [MemberData(nameof(UncompressedSyntaxes))]
    public async Task Convert_EncapsulatedToAnotherSyntax_FailsWithOneErrorLineNamingOffsetAndTag(string uid)
    {
        string input = _files.Write("in.dcm", TestFiles.EncapsulatedImage(), DicomTransferSyntax.JpegBaseline);

        CliResult result = await Gatewayctl.RunAsync("dicom", "convert", "-t", uid, input, _files.PathFor("out.dcm"));

        string error = AssertBadInput(result);
        Assert.Contains("(7FE0,0010)", error, StringComparison.Ordinal);
        Assert.Contains(DicomTransferSyntax.JpegBaseline.Uid.Value, error, StringComparison.Ordinal);
        AssertNoOutputFile();
    }

    [Fact]
    public async Task Convert_Failure_LeavesAnExistingOutputUntouched()
    {
        byte[] whole = File.ReadAllBytes(_files.Write("whole.dcm", TestFiles.Image(), DicomTransferSyntax.ExplicitVRLittleEndian));
        string input = _files.WriteBytes("truncated.dcm", whole[..^10]);
        string output = _files.WriteBytes("out.dcm", "previous conversion"u8.ToArray());

        CliResult result = await Gatewayctl.RunAsync("dicom", "convert", "-t", DicomTransferSyntax.ExplicitVRBigEndian.Uid.Value, input, output);

        AssertBadInput(result);
        Assert.Equal("previous conversion"u8.ToArray(), File.ReadAllBytes(output));
        Assert.Equal(["out.dcm", "truncated.dcm", "whole.dcm"], Directory.GetFiles(_files.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Convert_OutputDirectoryMissing_FailsWithOneErrorLineNamingTheOutput()
    {
        string input = _files.Write("in.dcm", TestFiles.Image(), DicomTransferSyntax.ExplicitVRLittleEndian);
        string output = Path.Combine(_files.Directory, "no-such-directory", "out.dcm");

        CliResult result = await Gatewayctl.RunAsync("dicom", "convert", "-t", DicomTransferSyntax.ExplicitVRBigEndian.Uid.Value, input, output);

        string error = AssertBadInput(result, expectOffsetAndTag: false);
        Assert.Contains($"'{output}'", error, StringComparison.Ordinal);
        Assert.DoesNotContain(".partial", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyFile_FailsWithOneErrorLineNamingOffsetZero()
    {
        string path = _files.WriteBytes("empty.dcm", []);

        CliResult result = await Gatewayctl.RunAsync("dicom", "dump", path);

        string error = AssertBadInput(result, expectOffsetAndTag: false);
        Assert.Contains("at offset 0 ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorruptedFiles_AreReadOrRefused_NeverCrash()
    {
        // Deterministic mutations of valid files in every encoding: every run ends in exit code 0 or 2 with one error line.
        DicomTransferSyntax[] syntaxes =
        [
            DicomTransferSyntax.ImplicitVRLittleEndian, DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.ExplicitVRBigEndian,
            DicomTransferSyntax.DeflatedExplicitVRLittleEndian,
        ];
        var random = new Random(7);
        int refused = 0;
        foreach (DicomTransferSyntax syntax in syntaxes)
        {
            byte[] valid = File.ReadAllBytes(_files.Write($"valid-{syntax.Uid}.dcm", TestFiles.Image(), syntax));
            for (int i = 0; i < 60; i++)
            {
                byte[] corrupt = Mutate(valid, random);
                string path = _files.WriteBytes("corrupt.dcm", corrupt);
                foreach (string command in new[] { "dump", "json", "convert" })
                {
                    CliResult result = await RunOnAsync(command, path);
                    Assert.True(result.ExitCode is ExitCodes.Success or ExitCodes.BadInput, $"{command} of mutation {i} of {syntax}: {result}");
                    if (result.ExitCode == ExitCodes.BadInput)
                    {
                        refused++;
                        AssertBadInput(result, expectOffsetAndTag: false);
                    }
                    else
                    {
                        Assert.Empty(result.StandardError);
                    }

                    File.Delete(_files.PathFor("out.dcm"));
                }

                File.Delete(path);
            }
        }

        Assert.True(refused > 0, "no mutation was refused: the mutations do not corrupt anything");
    }

    /// <summary>Asserts exit code 2 and exactly one "error:" line on stderr without a stack trace; returns that line.</summary>
    internal static string AssertBadInput(CliResult result, bool expectOffsetAndTag = true)
    {
        Assert.True(result.ExitCode == ExitCodes.BadInput, result.ToString());
        Assert.True(result.ErrorLines.Count == 1, $"expected one error line: {result}");
        string error = result.ErrorLines[0];
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.False(error.Any(char.IsControl), $"the error line holds control characters: {error}");
        AssertNoStackTrace(result.StandardError);
        if (expectOffsetAndTag)
        {
            Assert.Matches(OffsetAndTag(), error);
        }

        return error;
    }

    internal static void AssertNoStackTrace(string stderr)
    {
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(".cs:line", stderr, StringComparison.Ordinal);
    }

    private Task<CliResult> RunOnAsync(string command, string path) => command == "convert"
        ? Gatewayctl.RunAsync("dicom", "convert", "-t", DicomTransferSyntax.ExplicitVRLittleEndian.Uid.Value, path, _files.PathFor("out.dcm"))
        : Gatewayctl.RunAsync("dicom", command, path);

    // A failed conversion leaves neither the output nor its temporary file behind.
    private void AssertNoOutputFile() =>
        Assert.DoesNotContain(Directory.GetFiles(_files.Directory), f => Path.GetFileName(f).StartsWith("out.dcm", StringComparison.Ordinal));

    private static string Line(string[] lines, string prefix) =>
        lines.SingleOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) ?? throw new Xunit.Sdk.XunitException($"no line starts with '{prefix}'");

    private static async Task<(DicomTransferSyntax Syntax, string Json)> ReadAsync(string path)
    {
        DicomFileReader reader = await DicomFileReader.OpenAsync(path);
        await using (reader)
        {
            return (reader.TransferSyntax, DicomJsonWriter.Serialize(await reader.ReadDatasetAsync()));
        }
    }

    // An explicit VR little endian file whose (0002,0010) says otherwise (same length, so nothing else moves).
    private string WithTransferSyntaxUid(string uid)
    {
        byte[] bytes = File.ReadAllBytes(_files.Write("original.dcm", TestFiles.Image(), DicomTransferSyntax.ExplicitVRLittleEndian));
        byte[] original = System.Text.Encoding.ASCII.GetBytes(DicomTransferSyntax.ExplicitVRLittleEndian.Uid.Value);
        Assert.Equal(original.Length, uid.Length);
        System.Text.Encoding.ASCII.GetBytes(uid).CopyTo(bytes, IndexOf(bytes, original));
        return _files.WriteBytes("patched.dcm", bytes);
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle)
    {
        int i = haystack.AsSpan().IndexOf(needle);
        Assert.True(i > 0);
        return i;
    }

    private static byte[] Mutate(byte[] valid, Random random)
    {
        byte[] bytes = (byte[])valid.Clone();
        switch (random.Next(4))
        {
            case 0:
                // Flip a few bytes after the preamble.
                for (int k = random.Next(1, 6); k > 0; k--)
                {
                    bytes[random.Next(128, bytes.Length)] ^= (byte)random.Next(1, 256);
                }

                return bytes;
            case 1:
                return bytes[..random.Next(1, bytes.Length)];
            case 2:
                // A huge or odd length somewhere.
                int at = random.Next(132, bytes.Length - 4);
                BitConverter.GetBytes(random.Next(2) == 0 ? 0xFFFF_FFF0u : (uint)random.Next()).CopyTo(bytes, at);
                return bytes;
            default:
                // Delete a run of bytes from the middle.
                int from = random.Next(132, bytes.Length - 1);
                int count = random.Next(1, Math.Min(64, bytes.Length - from));
                return [.. bytes[..from], .. bytes[(from + count)..]];
        }
    }

    [GeneratedRegex(@"offset \d+ \(0x[0-9A-F]+\), tag \([0-9A-F]{4},[0-9A-F]{4}\)")]
    private static partial Regex OffsetAndTag();
}
