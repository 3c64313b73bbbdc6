namespace Gateway.Archive;

/// <summary>The durable outcome of <see cref="ArchiveStore.StoreAsync"/>: returned only after the object, index and outbox rows are on disk.</summary>
public sealed record ArchiveStoreResult
{
    /// <summary>Stored, duplicate or conflict.</summary>
    public required ArchiveStoreOutcome Outcome { get; init; }

    /// <summary>The index row of the instance (of the conflict copy for <see cref="ArchiveStoreOutcome.Conflict"/>).</summary>
    public required long InstanceId { get; init; }

    /// <summary>The SOP Instance UID.</summary>
    public required string SopInstanceUid { get; init; }

    /// <summary>The Study Instance UID from the data set.</summary>
    public required string StudyInstanceUid { get; init; }

    /// <summary>The Series Instance UID from the data set.</summary>
    public required string SeriesInstanceUid { get; init; }

    /// <summary>(0010,0020) Patient ID of the data set, if it has one (PHI: for the encrypted audit log, never for operational logs).</summary>
    public string? PatientId { get; init; }

    /// <summary>The data set's length in bytes, as received.</summary>
    public required long DataSetLength { get; init; }

    /// <summary>The destinations that got a new outbox item.</summary>
    public required IReadOnlyList<string> QueuedDestinations { get; init; }
}
