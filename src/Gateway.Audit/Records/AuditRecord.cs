namespace Gateway.Audit.Records;

/// <summary>
/// One audit record: an event in the DICOM PS3.15 A.5 vocabulary (event, active participants, audit source, participant
/// objects) plus the gateway's own facts (policy rule and decision, association id).
/// </summary>
/// <remarks>
/// Records are validated against <see cref="AuditRecordLimits"/> before they are appended; the whole record is stored
/// encrypted. <see cref="EventTime"/> is stored in UTC with millisecond precision.
/// </remarks>
public sealed record AuditRecord
{
    /// <summary>EventID: the family of the event.</summary>
    public required AuditEventId EventId { get; init; }

    /// <summary>EventActionCode.</summary>
    public required AuditEventAction Action { get; init; }

    /// <summary>EventDateTime: when the event happened (stored as UTC, millisecond precision).</summary>
    public required DateTimeOffset EventTime { get; init; }

    /// <summary>EventOutcomeIndicator.</summary>
    public required AuditEventOutcome Outcome { get; init; }

    /// <summary>EventOutcomeDescription: why it failed, if it did. Must not contain PHI in clear anywhere else; it is encrypted here.</summary>
    public string? OutcomeDescription { get; init; }

    /// <summary>EventTypeCode: the specific types within the family (PS3.16 CID 401), e.g. <see cref="AuditCodes.ApplicationStart"/>.</summary>
    public IReadOnlyList<AuditCode> EventTypeCodes { get; init; } = [];

    /// <summary>ActiveParticipant: at least one.</summary>
    public required IReadOnlyList<AuditActiveParticipant> ActiveParticipants { get; init; }

    /// <summary>AuditSourceIdentification.</summary>
    public required AuditSource Source { get; init; }

    /// <summary>ParticipantObjectIdentification: patients, studies, queries, the audit log itself, ...</summary>
    public IReadOnlyList<AuditParticipantObject> ParticipantObjects { get; init; } = [];

    /// <summary>The policy rule and decision behind the operation, if a policy decided it.</summary>
    public AuditPolicyFacts? Policy { get; init; }

    /// <summary>The id of the DICOM association (or HTTP request) the event belongs to, if any.</summary>
    public string? AssociationId { get; init; }
}
