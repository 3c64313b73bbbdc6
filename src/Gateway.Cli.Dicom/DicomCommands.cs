using System.CommandLine;
using Gateway.Dicom;
using Gateway.Dicom.IO;
using Gateway.Dicom.Json;
using Gateway.Dicom.Model;

namespace Gateway.Cli.Dicom;

/// <summary><c>gatewayctl dicom ...</c>: inspect and re-encode DICOM files.</summary>
internal static class DicomCommands
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var dicom = new Command("dicom", "Inspect and re-encode DICOM files; DIMSE services (echo, store, find, move, get, scp).");
        dicom.Subcommands.Add(CreateDump(stdout, stderr));
        dicom.Subcommands.Add(CreateJson(stdout, stderr));
        dicom.Subcommands.Add(CreateConvert(stdout, stderr));
        foreach (Command network in NetworkCommands.Create(stdout, stderr))
        {
            dicom.Subcommands.Add(network);
        }

        return dicom;
    }

    private static Command CreateDump(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("FILE") { Description = "The DICOM file (Part 10, or a bare data set)." };
        var command = new Command("dump", "Print every element: tag, VR, value, length, multiplicity and name, like dcmdump.") { file };
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            DicomFileReader reader = await DicomFileReader.OpenAsync(result.GetValue(file)!, cancellationToken: ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await DicomDumpWriter.WriteAsync(reader, stdout, ct).ConfigureAwait(false);
            }
        }));
        return command;
    }

    private static Command CreateJson(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("FILE") { Description = "The DICOM file." };
        var command = new Command("json", "Print the data set (without File Meta Information) in the DICOM JSON Model, PS3.18 Annex F.") { file };
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            DicomFileReader reader = await DicomFileReader.OpenAsync(result.GetValue(file)!, cancellationToken: ct).ConfigureAwait(false);
            DicomDataset dataset;
            await using (reader.ConfigureAwait(false))
            {
                dataset = await reader.ReadDatasetAsync(ct).ConfigureAwait(false);
            }

            await stdout.WriteLineAsync(DicomJsonWriter.Serialize(dataset)).ConfigureAwait(false);
            await stdout.FlushAsync(ct).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command CreateConvert(TextWriter stdout, TextWriter stderr)
    {
        var syntax = new Option<string>("--transfer-syntax", "-t")
        {
            Required = true,
            Description = "Target transfer syntax UID: 1.2.840.10008.1.2 (implicit VR LE), 1.2.840.10008.1.2.1 (explicit VR LE), " +
                "1.2.840.10008.1.2.2 (explicit VR BE), 1.2.840.10008.1.2.1.99 (deflated explicit VR LE), or the file's own.",
        };
        var input = new Argument<string>("IN") { Description = "The DICOM file to read." };
        var output = new Argument<string>("OUT") { Description = "The file to write (replaced only when the conversion succeeds)." };
        var command = new Command("convert", "Re-encode a DICOM file in another transfer syntax, streaming (bounded memory).") { syntax, input, output };
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            string uid = result.GetValue(syntax)!;
            if (!DicomTransferSyntax.TryLookup(uid, out DicomTransferSyntax target) || !target.IsKnown)
            {
                throw new CliInputException($"'{uid}' is not a transfer syntax this tool knows");
            }

            string outPath = Path.GetFullPath(result.GetValue(output)!);
            if (!Directory.Exists(Path.GetDirectoryName(outPath)))
            {
                // Checked here so that the error names OUT, not the temporary file written next to it.
                throw new CliInputException($"cannot write '{outPath}': its directory does not exist");
            }

            string temp = outPath + ".partial-" + Guid.NewGuid().ToString("N")[..8];
            try
            {
                DicomFileReader reader = await DicomFileReader.OpenAsync(result.GetValue(input)!, cancellationToken: ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var destination = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
                    await using (destination.ConfigureAwait(false))
                    {
                        await DicomTranscoder.TranscodeAsync(reader, destination, target, ct).ConfigureAwait(false);
                        await destination.FlushAsync(ct).ConfigureAwait(false);
                        destination.Flush(flushToDisk: true);
                    }
                }

                File.Move(temp, outPath, overwrite: true);
            }
            finally
            {
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }

            await stdout.FlushAsync(ct).ConfigureAwait(false);
        }));
        return command;
    }

    /// <summary>Runs a command body, mapping bad input to exit code 2 and one <c>error:</c> line without a stack trace.</summary>
    private static async Task<int> RunGuardedAsync(TextWriter stderr, Func<Task> body)
    {
        try
        {
            await body().ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (DicomFormatException ex)
        {
            await stderr.WriteLineAsync("error: " + OneLine(ex.Message)).ConfigureAwait(false);
        }
        catch (CliInputException ex)
        {
            await stderr.WriteLineAsync("error: " + OneLine(ex.Message)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync("error: " + OneLine(ex.Message)).ConfigureAwait(false);
        }

        return ExitCodes.BadInput;
    }

    // Messages may quote bytes of the input (a malformed UID): control characters (CR, LF, ESC ...) would break the
    // one-line error and reach the operator's terminal, so they are shown as \xNN.
    private static string OneLine(string message)
    {
        var line = new System.Text.StringBuilder(message.Length);
        foreach (char c in message)
        {
            if (char.IsControl(c))
            {
                line.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else
            {
                line.Append(c);
            }
        }

        return line.ToString();
    }
}
