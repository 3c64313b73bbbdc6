namespace Gateway.Audit.Records;

/// <summary>ActiveParticipant of PS3.15 A.5.1: a user or process that took part in the event.</summary>
public sealed record AuditActiveParticipant
{
    /// <summary>UserID: the user or process (for a DICOM peer, its process or AE title; for a person, the login).</summary>
    public required string UserId { get; init; }

    /// <summary>
    /// AlternativeUserID. When null and <see cref="AeTitles"/> is not empty, the XML rendering uses
    /// <c>AETITLES=AE1;AE2</c> as PS3.15 A.5.2.2 requires for DICOM applications.
    /// </summary>
    public string? AlternativeUserId { get; init; }

    /// <summary>UserName: a human-readable name, if any.</summary>
    public string? UserName { get; init; }

    /// <summary>The AE titles this participant used in the event (searchable with <c>--ae</c>).</summary>
    public IReadOnlyList<string> AeTitles { get; init; } = [];

    /// <summary>UserIsRequestor: whether this participant started the event.</summary>
    public required bool UserIsRequestor { get; init; }

    /// <summary>RoleIDCode: the participant's roles, e.g. <see cref="AuditCodes.SourceRole"/>.</summary>
    public IReadOnlyList<AuditCode> RoleIdCodes { get; init; } = [];

    /// <summary>NetworkAccessPointID: the participant's address, if known.</summary>
    public string? NetworkAccessPointId { get; init; }

    /// <summary>NetworkAccessPointTypeCode: what <see cref="NetworkAccessPointId"/> holds.</summary>
    public NetworkAccessPointType? NetworkAccessPointType { get; init; }
}
