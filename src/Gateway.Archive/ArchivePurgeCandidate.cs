namespace Gateway.Archive;

/// <summary>An instance retention is about to purge (what an audit record of the deletion names).</summary>
public sealed record ArchivePurgeCandidate
{
    /// <summary>The index row.</summary>
    public required long InstanceId { get; init; }

    /// <summary>The SOP Instance UID.</summary>
    public required string SopInstanceUid { get; init; }

    /// <summary>The SOP Class UID.</summary>
    public required string SopClassUid { get; init; }

    /// <summary>The Series Instance UID.</summary>
    public required string SeriesInstanceUid { get; init; }

    /// <summary>The Study Instance UID (<see cref="ArchiveStore.GetStudyAsync"/> gives its patient).</summary>
    public required string StudyInstanceUid { get; init; }
}
