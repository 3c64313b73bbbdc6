using Gateway.Audit.Records;

namespace Gateway.Audit.Export;

/// <summary>
/// Writes a records file record by record, in one of the <see cref="AuditExportFormat"/>s, straight to a stream: an
/// export of any size holds one record at a time. The bytes are exactly those of <see cref="AuditRecordRenderer.Render"/>.
/// </summary>
internal abstract class AuditRecordsWriter
{
    /// <summary>A writer for <paramref name="format"/> that writes to <paramref name="output"/> (the file's header, if any, at once).</summary>
    public static AuditRecordsWriter Create(AuditExportFormat format, Stream output) => format switch
    {
        AuditExportFormat.Jsonl => new JsonlRecordsWriter(output),
        AuditExportFormat.Csv => new CsvRecordsWriter(output),
        AuditExportFormat.AtnaXml => new AtnaXmlRecordsWriter(output),
        AuditExportFormat.Fhir => new FhirRecordsWriter(output),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>Writes one record and passes its bytes on to the stream (so that a comparison can name the record).</summary>
    public abstract void Write(long index, AuditRecord record);

    /// <summary>Writes what follows the last record and passes everything on to the stream.</summary>
    public abstract void Complete();
}
