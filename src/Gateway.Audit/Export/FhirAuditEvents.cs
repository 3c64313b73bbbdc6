using System.Globalization;
using System.Text;
using System.Text.Json;
using Gateway.Audit.Records;

namespace Gateway.Audit.Export;

/// <summary>
/// Renders records as FHIR R4 AuditEvent resources following the basics of IHE Basic Audit Log Patterns (BALP): the DICOM
/// event id as <c>type</c>, event type codes as <c>subtype</c>, active participants as <c>agent</c> (role codes in
/// <c>agent.type</c>, <c>requestor</c>, <c>network</c>), the audit source as <c>source</c>, participant objects as
/// <c>entity</c> (patient: type 1 / role 1; study: identifier <c>urn:oid:</c> UID).
/// </summary>
public static class FhirAuditEvents
{
    private const string DcmSystem = "http://dicom.nema.org/resources/ontology/DCM";
    private const string EntityTypeSystem = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
    private const string ObjectRoleSystem = "http://terminology.hl7.org/CodeSystem/object-role";
    private const string LifecycleSystem = "http://terminology.hl7.org/CodeSystem/dicom-audit-lifecycle";
    private const string SourceTypeSystem = "http://terminology.hl7.org/CodeSystem/security-source-type";
    private const string GatewaySystem = "urn:gateway:audit";

    /// <summary>A Bundle of type collection with one AuditEvent per record (UTF-8 JSON, indented).</summary>
    public static byte[] RenderBundle(IEnumerable<(long Index, AuditRecord Record)> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        return AuditRecordRenderer.Render(AuditExportFormat.Fhir, records.ToList());
    }

