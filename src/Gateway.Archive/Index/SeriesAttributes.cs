namespace Gateway.Archive.Index;

/// <summary>Series attributes kept only encrypted in the index (free text may name the patient).</summary>
public sealed record SeriesAttributes
{
    /// <summary>(0008,103E) Series Description.</summary>
    public string? SeriesDescription { get; init; }
}
