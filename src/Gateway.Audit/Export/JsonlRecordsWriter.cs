using System.Text;
using Gateway.Audit.Records;

namespace Gateway.Audit.Export;

/// <summary>JSON lines: <c>{"index":N,"record":{...}}</c> and a line feed per record.</summary>
internal sealed class JsonlRecordsWriter(Stream output) : AuditRecordsWriter
{
    public override void Write(long index, AuditRecord record) =>
        output.Write(Encoding.UTF8.GetBytes(AuditRecordRenderer.JsonLine(index, record) + "\n"));

    public override void Complete() => output.Flush();
}
