using Gateway.Cli;
using Gateway.Dicom.IO;
using Gateway.Dicom.Json;
using Gateway.Dicom.Model;

namespace Gateway.Dicom.Interop.Tests.Support;

/// <summary>
/// The gateway's side of each comparison: its codec, run in process, and its CLI: in process too, or, when the
/// environment variable <c>GATEWAYCTL_DICOM</c> names a program, that program (<c>./run-tests</c> sets it to the natively
/// compiled DICOM commands that <c>./gatewayctl dicom ...</c> runs).
/// </summary>
internal static class GatewayCodec
{
    /// <summary>The data set of <paramref name="path"/> in the DICOM JSON Model, as the codec writes it.</summary>
    public static async Task<string> ToJsonAsync(string path)
    {
        DicomFileReader reader = await DicomFileReader.OpenAsync(path);
        await using (reader)
        {
            DicomDataset dataset = await reader.ReadDatasetAsync();
            return DicomJsonWriter.Serialize(dataset);
        }
    }

    /// <summary>Re-encodes <paramref name="source"/> as <paramref name="target"/> into <paramref name="destination"/> with the transcoder.</summary>
    public static async Task TranscodeAsync(string source, string destination, DicomTransferSyntax target)
    {
        DicomFileReader reader = await DicomFileReader.OpenAsync(source);
        await using (reader)
        {
            await using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write);
            await DicomTranscoder.TranscodeAsync(reader, output, target);
        }
    }

    /// <summary>Runs <c>gatewayctl</c> with <paramref name="args"/> and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunCliAsync(params string[] args)
    {
        if (Environment.GetEnvironmentVariable("GATEWAYCTL_DICOM") is { Length: > 0 } program)
        {
            ToolResult result = await ExternalTool.RunAsync(program, args);
            return (result.ExitCode, result.StandardOutput, result.StandardError);
        }

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exitCode = await Program.RunAsync(args, stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
