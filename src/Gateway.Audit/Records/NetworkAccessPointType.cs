namespace Gateway.Audit.Records;

/// <summary>NetworkAccessPointTypeCode of PS3.15 A.5.1: what <see cref="AuditActiveParticipant.NetworkAccessPointId"/> holds.</summary>
public enum NetworkAccessPointType
{
    /// <summary>1: machine name, including DNS name.</summary>
    MachineName = 1,

    /// <summary>2: IP address.</summary>
    IpAddress = 2,

    /// <summary>3: telephone number.</summary>
    TelephoneNumber = 3,

    /// <summary>4: email address (DICOM extension).</summary>
    EmailAddress = 4,

    /// <summary>5: URI (DICOM extension).</summary>
    Uri = 5,
}
