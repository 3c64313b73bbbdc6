namespace Gateway.Audit.Records;

/// <summary>Bounds on one record, checked before it is appended and again when a stored record is read.</summary>
public static class AuditRecordLimits
{
    /// <summary>Longest text value, in characters.</summary>
    public const int MaxStringLength = 1024;

    /// <summary>Largest <see cref="AuditParticipantObject.Query"/>, in bytes.</summary>
    public const int MaxQueryBytes = 16 * 1024;

    /// <summary>Most active participants.</summary>
    public const int MaxActiveParticipants = 16;

    /// <summary>Most participant objects.</summary>
    public const int MaxParticipantObjects = 256;

    /// <summary>Most entries in any other list (codes, SOP classes, study UIDs, details, AE titles).</summary>
    public const int MaxListLength = 1024;

    /// <summary>Most patients in one record whose id gets a searchable keyed hash.</summary>
    public const int MaxIndexedPatients = 16;

    /// <summary>Largest serialized (plaintext) record, in bytes.</summary>
    public const int MaxSerializedBytes = 256 * 1024;
}
