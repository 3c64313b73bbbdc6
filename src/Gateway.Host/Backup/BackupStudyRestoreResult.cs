namespace Gateway.Host.Backup;

/// <summary>What a study restore put back into the running archive.</summary>
/// <remarks>
/// An instance that fails its check stops the restore (fail closed: the operation reports <see cref="BackupOperationStatus.Failed"/>);
/// instances stored before it stay, and running the restore again counts them as already present.
/// </remarks>
public sealed record BackupStudyRestoreResult
{
    /// <summary>The Study Instance UID.</summary>
    public required string StudyInstanceUid { get; init; }

    /// <summary>The snapshot it came from.</summary>
    public required string SnapshotId { get; init; }

    /// <summary>Instances of the study in the snapshot, each read through the verifying reader.</summary>
    public required int Instances { get; init; }

    /// <summary>Stored into the archive anew (missing or purged there).</summary>
    public required int Restored { get; init; }

    /// <summary>Already in the archive with the same bytes.</summary>
    public required int AlreadyPresent { get; init; }

    /// <summary>In the archive with other bytes: the snapshot's copy was kept as a conflict copy for an operator.</summary>
    public required int Conflicts { get; init; }

    /// <summary>How long it took.</summary>
    public required TimeSpan Elapsed { get; init; }
}
