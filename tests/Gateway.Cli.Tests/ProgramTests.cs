using Gateway.Cli.Tests.Dicom;
using Gateway.Cli.Tests.Support;
using Gateway.Dicom;

namespace Gateway.Cli.Tests;

/// <summary>Command-line parsing and exit codes, in process and as the real executable.</summary>
public sealed class ProgramTests : IDisposable
{
    private readonly TestFiles _files = new();

    public static TheoryData<string[]> UsageErrors =>
    [
        [],
        ["bogus"],
        ["dicom"],
        ["dicom", "frobnicate"],
        ["dicom", "dump"],
        ["dicom", "dump", "a.dcm", "b.dcm"],
        ["dicom", "json"],
        ["dicom", "convert", "in.dcm", "out.dcm"],
        ["dicom", "convert", "--transfer-syntax"],
        ["dicom", "convert", "-t", "1.2.840.10008.1.2", "in.dcm"],
        ["dicom", "dump", "--no-such-option", "a.dcm"],
    ];

    public void Dispose() => _files.Dispose();

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public async Task RunAsync_UsageError_ExitsOneWithErrorLinesAndNoStackTrace(string[] args)
    {
        CliResult result = await Gatewayctl.RunAsync(args);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.NotEmpty(result.ErrorLines);
        Assert.All(result.ErrorLines, l => Assert.StartsWith("error: ", l, StringComparison.Ordinal));
        DicomCommandsTests.AssertNoStackTrace(result.StandardError);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("dicom", "convert", "--help")]
    public async Task RunAsync_Help_ExitsZeroAndDescribesTheCommand(params string[] args)
    {
        CliResult result = await Gatewayctl.RunAsync(args);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains("Usage:", result.StandardOutput, StringComparison.Ordinal);
        Assert.Empty(result.StandardError);
    }

    [Fact]
    public async Task Process_Success_ExitsZero()
    {
        string path = _files.Write("image.dcm", TestFiles.Image(), DicomTransferSyntax.ExplicitVRLittleEndian);

        CliResult result = await Gatewayctl.RunProcessAsync("dicom", "json", path);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.StartsWith("{", result.StandardOutput.TrimStart(), StringComparison.Ordinal);
        Assert.Empty(result.StandardError);
    }

    [Fact]
    public async Task Process_UsageError_ExitsOne()
    {
        CliResult result = await Gatewayctl.RunProcessAsync("dicom", "dump");

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        DicomCommandsTests.AssertNoStackTrace(result.StandardError);
    }

    [Fact]
    public async Task Process_TruncatedFile_ExitsTwoWithOneErrorLine()
    {
        byte[] whole = File.ReadAllBytes(_files.Write("whole.dcm", TestFiles.Image(), DicomTransferSyntax.ExplicitVRLittleEndian));
        string path = _files.WriteBytes("truncated.dcm", whole[..^10]);

        CliResult result = await Gatewayctl.RunProcessAsync("dicom", "dump", path);

        string error = DicomCommandsTests.AssertBadInput(result);
        Assert.Contains("(7FE0,0010)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_EncapsulatedToAnotherSyntax_ExitsTwoAndWritesNothing()
    {
        string input = _files.Write("in.dcm", TestFiles.EncapsulatedImage(), DicomTransferSyntax.JpegBaseline);
        string output = _files.PathFor("out.dcm");

        CliResult result = await Gatewayctl.RunProcessAsync("dicom", "convert", "-t", DicomTransferSyntax.ExplicitVRLittleEndian.Uid.Value, input, output);

        DicomCommandsTests.AssertBadInput(result);
        Assert.Equal(["in.dcm"], Directory.GetFiles(_files.Directory).Select(Path.GetFileName));
    }
}
