namespace Gateway.Host.Prefetch;

/// <summary>A prior study of the patient on the PACS, as its study-level C-FIND answered.</summary>
/// <param name="StudyInstanceUid">The study.</param>
/// <param name="StudyDateTime">Study Date and Time (local, as written), or null when the PACS gave no valid date.</param>
/// <param name="Modalities">Modalities in Study as answered (upper case); empty when the PACS did not say.</param>
internal sealed record PriorStudy(string StudyInstanceUid, DateTime? StudyDateTime, IReadOnlyList<string> Modalities);
