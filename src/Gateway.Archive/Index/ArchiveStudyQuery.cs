namespace Gateway.Archive.Index;

/// <summary>
/// A study search. Identifiers match exactly (through their keyed hashes: no wildcards); names match the normalised
/// alphabetic name (case-insensitive, components trimmed) or the family name alone. All given criteria must hold.
/// </summary>
public sealed record ArchiveStudyQuery
{
    /// <summary>Patient ID, exact.</summary>
    public string? PatientId { get; init; }

    /// <summary>Patient's Name, exact after normalisation (for example <c>DOE^JOHN</c>).</summary>
    public string? PatientName { get; init; }

    /// <summary>The family name component, exact after normalisation.</summary>
    public string? PatientFamilyName { get; init; }

    /// <summary>Accession Number, exact.</summary>
    public string? AccessionNumber { get; init; }

    /// <summary>Study Instance UID.</summary>
    public string? StudyInstanceUid { get; init; }

    /// <summary>Study Date from (inclusive).</summary>
    public DateOnly? StudyDateFrom { get; init; }

    /// <summary>Study Date to (inclusive).</summary>
    public DateOnly? StudyDateTo { get; init; }

    /// <summary>Studies with a series of this modality.</summary>
    public string? Modality { get; init; }

    /// <summary>At most this many. Default 100.</summary>
    public int Limit { get; init; } = 100;

    /// <summary>Skip this many (paging).</summary>
    public int Offset { get; init; }
}
