namespace Gateway.Backup;

/// <summary>What a study restore put back: each instance stored anew, already present (same bytes), or kept as a conflict copy.</summary>
/// <param name="Instances">Instances of the study in the snapshot.</param>
/// <param name="Stored">Stored anew, or an instance whose object the archive no longer held (purged, lost) archived again under its old row.</param>
/// <param name="Duplicates">Already in the archive with the same bytes.</param>
/// <param name="Conflicts">In the archive with other bytes: the snapshot's copy was kept as a conflict copy.</param>
public sealed record StudyRestoreResult(int Instances, int Stored, int Duplicates, int Conflicts);
