namespace Gateway.Backup.Drill;

/// <summary>What a restore drill did and found; written signed as JSON and Markdown into the repository.</summary>
public sealed record DrillReport
{
    /// <summary>The drill id.</summary>
    public required string Id { get; init; }

    /// <summary>The snapshot restored.</summary>
    public required string SnapshotId { get; init; }

    /// <summary>When the snapshot was taken.</summary>
    public required DateTimeOffset SnapshotCreatedAt { get; init; }

    /// <summary>When the drill started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Achieved recovery time: from the start of the restore until the throw-away gateway answered C-ECHO.</summary>
    public required TimeSpan Rto { get; init; }

    /// <summary>Achieved recovery point: the snapshot's age when the drill started.</summary>
    public required TimeSpan Rpo { get; init; }

    /// <summary>The RTO target.</summary>
    public required TimeSpan RtoTarget { get; init; }

    /// <summary>The RPO target.</summary>
    public required TimeSpan RpoTarget { get; init; }

    /// <summary>The sampled Study Instance UIDs.</summary>
    public required IReadOnlyList<string> Sample { get; init; }

    /// <summary>Every check, in order.</summary>
    public required IReadOnlyList<DrillCheck> Checks { get; init; }

    /// <summary>True when every check passed.</summary>
    public bool Passed => Checks.Count > 0 && Checks.All(c => c.Passed);
}
