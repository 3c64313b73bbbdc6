using System.Globalization;
using System.Text;
using Gateway.Audit.Records;

namespace Gateway.Audit.Export;

/// <summary>Renders exported records in each <see cref="AuditExportFormat"/>; the rendering is deterministic.</summary>
public static class AuditRecordRenderer
{
    private static readonly string[] CsvHeader =
    [
        "index", "event_time", "event_id", "event", "action", "outcome", "outcome_description", "users", "ae_titles",
        "addresses", "requestors", "patient_ids", "study_uids", "sop_classes", "instances", "policy_rule", "decision",
        "association_id", "audit_source",
    ];

    /// <summary>The file name of the records file for <paramref name="format"/>.</summary>
    public static string FileName(AuditExportFormat format) => format switch
    {
        AuditExportFormat.Jsonl => "records.jsonl",
        AuditExportFormat.Csv => "records.csv",
        AuditExportFormat.AtnaXml => "records.xml",
        AuditExportFormat.Fhir => "records.fhir.json",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>Renders <paramref name="records"/> (index order) as one file in <paramref name="format"/>.</summary>
    public static byte[] Render(AuditExportFormat format, IReadOnlyList<(long Index, AuditRecord Record)> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        using var output = new MemoryStream();
        AuditRecordsWriter writer = AuditRecordsWriter.Create(format, output);
        foreach ((long index, AuditRecord record) in records)
        {
            writer.Write(index, record);
        }

        writer.Complete();
        return output.ToArray();
    }

    /// <summary>The header line of the CSV format (without line end).</summary>
    internal static string CsvHeaderLine => string.Join(',', CsvHeader);

    /// <summary><c>{"index":N,"record":{...}}</c> with the record in its canonical JSON.</summary>
    public static string JsonLine(long index, AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return "{\"index\":" + index.ToString(CultureInfo.InvariantCulture) + ",\"record\":"
            + Encoding.UTF8.GetString(AuditRecordSerializer.Serialize(record)) + "}";
    }

    /// <summary>A one-line human summary (search output); contains the patient ids, so only for an authorised terminal.</summary>
    public static string Summary(long index, AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"{index} {record.EventTime.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {(int)record.EventId} {AuditCodes.Meaning(record.EventId)} {(char)record.Action} outcome={(int)record.Outcome}");
        line.Append(" users=").Append(string.Join(',', record.ActiveParticipants.Select(p => p.UserId)));
        string[] patients = record.ParticipantObjects.Where(o => o.IsPatient).Select(o => o.ObjectId).ToArray();
        if (patients.Length > 0)
        {
            line.Append(" patients=").Append(string.Join(',', patients));
        }

        if (record.Policy is { } policy)
        {
            line.Append(" rule=").Append(policy.RuleId).Append(policy.Decision == AuditPolicyDecision.Allow ? " allow" : " deny");
        }

        if (record.AssociationId is not null)
        {
            line.Append(" association=").Append(record.AssociationId);
        }

        return line.ToString();
    }

    /// <summary>The CSV line of one record (without line end).</summary>
    internal static string CsvLine(long index, AuditRecord r)
    {
        IEnumerable<AuditParticipantObject> studies = r.ParticipantObjects.Where(o => o.IdTypeCode.Code == "110180" && o.IdTypeCode.CodeSystemName == AuditCodes.Dcm);
        AuditSopClass[] sops = r.ParticipantObjects.SelectMany(o => o.SopClasses).ToArray();
        string[] cells =
        [
            index.ToString(CultureInfo.InvariantCulture),
            r.EventTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ((int)r.EventId).ToString(CultureInfo.InvariantCulture),
            AuditCodes.Meaning(r.EventId),
            ((char)r.Action).ToString(),
            ((int)r.Outcome).ToString(CultureInfo.InvariantCulture),
            r.OutcomeDescription ?? string.Empty,
            string.Join(';', r.ActiveParticipants.Select(p => p.UserId)),
            string.Join(';', r.ActiveParticipants.SelectMany(p => p.AeTitles)),
            string.Join(';', r.ActiveParticipants.Select(p => p.NetworkAccessPointId).OfType<string>()),
            string.Join(';', r.ActiveParticipants.Where(p => p.UserIsRequestor).Select(p => p.UserId)),
            string.Join(';', r.ParticipantObjects.Where(o => o.IsPatient).Select(o => o.ObjectId)),
            string.Join(';', studies.Select(o => o.ObjectId)),
            string.Join(';', sops.Select(s => s.Uid + "=" + s.NumberOfInstances.ToString(CultureInfo.InvariantCulture))),
            sops.Sum(s => (long)s.NumberOfInstances).ToString(CultureInfo.InvariantCulture),
            r.Policy?.RuleId ?? string.Empty,
            r.Policy is null ? string.Empty : r.Policy.Decision == AuditPolicyDecision.Allow ? "allow" : "deny",
            r.AssociationId ?? string.Empty,
            r.Source.SourceId,
        ];
        return string.Join(',', cells.Select(CsvCell));
    }

    // RFC 4180 quoting; a cell a spreadsheet would run as a formula (=, +, -, @) gets a leading apostrophe.
    private static string CsvCell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    /// <summary>Parses a format name: jsonl, csv, atna-xml, fhir.</summary>
    public static bool TryParseFormat(string text, out AuditExportFormat format)
    {
        ArgumentNullException.ThrowIfNull(text);
        (bool ok, format) = text.ToLowerInvariant() switch
        {
            "jsonl" => (true, AuditExportFormat.Jsonl),
            "csv" => (true, AuditExportFormat.Csv),
            "atna-xml" or "xml" => (true, AuditExportFormat.AtnaXml),
            "fhir" => (true, AuditExportFormat.Fhir),
            _ => (false, AuditExportFormat.Jsonl),
        };
        return ok;
    }

    /// <summary>The name used on the command line and in a bundle's manifest.</summary>
    public static string FormatName(AuditExportFormat format) => format switch
    {
        AuditExportFormat.Jsonl => "jsonl",
        AuditExportFormat.Csv => "csv",
        AuditExportFormat.AtnaXml => "atna-xml",
        AuditExportFormat.Fhir => "fhir",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };
}
