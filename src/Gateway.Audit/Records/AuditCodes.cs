namespace Gateway.Audit.Records;

/// <summary>Coded values of the DICOM audit vocabulary (PS3.16 CIDs 400-404, PS3.15 A.5, RFC 3881) the gateway uses.</summary>
public static class AuditCodes
{
    /// <summary>Coding scheme designator of the DICOM controlled terminology.</summary>
    public const string Dcm = "DCM";

    /// <summary>Coding scheme designator of RFC 3881 codes.</summary>
    public const string Rfc3881 = "RFC-3881";

    /// <summary>Private coding scheme of the gateway's own facts (a "99" prefix marks a private scheme in DICOM).</summary>
    public const string Gateway = "99GATEWAY";

    /// <summary>(110120, DCM, "Application Start").</summary>
    public static AuditCode ApplicationStart { get; } = new("110120", Dcm, "Application Start");

    /// <summary>(110121, DCM, "Application Stop").</summary>
    public static AuditCode ApplicationStop { get; } = new("110121", Dcm, "Application Stop");

    /// <summary>(110122, DCM, "Login").</summary>
    public static AuditCode Login { get; } = new("110122", Dcm, "Login");

    /// <summary>(110123, DCM, "Logout").</summary>
    public static AuditCode Logout { get; } = new("110123", Dcm, "Logout");

    /// <summary>(110126, DCM, "Node Authentication").</summary>
    public static AuditCode NodeAuthentication { get; } = new("110126", Dcm, "Node Authentication");

    /// <summary>(110129, DCM, "Security Configuration"): a Security Alert event type (PS3.16 CID 403), e.g. a key rotation.</summary>
    public static AuditCode SecurityConfiguration { get; } = new("110129", Dcm, "Security Configuration");

    /// <summary>(110132, DCM, "Use of Restricted Function").</summary>
    public static AuditCode UseOfRestrictedFunction { get; } = new("110132", Dcm, "Use of Restricted Function");

    /// <summary>(110150, DCM, "Application"): role of the process.</summary>
    public static AuditCode ApplicationRole { get; } = new("110150", Dcm, "Application");

    /// <summary>(110151, DCM, "Application Launcher").</summary>
    public static AuditCode ApplicationLauncherRole { get; } = new("110151", Dcm, "Application Launcher");

    /// <summary>(110152, DCM, "Destination Role ID").</summary>
    public static AuditCode DestinationRole { get; } = new("110152", Dcm, "Destination Role ID");

    /// <summary>(110153, DCM, "Source Role ID").</summary>
    public static AuditCode SourceRole { get; } = new("110153", Dcm, "Source Role ID");

    /// <summary>(110154, DCM, "Destination Media").</summary>
    public static AuditCode DestinationMediaRole { get; } = new("110154", Dcm, "Destination Media");

    /// <summary>(110155, DCM, "Source Media").</summary>
    public static AuditCode SourceMediaRole { get; } = new("110155", Dcm, "Source Media");

    /// <summary>(110180, DCM, "Study Instance UID"): participant object id type.</summary>
    public static AuditCode StudyInstanceUid { get; } = new("110180", Dcm, "Study Instance UID");

    /// <summary>(110181, DCM, "SOP Class UID"): participant object id type (for a query, the SOP class queried).</summary>
    public static AuditCode SopClassUid { get; } = new("110181", Dcm, "SOP Class UID");

    /// <summary>(110182, DCM, "Node ID").</summary>
    public static AuditCode NodeId { get; } = new("110182", Dcm, "Node ID");

    /// <summary>(2, RFC-3881, "Patient Number"): participant object id type of a patient.</summary>
    public static AuditCode PatientNumber { get; } = new("2", Rfc3881, "Patient Number");

    /// <summary>(12, RFC-3881, "URI"): participant object id type of the audit log (PS3.15 A.5.3.2).</summary>
    public static AuditCode Uri { get; } = new("12", Rfc3881, "URI");

    /// <summary>(rule, 99GATEWAY, "Policy Rule"): participant object id type of the policy rule that decided.</summary>
    public static AuditCode PolicyRule { get; } = new("rule", Gateway, "Policy Rule");

    /// <summary>The code meaning of an event id (PS3.16 CID 400).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not an event id of CID 400.</exception>
    public static string Meaning(AuditEventId eventId) => eventId switch
    {
        AuditEventId.ApplicationActivity => "Application Activity",
        AuditEventId.AuditLogUsed => "Audit Log Used",
        AuditEventId.BeginTransferringDicomInstances => "Begin Transferring DICOM Instances",
        AuditEventId.DicomInstancesAccessed => "DICOM Instances Accessed",
        AuditEventId.DicomInstancesTransferred => "DICOM Instances Transferred",
        AuditEventId.DicomStudyDeleted => "DICOM Study Deleted",
        AuditEventId.Export => "Export",
        AuditEventId.Import => "Import",
        AuditEventId.NetworkEntry => "Network Entry",
        AuditEventId.OrderRecord => "Order Record",
        AuditEventId.PatientRecord => "Patient Record",
        AuditEventId.ProcedureRecord => "Procedure Record",
        AuditEventId.Query => "Query",
        AuditEventId.SecurityAlert => "Security Alert",
        AuditEventId.UserAuthentication => "User Authentication",
        _ => throw new ArgumentOutOfRangeException(nameof(eventId), eventId, "not a DICOM audit event id (CID 400)"),
    };

    /// <summary>The coded value of an event id: (code, DCM, meaning).</summary>
    public static AuditCode Code(AuditEventId eventId) =>
        new(((int)eventId).ToString(System.Globalization.CultureInfo.InvariantCulture), Dcm, Meaning(eventId));

    /// <summary>Whether <paramref name="code"/> is one of the event ids 110100-110114.</summary>
    public static bool IsDefined(AuditEventId code) => code is >= AuditEventId.ApplicationActivity and <= AuditEventId.UserAuthentication;

    /// <summary>Parses an event id given as its code value (<c>110104</c>) or its enum name (<c>DicomInstancesTransferred</c>).</summary>
    public static bool TryParseEventId(string text, out AuditEventId eventId)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int code)
            && IsDefined((AuditEventId)code))
        {
            eventId = (AuditEventId)code;
            return true;
        }

        if (Enum.TryParse(text, ignoreCase: true, out eventId) && IsDefined(eventId) && !int.TryParse(text, out _))
        {
            return true;
        }

        eventId = default;
        return false;
    }
}
