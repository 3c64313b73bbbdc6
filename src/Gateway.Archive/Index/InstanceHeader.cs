namespace Gateway.Archive.Index;

/// <summary>The attributes the index takes from a data set's header: what is searched, ordered and shown.</summary>
/// <remarks>Dates are DA strings (YYYYMMDD); times are normalised to <c>HHMMSS.FFFFFF</c> so they sort as text.</remarks>
internal sealed class InstanceHeader
{
    public string? SopClassUid { get; set; }

    public string? SopInstanceUid { get; set; }

    public string? StudyInstanceUid { get; set; }

    public string? SeriesInstanceUid { get; set; }

    public string? StudyDate { get; set; }

    public string? StudyTime { get; set; }

    public string? SeriesDate { get; set; }

    public string? SeriesTime { get; set; }

    public string? AcquisitionDate { get; set; }

    public string? AcquisitionTime { get; set; }

    public string? Modality { get; set; }

    public int? SeriesNumber { get; set; }

    public int? InstanceNumber { get; set; }

    public string? BodyPartExamined { get; set; }

    public int? Rows { get; set; }

    public int? Columns { get; set; }

    public int? NumberOfFrames { get; set; }

    /// <summary>The patient and study attributes kept only encrypted (and, for identifiers, as keyed hashes).</summary>
    public StudyAttributes Study { get; set; } = new();

    /// <summary>The series attributes kept only encrypted.</summary>
    public SeriesAttributes Series { get; set; } = new();
}
