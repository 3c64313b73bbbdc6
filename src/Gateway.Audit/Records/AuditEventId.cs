namespace Gateway.Audit.Records;

/// <summary>
/// The audited event, DICOM PS3.16 CID 400 "Audit Event ID" (coding scheme DCM), as used by PS3.15 A.5.3.
/// </summary>
/// <remarks>The numeric value is the code value; <see cref="AuditCodes.Meaning(AuditEventId)"/> gives the code meaning.</remarks>
public enum AuditEventId
{
    /// <summary>(110100, DCM, "Application Activity"): the gateway started or stopped.</summary>
    ApplicationActivity = 110100,

    /// <summary>(110101, DCM, "Audit Log Used"): someone read or exported this audit log.</summary>
    AuditLogUsed = 110101,

    /// <summary>(110102, DCM, "Begin Transferring DICOM Instances").</summary>
    BeginTransferringDicomInstances = 110102,

    /// <summary>(110103, DCM, "DICOM Instances Accessed").</summary>
    DicomInstancesAccessed = 110103,

    /// <summary>(110104, DCM, "DICOM Instances Transferred").</summary>
    DicomInstancesTransferred = 110104,

    /// <summary>(110105, DCM, "DICOM Study Deleted").</summary>
    DicomStudyDeleted = 110105,

    /// <summary>(110106, DCM, "Export").</summary>
    Export = 110106,

    /// <summary>(110107, DCM, "Import").</summary>
    Import = 110107,

    /// <summary>(110108, DCM, "Network Entry").</summary>
    NetworkEntry = 110108,

    /// <summary>(110109, DCM, "Order Record").</summary>
    OrderRecord = 110109,

    /// <summary>(110110, DCM, "Patient Record").</summary>
    PatientRecord = 110110,

    /// <summary>(110111, DCM, "Procedure Record").</summary>
    ProcedureRecord = 110111,

    /// <summary>(110112, DCM, "Query").</summary>
    Query = 110112,

    /// <summary>(110113, DCM, "Security Alert"): for example a policy denial or a failed association.</summary>
    SecurityAlert = 110113,

    /// <summary>(110114, DCM, "User Authentication").</summary>
    UserAuthentication = 110114,
}
