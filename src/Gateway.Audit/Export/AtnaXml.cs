using System.Globalization;
using System.Text;
using System.Xml;
using Gateway.Audit.Records;

namespace Gateway.Audit.Export;

/// <summary>Renders records as DICOM audit messages (PS3.15 A.5.1 schema, the XML of IHE ATNA).</summary>
/// <remarks>
/// The gateway's own facts become extra participant objects in the private coding scheme 99GATEWAY: the policy rule
/// (type 2 system object, role 13 security resource, detail <c>decision</c>) and the association (role 4 resource).
/// </remarks>
public static class AtnaXml
{
    private static readonly string[] SourceTypeMeanings =
    [
        "End-user display device, diagnostic display",
        "Data acquisition device or instrument",
        "Web server process",
        "Application server process",
        "Database server process",
        "Security server",
        "ISO level 1-3 network component",
        "ISO level 4-6 operating software",
        "External source, other or unknown type",
    ];

    /// <summary>One <c>AuditMessage</c> element, without XML declaration, on one line.</summary>
    public static string Render(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var text = new StringBuilder();
        using (XmlWriter writer = XmlWriter.Create(text, Settings(declaration: false)))
        {
            Write(writer, record);
        }

        return text.ToString();
    }

    /// <summary>A document <c>&lt;AuditMessages&gt;</c> holding one <c>AuditMessage</c> per record (UTF-8).</summary>
    public static byte[] RenderDocument(IEnumerable<AuditRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        return AuditRecordRenderer.Render(AuditExportFormat.AtnaXml, records.Select((r, i) => ((long)i, r)).ToList());
    }

    /// <summary>A writer of a whole document (declaration, indentation) to <paramref name="output"/>, which it leaves open.</summary>
    internal static XmlWriter CreateDocumentWriter(Stream output) => XmlWriter.Create(output, Settings(declaration: true));

    private static XmlWriterSettings Settings(bool declaration) => new()
    {
        Encoding = new UTF8Encoding(false),
        OmitXmlDeclaration = !declaration,
        Indent = declaration,
        NewLineChars = "\n",
        CheckCharacters = true,
    };

