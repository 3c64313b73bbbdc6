namespace Gateway.Policy;

/// <summary>The protocol a request arrived on.</summary>
public enum PolicyProtocol : byte
{
    /// <summary>DICOM Upper Layer associations and DIMSE messages (PS3.7, PS3.8).</summary>
    Dimse,

    /// <summary>DICOMweb over HTTPS (PS3.18: QIDO-RS, WADO-RS, STOW-RS).</summary>
    DicomWeb,

    /// <summary>The gateway's admin API (policy, audit, backups, drills).</summary>
    Admin,
}