    /// <summary>Writes one AuditEvent resource whose id is the record's index.</summary>
    public static void WriteAuditEvent(Utf8JsonWriter w, long index, AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(record);
        w.WriteStartObject();
        w.WriteString("resourceType", "AuditEvent");
        w.WriteString("id", "audit-" + index.ToString(CultureInfo.InvariantCulture));
        w.WritePropertyName("type");
        Coding(w, AuditCodes.Code(record.EventId));
        if (record.EventTypeCodes.Count > 0)
        {
            w.WriteStartArray("subtype");
            foreach (AuditCode code in record.EventTypeCodes)
            {
                Coding(w, code);
            }

            w.WriteEndArray();
        }

        w.WriteString("action", ((char)record.Action).ToString());
        w.WriteString("recorded", record.EventTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        w.WriteString("outcome", ((int)record.Outcome).ToString(CultureInfo.InvariantCulture));
        if (record.OutcomeDescription is not null)
        {
            w.WriteString("outcomeDesc", record.OutcomeDescription);
        }

        w.WriteStartArray("agent");
        foreach (AuditActiveParticipant p in record.ActiveParticipants)
        {
            w.WriteStartObject();
            if (p.RoleIdCodes.Count > 0)
            {
                w.WriteStartObject("type");
                w.WriteStartArray("coding");
                foreach (AuditCode role in p.RoleIdCodes)
                {
                    Coding(w, role);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteStartObject("who");
            w.WriteStartObject("identifier");
            w.WriteString("value", p.UserId);
            w.WriteEndObject();
            w.WriteEndObject();
            string? alternative = p.AlternativeUserId ?? (p.AeTitles.Count > 0 ? "AETITLES=" + string.Join(';', p.AeTitles) : null);
            if (alternative is not null)
            {
                w.WriteString("altId", alternative);
            }

            if (p.UserName is not null)
            {
                w.WriteString("name", p.UserName);
            }

            w.WriteBoolean("requestor", p.UserIsRequestor);
            if (p.NetworkAccessPointId is not null)
            {
                w.WriteStartObject("network");
                w.WriteString("address", p.NetworkAccessPointId);
                if (p.NetworkAccessPointType is { } type)
                {
                    w.WriteString("type", ((int)type).ToString(CultureInfo.InvariantCulture));
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartObject("source");
        if (record.Source.EnterpriseSiteId is not null)
        {
            w.WriteString("site", record.Source.EnterpriseSiteId);
        }

        w.WriteStartObject("observer");
        w.WriteString("display", record.Source.SourceId);
        w.WriteEndObject();
        w.WriteStartArray("type");
        foreach (int type in record.Source.SourceTypeCodes)
        {
            w.WriteStartObject();
            w.WriteString("system", SourceTypeSystem);
            w.WriteString("code", type.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();

        List<AuditParticipantObject> objects = [.. record.ParticipantObjects, .. AtnaXml.GatewayObjects(record)];
        if (objects.Count > 0)
        {
            w.WriteStartArray("entity");
            foreach (AuditParticipantObject o in objects)
            {
                Entity(w, o);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void Entity(Utf8JsonWriter w, AuditParticipantObject o)
    {
        w.WriteStartObject();
        w.WriteStartObject("what");
        w.WriteStartObject("identifier");
        w.WriteStartObject("type");
        w.WriteStartArray("coding");
        Coding(w, o.IdTypeCode);
        w.WriteEndArray();
        w.WriteEndObject();
        bool isUid = o.IdTypeCode.CodeSystemName == AuditCodes.Dcm && o.IdTypeCode.Code is "110180" or "110181";
        if (isUid)
        {
            w.WriteString("system", "urn:dicom:uid");
        }

        w.WriteString("value", isUid ? "urn:oid:" + o.ObjectId : o.ObjectId);
        w.WriteEndObject();
        w.WriteEndObject();
        if (o.TypeCode is { } type)
        {
            w.WriteStartObject("type");
            w.WriteString("system", EntityTypeSystem);
            w.WriteString("code", type.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }

        if (o.TypeCodeRole is { } role)
        {
            w.WriteStartObject("role");
            w.WriteString("system", ObjectRoleSystem);
            w.WriteString("code", role.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }

        if (o.DataLifeCycle is { } cycle)
        {
            w.WriteStartObject("lifecycle");
            w.WriteString("system", LifecycleSystem);
            w.WriteString("code", cycle.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }

        if (o.Name is not null)
        {
            w.WriteString("name", o.Name);
        }

        if (o.Description is not null)
        {
            w.WriteString("description", o.Description);
        }

        if (o.Query is not null)
        {
            w.WriteString("query", Convert.ToBase64String(o.Query));
        }

        var details = new List<(string Type, string Value)>();
        details.AddRange(o.Details.Select(d => (d.Type, d.Value)));
        details.AddRange(o.SopClasses.Select(s => ("SOPClass", s.Uid + " " + s.NumberOfInstances.ToString(CultureInfo.InvariantCulture))));
        details.AddRange(o.StudyUids.Select(u => ("ContainsStudy", u)));
        details.AddRange(o.AccessionNumbers.Select(a => ("Accession", a)));
        if (o.Encrypted is { } encrypted)
        {
            details.Add(("Encrypted", encrypted ? "true" : "false"));
        }

        if (o.Anonymized is { } anonymized)
        {
            details.Add(("Anonymized", anonymized ? "true" : "false"));
        }

        if (details.Count > 0)
        {
            w.WriteStartArray("detail");
            foreach ((string detailType, string value) in details)
            {
                w.WriteStartObject();
                w.WriteString("type", detailType);
                w.WriteString("valueString", value);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void Coding(Utf8JsonWriter w, AuditCode code)
    {
        w.WriteStartObject();
        w.WriteString("system", code.CodeSystemName switch
        {
            AuditCodes.Dcm => DcmSystem,
            AuditCodes.Gateway => GatewaySystem,
            _ => "urn:codesystem:" + code.CodeSystemName,
        });
        w.WriteString("code", code.Code);
        w.WriteString("display", code.Meaning);
        w.WriteEndObject();
    }

    /// <summary>The bundle as text (for tests and tools).</summary>
    public static string RenderBundleText(IEnumerable<(long Index, AuditRecord Record)> records) => Encoding.UTF8.GetString(RenderBundle(records));
}