    /// <summary>Writes one <c>AuditMessage</c> element.</summary>
    internal static void Write(XmlWriter w, AuditRecord record)
    {
        w.WriteStartElement("AuditMessage");
        w.WriteStartElement("EventIdentification");
        w.WriteAttributeString("EventActionCode", ((char)record.Action).ToString());
        w.WriteAttributeString("EventDateTime", record.EventTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        w.WriteAttributeString("EventOutcomeIndicator", ((int)record.Outcome).ToString(CultureInfo.InvariantCulture));
        Code(w, "EventID", AuditCodes.Code(record.EventId));
        foreach (AuditCode type in record.EventTypeCodes)
        {
            Code(w, "EventTypeCode", type);
        }

        if (record.OutcomeDescription is not null)
        {
            w.WriteElementString("EventOutcomeDescription", record.OutcomeDescription);
        }

        w.WriteEndElement();

        foreach (AuditActiveParticipant p in record.ActiveParticipants)
        {
            w.WriteStartElement("ActiveParticipant");
            w.WriteAttributeString("UserID", p.UserId);
            string? alternative = p.AlternativeUserId ?? (p.AeTitles.Count > 0 ? "AETITLES=" + string.Join(';', p.AeTitles) : null);
            Optional(w, "AlternativeUserID", alternative);
            Optional(w, "UserName", p.UserName);
            w.WriteAttributeString("UserIsRequestor", p.UserIsRequestor ? "true" : "false");
            Optional(w, "NetworkAccessPointID", p.NetworkAccessPointId);
            Optional(w, "NetworkAccessPointTypeCode", p.NetworkAccessPointType is { } type ? ((int)type).ToString(CultureInfo.InvariantCulture) : null);
            foreach (AuditCode role in p.RoleIdCodes)
            {
                Code(w, "RoleIDCode", role);
            }

            w.WriteEndElement();
        }

        w.WriteStartElement("AuditSourceIdentification");
        Optional(w, "AuditEnterpriseSiteID", record.Source.EnterpriseSiteId);
        w.WriteAttributeString("AuditSourceID", record.Source.SourceId);
        foreach (int type in record.Source.SourceTypeCodes)
        {
            Code(w, "AuditSourceTypeCode", new AuditCode(type.ToString(CultureInfo.InvariantCulture), AuditCodes.Dcm, SourceTypeMeanings[type - 1]));
        }

        w.WriteEndElement();

        foreach (AuditParticipantObject o in record.ParticipantObjects)
        {
            ParticipantObject(w, o);
        }

        foreach (AuditParticipantObject o in GatewayObjects(record))
        {
            ParticipantObject(w, o);
        }

        w.WriteEndElement();
    }

    /// <summary>The policy and association facts as participant objects (also used by the FHIR rendering).</summary>
    internal static IEnumerable<AuditParticipantObject> GatewayObjects(AuditRecord record)
    {
        if (record.Policy is { } policy)
        {
            yield return new AuditParticipantObject
            {
                ObjectId = policy.RuleId,
                IdTypeCode = AuditCodes.PolicyRule,
                TypeCode = 2,
                TypeCodeRole = 13,
                Details = [new AuditObjectDetail("decision", policy.Decision == AuditPolicyDecision.Allow ? "allow" : "deny")],
            };
        }

        if (record.AssociationId is { } association)
        {
            yield return new AuditParticipantObject
            {
                ObjectId = association,
                IdTypeCode = new AuditCode("association", AuditCodes.Gateway, "Association"),
                TypeCode = 2,
                TypeCodeRole = 4,
            };
        }
    }

    private static void ParticipantObject(XmlWriter w, AuditParticipantObject o)
    {
        w.WriteStartElement("ParticipantObjectIdentification");
        w.WriteAttributeString("ParticipantObjectID", o.ObjectId);
        Optional(w, "ParticipantObjectTypeCode", o.TypeCode?.ToString(CultureInfo.InvariantCulture));
        Optional(w, "ParticipantObjectTypeCodeRole", o.TypeCodeRole?.ToString(CultureInfo.InvariantCulture));
        Optional(w, "ParticipantObjectDataLifeCycle", o.DataLifeCycle?.ToString(CultureInfo.InvariantCulture));
        Optional(w, "ParticipantObjectSensitivity", o.Sensitivity);
        Code(w, "ParticipantObjectIDTypeCode", o.IdTypeCode);

        // The schema allows a name or a query, not both: a patient has a name, a query object has its keys.
        if (o.Name is not null)
        {
            w.WriteElementString("ParticipantObjectName", o.Name);
        }
        else if (o.Query is not null)
        {
            w.WriteElementString("ParticipantObjectQuery", Convert.ToBase64String(o.Query));
        }

        foreach (AuditObjectDetail detail in o.Details)
        {
            w.WriteStartElement("ParticipantObjectDetail");
            w.WriteAttributeString("type", detail.Type);
            w.WriteAttributeString("value", Convert.ToBase64String(Encoding.UTF8.GetBytes(detail.Value)));
            w.WriteEndElement();
        }

        if (o.Description is not null)
        {
            w.WriteElementString("ParticipantObjectDescription", o.Description);
        }

        foreach (string accession in o.AccessionNumbers)
        {
            w.WriteStartElement("Accession");
            w.WriteAttributeString("Number", accession);
            w.WriteEndElement();
        }

        foreach (AuditSopClass sop in o.SopClasses)
        {
            w.WriteStartElement("SOPClass");
            w.WriteAttributeString("UID", sop.Uid);
            w.WriteAttributeString("NumberOfInstances", sop.NumberOfInstances.ToString(CultureInfo.InvariantCulture));
            w.WriteEndElement();
        }

        if (o.StudyUids.Count > 0)
        {
            w.WriteStartElement("ParticipantObjectContainsStudy");
            foreach (string uid in o.StudyUids)
            {
                w.WriteStartElement("StudyIDs");
                w.WriteAttributeString("UID", uid);
                w.WriteEndElement();
            }

            w.WriteEndElement();
        }

        if (o.Encrypted is { } encrypted)
        {
            w.WriteElementString("Encrypted", encrypted ? "true" : "false");
        }

        if (o.Anonymized is { } anonymized)
        {
            w.WriteElementString("Anonymized", anonymized ? "true" : "false");
        }

        w.WriteEndElement();
    }

    private static void Code(XmlWriter w, string element, AuditCode code)
    {
        w.WriteStartElement(element);
        w.WriteAttributeString("csd-code", code.Code);
        w.WriteAttributeString("codeSystemName", code.CodeSystemName);
        w.WriteAttributeString("originalText", code.Meaning);
        w.WriteEndElement();
    }

    private static void Optional(XmlWriter w, string attribute, string? value)
    {
        if (value is not null)
        {
            w.WriteAttributeString(attribute, value);
        }
    }
}
