using System.CommandLine;
using System.Globalization;
using Gateway.Audit;
using Gateway.Audit.Export;
using Gateway.Audit.Records;
using Gateway.Audit.Storage;

namespace Gateway.Cli.Audit;

/// <summary><c>gatewayctl audit export</c>: a verifiable bundle of the matching records; the export itself is audited.</summary>
/// <remarks>
/// Exporting appends an Audit Log Used record, so the command opens the log as its writer: it fails while the gateway
/// holds the log (the admin API will export from inside the gateway).
/// </remarks>
internal static class AuditExportCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var options = new AuditCommandOptions();
        var output = new Option<string>("--out", "-o")
        {
            Required = true,
            Description = "The bundle to write: a new directory, or a path ending in .zip.",
        };
        var format = new Option<string>("--format")
        {
            Description = "jsonl, csv, atna-xml or fhir (FHIR R4 AuditEvent, IHE BALP).",
            DefaultValueFactory = _ => "jsonl",
        };
        format.AcceptOnlyFromAmong("jsonl", "csv", "atna-xml", "fhir");
        var command = new Command("export", "Export matching records as a verifiable bundle: records, signed checkpoint, inclusion proofs, public key, README.")
        {
            output,
            format,
        };
        options.AddLocation(command, keyFile: true, publicKey: false);
        options.AddWriter(command);
        options.AddFilters(command);
        command.SetAction((result, ct) => AuditCommands.RunGuardedAsync(stderr, async () =>
        {
            AuditFilter filter = options.Filter(result);
            _ = AuditRecordRenderer.TryParseFormat(result.GetValue(format)!, out AuditExportFormat exportFormat);
            AuditExportResult exported;
            AuditLog log = await options.OpenWriterAsync(result, ct).ConfigureAwait(false);
            await using (log.ConfigureAwait(false))
            {
                exported = await AuditExporter.ExportAsync(log, new AuditExportRequest
                {
                    Filter = filter,
                    Format = exportFormat,
                    OutputPath = result.GetValue(output)!,
                    Requestor = options.Requestor(result),
                    Source = AuditCommandOptions.Source,
                }, ct).ConfigureAwait(false);
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"exported {exported.RecordCount} record(s) to {exported.OutputPath}; checkpoint size {exported.Checkpoint.Size}; this export is audit record {exported.AuditRecordIndex}")).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }
}
