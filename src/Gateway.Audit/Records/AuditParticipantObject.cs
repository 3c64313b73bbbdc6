namespace Gateway.Audit.Records;

/// <summary>ParticipantObjectIdentification of PS3.15 A.5.1: a patient, study, query, or other object the event touched.</summary>
/// <remarks>
/// A patient is <see cref="TypeCode"/> 1 (person) with <see cref="TypeCodeRole"/> 1 (patient) and
/// <see cref="IdTypeCode"/> <see cref="AuditCodes.PatientNumber"/>; its <see cref="ObjectId"/> is the patient id. The log
/// stores only a keyed hash of it in clear (for search); the record itself is encrypted.
/// </remarks>
public sealed record AuditParticipantObject
{
    /// <summary>ParticipantObjectID: the patient id, Study Instance UID, audit log URI, ...</summary>
    public required string ObjectId { get; init; }

    /// <summary>ParticipantObjectIDTypeCode: what <see cref="ObjectId"/> is, e.g. <see cref="AuditCodes.StudyInstanceUid"/>.</summary>
    public required AuditCode IdTypeCode { get; init; }

    /// <summary>ParticipantObjectTypeCode: 1 person, 2 system object, 3 organization, 4 other.</summary>
    public int? TypeCode { get; init; }

    /// <summary>ParticipantObjectTypeCodeRole (RFC 3881 values 1-24): 1 patient, 3 report, 13 security resource, 24 query, ...</summary>
    public int? TypeCodeRole { get; init; }

    /// <summary>ParticipantObjectDataLifeCycle (RFC 3881 values 1-15), if relevant.</summary>
    public int? DataLifeCycle { get; init; }

    /// <summary>ParticipantObjectSensitivity, if any.</summary>
    public string? Sensitivity { get; init; }

    /// <summary>ParticipantObjectName: for a patient, the patient's name (PHI: only ever stored encrypted).</summary>
    public string? Name { get; init; }

    /// <summary>ParticipantObjectQuery: for a query, the query keys as sent (e.g. the C-FIND identifier); base64 in the XML.</summary>
    public byte[]? Query { get; init; }

    /// <summary>ParticipantObjectDetail pairs (for a C-FIND, e.g. the SOP class of the query).</summary>
    public IReadOnlyList<AuditObjectDetail> Details { get; init; } = [];

    /// <summary>ParticipantObjectDescription, if any.</summary>
    public string? Description { get; init; }

    /// <summary>SOPClass elements: the SOP classes and instance counts involved (for a study object).</summary>
    public IReadOnlyList<AuditSopClass> SopClasses { get; init; } = [];

    /// <summary>ParticipantObjectContainsStudy: Study Instance UIDs this object contains (for example a patient's studies).</summary>
    public IReadOnlyList<string> StudyUids { get; init; } = [];

    /// <summary>Accession numbers, if known.</summary>
    public IReadOnlyList<string> AccessionNumbers { get; init; } = [];

    /// <summary>Whether the object was encrypted in transit or on media, if known.</summary>
    public bool? Encrypted { get; init; }

    /// <summary>Whether the object was de-identified, if known.</summary>
    public bool? Anonymized { get; init; }

    /// <summary>Whether this object is a patient (type 1 person, role 1 patient).</summary>
    public bool IsPatient => TypeCode == 1 && TypeCodeRole == 1;
}
