using System.Text.Json;
using Gateway.Audit.Records;

namespace Gateway.Audit.Export;

/// <summary>A FHIR Bundle of type collection with one AuditEvent per record (indented JSON, final line feed).</summary>
internal sealed class FhirRecordsWriter : AuditRecordsWriter
{
    private readonly Stream _output;
    private readonly Utf8JsonWriter _writer;

    public FhirRecordsWriter(Stream output)
    {
        _output = output;
        _writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        _writer.WriteStartObject();
        _writer.WriteString("resourceType", "Bundle");
        _writer.WriteString("type", "collection");
        _writer.WriteStartArray("entry");
    }

    public override void Write(long index, AuditRecord record)
    {
        _writer.WriteStartObject();
        _writer.WritePropertyName("resource");
        FhirAuditEvents.WriteAuditEvent(_writer, index, record);
        _writer.WriteEndObject();
        _writer.Flush();
    }

    public override void Complete()
    {
        _writer.WriteEndArray();
        _writer.WriteEndObject();
        _writer.Flush();
        _writer.Dispose();
        _output.WriteByte((byte)'\n');
        _output.Flush();
    }
}
