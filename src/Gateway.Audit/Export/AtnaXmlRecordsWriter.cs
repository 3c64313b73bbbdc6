using System.Xml;
using Gateway.Audit.Records;

namespace Gateway.Audit.Export;

/// <summary>A DICOM audit messages document: <c>&lt;AuditMessages&gt;</c> with one <c>AuditMessage</c> per record.</summary>
internal sealed class AtnaXmlRecordsWriter : AuditRecordsWriter
{
    private readonly XmlWriter _writer;

    public AtnaXmlRecordsWriter(Stream output)
    {
        _writer = AtnaXml.CreateDocumentWriter(output);
        _writer.WriteStartDocument();
        _writer.WriteStartElement("AuditMessages");
    }

    public override void Write(long index, AuditRecord record)
    {
        AtnaXml.Write(_writer, record);
        _writer.Flush();
    }

    public override void Complete()
    {
        _writer.WriteEndElement();
        _writer.WriteEndDocument();
        _writer.Flush();
        _writer.Dispose();
    }
}
