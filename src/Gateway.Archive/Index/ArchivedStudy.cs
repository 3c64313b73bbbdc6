namespace Gateway.Archive.Index;

/// <summary>A study in the index, with its attributes decrypted.</summary>
public sealed record ArchivedStudy
{
    /// <summary>Study Instance UID.</summary>
    public required string StudyInstanceUid { get; init; }

    /// <summary>Study Date (YYYYMMDD).</summary>
    public string? StudyDate { get; init; }

    /// <summary>Study Time (HHMMSS.FFFFFF).</summary>
    public string? StudyTime { get; init; }

    /// <summary>Patient and study attributes.</summary>
    public required StudyAttributes Attributes { get; init; }

    /// <summary>The modalities of its series, sorted.</summary>
    public required IReadOnlyList<string> ModalitiesInStudy { get; init; }

    /// <summary>Series with at least one instance still archived.</summary>
    public required int SeriesCount { get; init; }

    /// <summary>Instances still archived (not purged, not conflicts).</summary>
    public required int InstanceCount { get; init; }

    /// <summary>When its first instance arrived.</summary>
    public required DateTimeOffset FirstReceivedAt { get; init; }

    /// <summary>When its latest instance arrived.</summary>
    public required DateTimeOffset LastReceivedAt { get; init; }
}
