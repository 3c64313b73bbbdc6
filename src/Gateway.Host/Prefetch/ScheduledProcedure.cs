using Gateway.Dicom;
using Gateway.Dicom.Model;

namespace Gateway.Host.Prefetch;

/// <summary>A procedure step the worklist lists: whose priors to prefetch, and when the patient is expected.</summary>
/// <param name="PatientId">The patient (checked by <see cref="PrefetchIdentifiers.PatientId"/>).</param>
/// <param name="StudyInstanceUid">The study the procedure will create (not a prior), or null.</param>
/// <param name="ScheduledAt">The earliest Scheduled Procedure Step Start Date and Time of the item.</param>
/// <param name="CharacterSet">The item's Specific Character Set (values joined by <c>\</c>), carried into the PACS query with the Patient ID.</param>
internal sealed record ScheduledProcedure(string PatientId, string? StudyInstanceUid, DateTimeOffset ScheduledAt, string? CharacterSet)
{
    /// <summary>The most Scheduled Procedure Step items read from one worklist item.</summary>
    private const int MaxSteps = 64;

    /// <summary>
    /// Reads a worklist answer; null when it has no usable Patient ID or no step with a valid start date. A step without a
    /// start time counts from the start of its day. Dates and times are local times of <paramref name="zone"/>.
    /// </summary>
    public static ScheduledProcedure? FromWorklistItem(DicomDataset item, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(zone);
        if (PrefetchIdentifiers.PatientId(PrefetchIdentifiers.Single(item, DicomTags.PatientID)) is not { } patientId)
        {
            return null;
        }

        DateTimeOffset? earliest = null;
        foreach (DicomDataset step in (item.GetSequence(DicomTags.ScheduledProcedureStepSequence)?.Items ?? []).Take(MaxSteps))
        {
            if (step.GetDate(DicomTags.ScheduledProcedureStepStartDate) is not { } date)
            {
                continue;
            }

            DateTime local = date.ToDateTime(step.GetTime(DicomTags.ScheduledProcedureStepStartTime) ?? TimeOnly.MinValue, DateTimeKind.Unspecified);
            var at = new DateTimeOffset(local, zone.GetUtcOffset(local));
            if (earliest is null || at < earliest)
            {
                earliest = at;
            }
        }

        return earliest is { } when
            ? new ScheduledProcedure(patientId, PrefetchIdentifiers.Uid(PrefetchIdentifiers.Single(item, DicomTags.StudyInstanceUID)), when, string.Join('\\', item.GetStrings(DicomTags.SpecificCharacterSet)))
            : null;
    }

    /// <summary>True when the step starts from the start of <paramref name="now"/>'s day until <paramref name="leadTime"/> after it.</summary>
    public bool IsDue(DateTimeOffset now, TimeSpan leadTime) =>
        ScheduledAt >= new DateTimeOffset(now.Date, now.Offset) && ScheduledAt <= now + leadTime;
}
