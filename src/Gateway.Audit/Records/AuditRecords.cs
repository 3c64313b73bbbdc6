namespace Gateway.Audit.Records;

/// <summary>Builders for the records the gateway writes most often; each follows the matching PS3.15 A.5.3 message.</summary>
public static class AuditRecords
{
    /// <summary>
    /// A patient participant object (type 1 person, role 1 patient, id type (2, RFC-3881, "Patient Number")), PS3.15 A.5.3.
    /// </summary>
    /// <param name="patientId">The patient id.</param>
    /// <param name="patientName">The patient's name, if known (stored encrypted only).</param>
    public static AuditParticipantObject Patient(string patientId, string? patientName = null) => new()
    {
        ObjectId = patientId,
        IdTypeCode = AuditCodes.PatientNumber,
        TypeCode = 1,
        TypeCodeRole = 1,
        Name = patientName,
    };

    /// <summary>A study participant object (type 2 system object, role 3 report, id type Study Instance UID).</summary>
    /// <param name="studyInstanceUid">The Study Instance UID.</param>
    /// <param name="sopClasses">The SOP classes and instance counts involved.</param>
    public static AuditParticipantObject Study(string studyInstanceUid, IReadOnlyList<AuditSopClass>? sopClasses = null) => new()
    {
        ObjectId = studyInstanceUid,
        IdTypeCode = AuditCodes.StudyInstanceUid,
        TypeCode = 2,
        TypeCodeRole = 3,
        SopClasses = sopClasses ?? [],
    };

    /// <summary>A query participant object (type 2, role 24 query, id type SOP Class UID), PS3.15 A.5.3.12.</summary>
    /// <param name="sopClassUid">The SOP class of the query (e.g. Study Root Q/R FIND).</param>
    /// <param name="queryKeys">The query keys as sent (the encoded identifier).</param>
    public static AuditParticipantObject QueryObject(string sopClassUid, byte[] queryKeys) => new()
    {
        ObjectId = sopClassUid,
        IdTypeCode = AuditCodes.SopClassUid,
        TypeCode = 2,
        TypeCodeRole = 24,
        Query = queryKeys,
    };

    /// <summary>The audit log itself as a participant object (PS3.15 A.5.3.2).</summary>
    /// <param name="uri">The URI of the audit log.</param>
    public static AuditParticipantObject AuditLog(string uri) => new()
    {
        ObjectId = uri,
        IdTypeCode = AuditCodes.Uri,
        TypeCode = 2,
        TypeCodeRole = 13,
        Name = "Security Audit Log",
    };

    /// <summary>A DICOM application entity taking part (UserID = process or AE title, AlternativeUserID from the AE titles).</summary>
    /// <param name="aeTitle">The AE title.</param>
    /// <param name="address">The peer's IP address, if known.</param>
    /// <param name="isRequestor">Whether it started the event.</param>
    /// <param name="role">Its role, e.g. <see cref="AuditCodes.SourceRole"/>.</param>
    public static AuditActiveParticipant ApplicationEntity(string aeTitle, string? address, bool isRequestor, AuditCode? role = null) => new()
    {
        UserId = aeTitle,
        AeTitles = [aeTitle],
        UserIsRequestor = isRequestor,
        NetworkAccessPointId = address,
        NetworkAccessPointType = address is null ? null : NetworkAccessPointType.IpAddress,
        RoleIdCodes = role is null ? [] : [role],
    };
}
