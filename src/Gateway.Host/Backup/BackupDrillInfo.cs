using Gateway.Backup.Drill;

namespace Gateway.Host.Backup;

/// <summary>One restore drill, from its signed report (no PHI: ids, times, Study Instance UIDs in the checks' names).</summary>
/// <remarks>When <see cref="Problem"/> is set the report could not be read or verified, and only <see cref="Id"/> is meaningful.</remarks>
public sealed record BackupDrillInfo
{
    /// <summary>The drill id.</summary>
    public required string Id { get; init; }

    /// <summary>When it started, UTC.</summary>
    public DateTimeOffset StartedUtc { get; init; }

    /// <summary>The snapshot it restored.</summary>
    public string? SnapshotId { get; init; }

    /// <summary>Achieved recovery time: restore start until the restored copy answered C-ECHO.</summary>
    public TimeSpan Rto { get; init; }

    /// <summary>Achieved recovery point: the snapshot's age when the drill started.</summary>
    public TimeSpan Rpo { get; init; }

    /// <summary>The RTO target it was measured against.</summary>
    public TimeSpan RtoTarget { get; init; }

    /// <summary>The RPO target it was measured against.</summary>
    public TimeSpan RpoTarget { get; init; }

    /// <summary>True when every check passed (restore verified, serving, each sampled study, RTO and RPO within target).</summary>
    public bool Passed { get; init; }

    /// <summary>Studies queried and retrieved from the restored copy.</summary>
    public int StudiesSampled { get; init; }

    /// <summary>Of those, the ones whose C-FIND, C-GET and hashes all matched.</summary>
    public int StudiesOk { get; init; }

    /// <summary>Every check in order, with its figures or the reason it failed.</summary>
    public IReadOnlyList<DrillCheck> Checks { get; init; } = [];

    /// <summary>Why the report could not be read or verified; null when it verified.</summary>
    public string? Problem { get; init; }

    /// <summary>The summary of a verified report.</summary>
    internal static BackupDrillInfo From(DrillReport report) => new()
    {
        Id = report.Id,
        StartedUtc = report.StartedAt.ToUniversalTime(),
        SnapshotId = report.SnapshotId,
        Rto = report.Rto,
        Rpo = report.Rpo,
        RtoTarget = report.RtoTarget,
        RpoTarget = report.RpoTarget,
        Passed = report.Passed,
        StudiesSampled = report.Sample.Count,
        StudiesOk = report.Checks.Count(c => c.Passed && report.Sample.Any(s => c.Name == "study " + s)),
        Checks = report.Checks,
    };
}
