namespace Gateway.Archive.Index;

/// <summary>A series in the index.</summary>
public sealed record ArchivedSeries
{
    /// <summary>Series Instance UID.</summary>
    public required string SeriesInstanceUid { get; init; }

    /// <summary>Study Instance UID.</summary>
    public required string StudyInstanceUid { get; init; }

    /// <summary>Modality.</summary>
    public string? Modality { get; init; }

    /// <summary>Series Number.</summary>
    public int? SeriesNumber { get; init; }

    /// <summary>Series Date (YYYYMMDD).</summary>
    public string? SeriesDate { get; init; }

    /// <summary>Series Time (HHMMSS.FFFFFF).</summary>
    public string? SeriesTime { get; init; }

    /// <summary>Body Part Examined.</summary>
    public string? BodyPartExamined { get; init; }

    /// <summary>Series Description (decrypted).</summary>
    public string? SeriesDescription { get; init; }

    /// <summary>The earliest acquisition date and time of its instances (YYYYMMDD, HHMMSS.FFFFFF).</summary>
    public string? FirstAcquisition { get; init; }

    /// <summary>Instances listed (archived ones; with purged ones when asked).</summary>
    public required int InstanceCount { get; init; }
}
