using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.Host.Configuration;

namespace Gateway.Host.Prefetch;

/// <summary>
/// Which of a patient's studies and series the PACS answered are the priors to push: answers for another patient, with
/// an invalid UID or for the scheduled study itself are dropped; studies are ordered newest first; series must match
/// the configured modalities and body parts.
/// </summary>
internal static class PriorSelection
{
    /// <summary>
    /// The candidate priors among the study-level answers, newest first (studies without a valid date last), each once,
    /// leaving out those that cannot have a matching series by their Modalities in Study.
    /// </summary>
    public static IReadOnlyList<PriorStudy> Candidates(IEnumerable<DicomDataset> answers, string patientId, string? scheduledStudyUid, PrefetchOptions options)
    {
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentNullException.ThrowIfNull(options);
        var studies = new Dictionary<string, PriorStudy>(StringComparer.Ordinal);
        foreach (DicomDataset answer in answers)
        {
            // A PACS that matches loosely (or a hostile one) must not hand the gateway another patient's studies.
            if (PrefetchIdentifiers.Single(answer, DicomTags.PatientID)?.Trim() != patientId
                || PrefetchIdentifiers.Uid(PrefetchIdentifiers.Single(answer, DicomTags.StudyInstanceUID)) is not { } uid
                || uid == scheduledStudyUid)
            {
                continue;
            }

            string[] modalities = [.. answer.GetStrings(DicomTags.ModalitiesInStudy).Select(PrefetchIdentifiers.Code).OfType<string>()];
            if (modalities.Length > 0 && options.Modalities.Count > 0 && !modalities.Any(m => Contains(options.Modalities, m)))
            {
                continue;
            }

            DateTime? at = answer.GetDate(DicomTags.StudyDate) is { } date
                ? date.ToDateTime(answer.GetTime(DicomTags.StudyTime) ?? TimeOnly.MinValue)
                : null;
            studies.TryAdd(uid, new PriorStudy(uid, at, modalities));
        }

        return [.. studies.Values.OrderByDescending(s => s.StudyDateTime ?? DateTime.MinValue).ThenBy(s => s.StudyInstanceUid, StringComparer.Ordinal)];
    }

    /// <summary>True when series must be looked at one by one (a modality or body part filter is set).</summary>
    public static bool FiltersSeries(PrefetchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Modalities.Count > 0 || options.BodyParts.Count > 0;
    }

    /// <summary>The series of <paramref name="studyUid"/> among the series-level answers that match the filters, each once.</summary>
    public static IReadOnlyList<string> MatchingSeries(IEnumerable<DicomDataset> answers, string studyUid, PrefetchOptions options)
    {
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentNullException.ThrowIfNull(options);
        var series = new List<string>();
        foreach (DicomDataset answer in answers)
        {
            if (answer.GetStrings(DicomTags.StudyInstanceUID) is { Count: > 0 } study && (study.Count > 1 || PrefetchIdentifiers.Uid(study[0]) != studyUid))
            {
                continue;
            }

            if (PrefetchIdentifiers.Uid(PrefetchIdentifiers.Single(answer, DicomTags.SeriesInstanceUID)) is not { } uid || series.Contains(uid, StringComparer.Ordinal))
            {
                continue;
            }

            bool modality = options.Modalities.Count == 0 || (PrefetchIdentifiers.Code(PrefetchIdentifiers.Single(answer, DicomTags.Modality)) is { } m && Contains(options.Modalities, m));
            bool bodyPart = options.BodyParts.Count == 0 || (PrefetchIdentifiers.Code(PrefetchIdentifiers.Single(answer, DicomTags.BodyPartExamined)) is { } b && Contains(options.BodyParts, b));
            if (modality && bodyPart)
            {
                series.Add(uid);
            }
        }

        return series;
    }

    private static bool Contains(List<string> configured, string code) =>
        configured.Any(c => string.Equals(c.Trim(), code, StringComparison.OrdinalIgnoreCase));
}
