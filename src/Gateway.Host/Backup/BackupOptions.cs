using Gateway.Backup;

namespace Gateway.Host.Backup;

/// <summary>
/// Backups inside the running gateway (section <c>Gateway:Backup</c>): the repository snapshots go to, the schedule of
/// snapshots and restore drills, how long a snapshot is kept, and what a drill is measured against. Without
/// <see cref="Repository"/> backups are off (the default). Checked at start by <see cref="BackupOptionsValidation"/>.
/// </summary>
public sealed class BackupOptions
{
    /// <summary>
    /// The backup repository directory (absolute, or relative to the working directory); none: backups are off. It must
    /// not be inside the data directory (nor the data directory inside it): a backup that lives with what it backs up is
    /// lost with it, and it would eat the free space the archive needs.
    /// </summary>
    public string? Repository { get; set; }

    /// <summary>Time between two scheduled snapshots (the first one interval after start); none or zero: no schedule.</summary>
    public TimeSpan? SnapshotInterval { get; set; }

    /// <summary>How long each snapshot is kept at least (written into its signed manifest); 1 to 36500 days, default 30.</summary>
    public TimeSpan Retention { get; set; } = SnapshotOptions.DefaultRetention;

    /// <summary>Time between two scheduled restore drills of the latest snapshot; none or zero: no schedule.</summary>
    public TimeSpan? DrillInterval { get; set; }

    /// <summary>How many studies a drill queries and retrieves from the restored copy (1 to 1000, default 5).</summary>
    public int DrillSampleStudies { get; set; } = 5;

    /// <summary>The recovery time objective a drill is measured against: restore start until the copy serves. Default 1 hour.</summary>
    public TimeSpan RtoTarget { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The recovery point objective a drill is measured against: the age of the snapshot it restores. Default 24 hours;
    /// keep it above <see cref="SnapshotInterval"/>, or a drill just before the next snapshot fails.
    /// </summary>
    public TimeSpan RpoTarget { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// The escrowed archive keys a drill restores with (<c>kek-N.key</c>, <c>index.key</c>); none: the running archive's own
    /// keys (its key directory, else <c>GATEWAY_ARCHIVE_KEK</c> and <c>GATEWAY_ARCHIVE_INDEX_KEY</c>). Point it at the
    /// escrow copy to prove that the escrow, not only the live host, can restore.
    /// </summary>
    public string? KeyDirectory { get; set; }

    /// <summary>
    /// The escrowed backup public key (<c>signing.pub</c>) snapshots and drill reports are checked against; none: the data
    /// directory's <c>backup/signing.pub</c>, else the one key stored in the repository (not pinned).
    /// </summary>
    public string? PublicKey { get; set; }

    /// <summary>
    /// Where drills and study restores stage their copies (a fresh subdirectory each, removed afterwards; a drill needs
    /// room for a whole snapshot); none: the system's temporary directory. Not inside the data directory or the repository.
    /// </summary>
    public string? ScratchDirectory { get; set; }
}
