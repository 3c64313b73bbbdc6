using System.Globalization;
using System.Text;
using Gateway.Audit.Export;
using Gateway.Audit.Records;

namespace Gateway.Audit.Forwarding;

/// <summary>
/// RFC 5424 messages carrying a DICOM audit message (IHE ATNA: facility 10 authpriv, MSGID <c>IHE+RFC-3881</c>), framed
/// for TLS transport with RFC 5425 octet counting (<c>MSG-LEN SP SYSLOG-MSG</c>).
/// </summary>
/// <remarks>
/// The structured data element <c>[gw-audit@32473 index="N" origin="..."]</c> carries the record's index so the
/// repository can spot duplicates (at-least-once delivery) and gaps. 32473 is the documentation enterprise number of
/// RFC 5612, to be replaced by the operator's own when one is registered.
/// </remarks>
public static class SyslogMessage
{
    private const int Facility = 10;

    /// <summary>The SYSLOG-MSG for one record.</summary>
    public static byte[] Format(long index, AuditRecord record, string origin, string hostName, string appName)
    {
        ArgumentNullException.ThrowIfNull(record);
        int severity = record.Outcome == AuditEventOutcome.Success ? 5 : 4;
        var header = new StringBuilder();
        header.Append('<').Append((Facility * 8) + severity).Append(">1 ");
        header.Append(record.EventTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(' ');
        header.Append(Token(hostName, 255)).Append(' ');
        header.Append(Token(appName, 48)).Append(' ');
        header.Append(Environment.ProcessId.ToString(CultureInfo.InvariantCulture)).Append(' ');
        header.Append("IHE+RFC-3881 ");
        header.Append("[gw-audit@32473 index=\"").Append(index.ToString(CultureInfo.InvariantCulture))
            .Append("\" origin=\"").Append(ParamValue(origin)).Append("\"] ");
        byte[] head = Encoding.ASCII.GetBytes(header.ToString());
        byte[] body = Encoding.UTF8.GetBytes(AtnaXml.Render(record));
        byte[] message = new byte[head.Length + 3 + body.Length];
        head.CopyTo(message, 0);
        // RFC 5424 6.4: MSG-UTF8 starts with the byte order mark.
        message[head.Length] = 0xEF;
        message[head.Length + 1] = 0xBB;
        message[head.Length + 2] = 0xBF;
        body.CopyTo(message, head.Length + 3);
        return message;
    }

    /// <summary>RFC 5425 framing: the decimal byte count, a space, the message.</summary>
    public static byte[] Frame(byte[] message)
    {
        ArgumentNullException.ThrowIfNull(message);
        byte[] prefix = Encoding.ASCII.GetBytes(message.Length.ToString(CultureInfo.InvariantCulture) + " ");
        byte[] frame = new byte[prefix.Length + message.Length];
        prefix.CopyTo(frame, 0);
        message.CopyTo(frame, prefix.Length);
        return frame;
    }

    // RFC 5424 header fields are PRINTUSASCII without spaces; "-" stands for an empty value.
    private static string Token(string value, int maxLength)
    {
        string token = new(value.Where(c => c is > ' ' and <= '~').Take(maxLength).ToArray());
        return token.Length == 0 ? "-" : token;
    }

    // RFC 5424 6.3.3: '"', '\' and ']' are escaped with a backslash in PARAM-VALUE.
    private static string ParamValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("]", "\\]", StringComparison.Ordinal);
}
