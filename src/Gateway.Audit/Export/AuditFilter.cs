using Gateway.Audit.Records;

namespace Gateway.Audit.Export;

/// <summary>Which records a search or export selects; every set criterion must hold.</summary>
public sealed record AuditFilter
{
    /// <summary>Event time at or after this.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Event time before this.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>A participant patient with this id (matched through its keyed hash, then confirmed after decryption).</summary>
    public string? PatientId { get; init; }

    /// <summary>An active participant whose UserID, AlternativeUserID or UserName equals this.</summary>
    public string? User { get; init; }

    /// <summary>An active participant that used this AE title.</summary>
    public string? AeTitle { get; init; }

    /// <summary>This event id.</summary>
    public AuditEventId? EventId { get; init; }

    /// <summary>This outcome.</summary>
    public AuditEventOutcome? Outcome { get; init; }

    /// <summary>Whether <paramref name="record"/> matches every criterion.</summary>
    public bool Matches(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return (From is null || record.EventTime >= From)
            && (To is null || record.EventTime < To)
            && (EventId is null || record.EventId == EventId)
            && (Outcome is null || record.Outcome == Outcome)
            && (PatientId is null || record.ParticipantObjects.Any(o => o.IsPatient && o.ObjectId.TrimEnd(' ') == PatientId.TrimEnd(' ')))
            && (User is null || record.ActiveParticipants.Any(p => p.UserId == User || p.AlternativeUserId == User || p.UserName == User))
            && (AeTitle is null || record.ActiveParticipants.Any(p => p.AeTitles.Contains(AeTitle.Trim(), StringComparer.Ordinal) || p.UserId == AeTitle.Trim()));
    }
}
