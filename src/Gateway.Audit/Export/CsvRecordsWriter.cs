using System.Text;
using Gateway.Audit.Records;

namespace Gateway.Audit.Export;

/// <summary>RFC 4180 CSV: a header line, then a line per record, CRLF line ends.</summary>
internal sealed class CsvRecordsWriter : AuditRecordsWriter
{
    private readonly Stream _output;

    public CsvRecordsWriter(Stream output)
    {
        _output = output;
        _output.Write(Encoding.UTF8.GetBytes(AuditRecordRenderer.CsvHeaderLine + "\r\n"));
    }

    public override void Write(long index, AuditRecord record) =>
        _output.Write(Encoding.UTF8.GetBytes(AuditRecordRenderer.CsvLine(index, record) + "\r\n"));

    public override void Complete() => _output.Flush();
}
