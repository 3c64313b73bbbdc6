using System.Globalization;
using Gateway.Archive.Rebuild;
using Gateway.Archive.Verification;
using Gateway.Audit.Records;
using Gateway.Backup.Manifest;

namespace Gateway.Backup;

/// <summary>
/// The audit records of backups (PS3.15 A.5.3 vocabulary): a snapshot is an Export of the archive to backup media, a
/// restore an Import, a drill an Application Activity, and a damaged archive or a changed object a Security Alert.
/// </summary>
/// <remarks>
/// Only ids, hashes, counts, object names and paths: no PHI. When a person asked for the operation (<c>requestedBy</c>, for
/// example an administrator in the console), that person is the requesting active participant and the process that did
/// the work (<c>sourceId</c>) a participant that is not the requestor; without one, the process is the requestor.
/// </remarks>
public static class BackupAuditRecords
{
    /// <summary>The event type of a snapshot.</summary>
    public static AuditCode SnapshotType { get; } = new("backup-snapshot", AuditCodes.Gateway, "Backup Snapshot");

    /// <summary>The event type of a restore.</summary>
    public static AuditCode RestoreType { get; } = new("backup-restore", AuditCodes.Gateway, "Backup Restore");

    /// <summary>The event type of a drill.</summary>
    public static AuditCode DrillType { get; } = new("backup-drill", AuditCodes.Gateway, "Restore Drill");

    /// <summary>The event type of an archive object that failed verification or changed after it was written.</summary>
    public static AuditCode DamagedObjectType { get; } = new("archive-object-damaged", AuditCodes.Gateway, "Archive Object Damaged");

    /// <summary>The event type of a verification scan of the archive's objects.</summary>
    public static AuditCode VerifyType { get; } = new("archive-verify", AuditCodes.Gateway, "Archive Verification");

    /// <summary>The event type of an index rebuild from the archive's objects.</summary>
    public static AuditCode RebuildIndexType { get; } = new("archive-rebuild-index", AuditCodes.Gateway, "Archive Index Rebuild");

    /// <summary>The id type of a snapshot participant object.</summary>
    public static AuditCode SnapshotIdType { get; } = new("backup-snapshot-id", AuditCodes.Gateway, "Backup Snapshot ID");

    /// <summary>Snapshots deleted from the repository past their retention date, and what that freed.</summary>
    public static AuditCode PruneType { get; } = new("backup-prune", AuditCodes.Gateway, "Backup Prune");

    /// <summary>A prune that deleted snapshots: each one by id, the blobs and bytes freed.</summary>
    public static AuditRecord Pruned(string sourceId, string repository, PruneResult pruned, DateTimeOffset time, string? requestedBy = null)
    {
        ArgumentNullException.ThrowIfNull(pruned);
        return new AuditRecord
        {
            EventId = AuditEventId.ApplicationActivity,
            Action = AuditEventAction.Delete,
            EventTime = time,
            Outcome = AuditEventOutcome.Success,
            OutcomeDescription = string.Create(CultureInfo.InvariantCulture,
                $"{pruned.DeletedSnapshots.Count} snapshot(s) past retention deleted; {pruned.DeletedBlobs} blob(s), {pruned.FreedBytes} bytes freed"),
            EventTypeCodes = [PruneType],
            ActiveParticipants = Participants(sourceId, requestedBy, repository, AuditCodes.DestinationMediaRole),
            Source = new AuditSource { SourceId = sourceId },
            ParticipantObjects = [.. pruned.DeletedSnapshots.Select(id => new AuditParticipantObject { ObjectId = id, IdTypeCode = SnapshotIdType, TypeCode = 2 })],
        };
    }

    /// <summary>
    /// An attempt to delete a snapshot before its retention date, refused: a Security Alert, because shortening the
    /// backups' life is what ransomware operators try first.
    /// </summary>
    public static AuditRecord PruneRefused(string sourceId, string repository, string snapshotId, string problem, DateTimeOffset time, string? requestedBy = null) => new()
    {
        EventId = AuditEventId.SecurityAlert,
        Action = AuditEventAction.Execute,
        EventTime = time,
        Outcome = AuditEventOutcome.MinorFailure,
        OutcomeDescription = problem.Length <= AuditRecordLimits.MaxStringLength ? problem : problem[..AuditRecordLimits.MaxStringLength],
        EventTypeCodes = [AuditCodes.UseOfRestrictedFunction, PruneType],
        ActiveParticipants = Participants(sourceId, requestedBy, repository, AuditCodes.DestinationMediaRole),
        Source = new AuditSource { SourceId = sourceId },
        ParticipantObjects = [new AuditParticipantObject { ObjectId = snapshotId, IdTypeCode = SnapshotIdType, TypeCode = 2 }],
    };

    /// <summary>A snapshot taken: its id, Merkle root, size and retention, and the repository it went to.</summary>
    public static AuditRecord Snapshot(string sourceId, SnapshotManifest manifest, string repository, DateTimeOffset time, string? requestedBy = null) => new()
    {
        EventId = AuditEventId.Export,
        Action = AuditEventAction.Read,
        EventTime = time,
        Outcome = AuditEventOutcome.Success,
        EventTypeCodes = [SnapshotType],
        ActiveParticipants = Participants(sourceId, requestedBy, repository, AuditCodes.DestinationMediaRole),
        Source = new AuditSource { SourceId = sourceId },
        ParticipantObjects = [SnapshotObject(manifest)],
    };

    /// <summary>A restore (or a drill's restore): which snapshot, where to, and how it ended.</summary>
    public static AuditRecord Restore(string sourceId, SnapshotManifest manifest, string target, bool success, string? problem, DateTimeOffset time, string? requestedBy = null) => new()
    {
        EventId = AuditEventId.Import,
        Action = AuditEventAction.Create,
        EventTime = time,
        Outcome = success ? AuditEventOutcome.Success : AuditEventOutcome.SeriousFailure,
        OutcomeDescription = problem,
        EventTypeCodes = [RestoreType],
        ActiveParticipants = Participants(sourceId, requestedBy, target, AuditCodes.SourceMediaRole),
        Source = new AuditSource { SourceId = sourceId },
        ParticipantObjects = [SnapshotObject(manifest)],
    };

    /// <summary>A drill: the snapshot, the measured RTO and RPO, and pass or fail.</summary>
    public static AuditRecord Drill(string sourceId, SnapshotManifest manifest, string reportId, bool passed, TimeSpan rto, TimeSpan rpo, DateTimeOffset time, string? requestedBy = null) => new()
    {
        EventId = AuditEventId.ApplicationActivity,
        Action = AuditEventAction.Execute,
        EventTime = time,
        Outcome = passed ? AuditEventOutcome.Success : AuditEventOutcome.SeriousFailure,
        OutcomeDescription = string.Create(CultureInfo.InvariantCulture, $"drill {reportId} {(passed ? "passed" : "failed")}: RTO {rto.TotalSeconds:0.0} s, RPO {rpo.TotalSeconds:0} s"),
        EventTypeCodes = [DrillType],
        ActiveParticipants = Participants(sourceId, requestedBy),
        Source = new AuditSource { SourceId = sourceId },
        ParticipantObjects = [SnapshotObject(manifest)],
    };

    /// <summary>A Security Alert for archive objects that failed verification (for example encrypted by ransomware).</summary>
    public static AuditRecord DamagedObjects(string sourceId, string archive, IReadOnlyList<string> objectNames, long total, string what, DateTimeOffset time, string? requestedBy = null) => new()
    {
        EventId = AuditEventId.SecurityAlert,
        Action = AuditEventAction.Execute,
        EventTime = time,
        Outcome = AuditEventOutcome.SeriousFailure,
        OutcomeDescription = string.Create(CultureInfo.InvariantCulture, $"{total} archive object(s) {what}"),
        EventTypeCodes = [DamagedObjectType],
        ActiveParticipants = Participants(sourceId, requestedBy),
        Source = new AuditSource { SourceId = sourceId },
        ParticipantObjects = [ArchiveObject(archive, [.. objectNames.Take(AuditRecordLimits.MaxListLength - 1).Select(n => new AuditObjectDetail("object", n))])],
    };

    /// <summary>A Security Alert for the failures of an <c>archive verify</c> scan.</summary>
    public static AuditRecord DamagedObjects(string sourceId, string archive, ArchiveVerificationReport report, DateTimeOffset time, string? requestedBy = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        return DamagedObjects(sourceId, archive, [.. report.Problems.Select(p => p.ObjectName)], report.Problems.Count, "failed verification (hash or GCM tag)", time, requestedBy);
    }

    /// <summary>A verification scan of the archive's objects: what it read and how many failed (those get their own Security Alert).</summary>
    public static AuditRecord Verification(string sourceId, string archive, ArchiveVerificationReport report, DateTimeOffset time, string? requestedBy = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new AuditRecord
        {
            EventId = AuditEventId.ApplicationActivity,
            Action = AuditEventAction.Execute,
            EventTime = time,
            Outcome = report.IsValid ? AuditEventOutcome.Success : AuditEventOutcome.SeriousFailure,
            OutcomeDescription = string.Create(CultureInfo.InvariantCulture,
                $"{report.ObjectsChecked} object(s), {report.BytesChecked} bytes verified: {report.Problems.Count} damaged, {report.UnknownFiles.Count} unknown file(s)"),
            EventTypeCodes = [VerifyType],
            ActiveParticipants = Participants(sourceId, requestedBy),
            Source = new AuditSource { SourceId = sourceId },
            ParticipantObjects = [ArchiveObject(archive, [])],
        };
    }

    /// <summary>
    /// An index rebuilt from the archive's objects: what it read, indexed and could not index (those also get a Security
    /// Alert of their own, <see cref="DamagedObjects(string, string, IReadOnlyList{string}, long, string, DateTimeOffset, string?)"/>).
    /// </summary>
    public static AuditRecord IndexRebuilt(string sourceId, string archive, IndexRebuildReport report, DateTimeOffset time, string? requestedBy = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new AuditRecord
        {
            EventId = AuditEventId.ApplicationActivity,
            Action = AuditEventAction.Execute,
            EventTime = time,
            Outcome = report.FailedObjects == 0 ? AuditEventOutcome.Success : AuditEventOutcome.MinorFailure,
            OutcomeDescription = string.Create(CultureInfo.InvariantCulture,
                $"index rebuilt from {report.ObjectsScanned} object(s), {report.Bytes} bytes: {report.InstancesIndexed} instance(s), {report.Conflicts} conflict copy(ies), {report.FailedObjects} not indexed, {report.Requeued} outbox item(s) queued"),
            EventTypeCodes = [RebuildIndexType],
            ActiveParticipants = Participants(sourceId, requestedBy),
            Source = new AuditSource { SourceId = sourceId },
            ParticipantObjects = [ArchiveObject(archive, [])],
        };
    }

    /// <summary>
    /// A backup operation (<paramref name="eventType"/>: <see cref="SnapshotType"/>, <see cref="DrillType"/>,
    /// <see cref="RestoreType"/> or <see cref="VerifyType"/>) that failed before it produced its own record.
    /// </summary>
    /// <param name="sourceId">The process that tried.</param>
    /// <param name="eventType">Which operation.</param>
    /// <param name="problem">Why it failed (no PHI: ids, paths, counts).</param>
    /// <param name="time">When it failed.</param>
    /// <param name="requestedBy">The person who asked for it, if any.</param>
    public static AuditRecord Failed(string sourceId, AuditCode eventType, string problem, DateTimeOffset time, string? requestedBy = null)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        return new AuditRecord
        {
            EventId = eventType == SnapshotType ? AuditEventId.Export : eventType == RestoreType ? AuditEventId.Import : AuditEventId.ApplicationActivity,
            Action = eventType == SnapshotType ? AuditEventAction.Read : eventType == RestoreType ? AuditEventAction.Create : AuditEventAction.Execute,
            EventTime = time,
            Outcome = AuditEventOutcome.SeriousFailure,
            OutcomeDescription = problem.Length <= AuditRecordLimits.MaxStringLength ? problem : problem[..AuditRecordLimits.MaxStringLength],
            EventTypeCodes = [eventType],
            ActiveParticipants = Participants(sourceId, requestedBy),
            Source = new AuditSource { SourceId = sourceId },
        };
    }

    private static AuditActiveParticipant[] Participants(string sourceId, string? requestedBy) =>
        requestedBy is null
            ? [new AuditActiveParticipant { UserId = sourceId, UserIsRequestor = true, RoleIdCodes = [AuditCodes.ApplicationRole] }]
            :
            [
                new AuditActiveParticipant { UserId = requestedBy, UserIsRequestor = true, RoleIdCodes = [AuditCodes.ApplicationLauncherRole] },
                new AuditActiveParticipant { UserId = sourceId, UserIsRequestor = false, RoleIdCodes = [AuditCodes.ApplicationRole] },
            ];

    private static AuditActiveParticipant[] Participants(string sourceId, string? requestedBy, string media, AuditCode mediaRole) =>
        [.. Participants(sourceId, requestedBy), new AuditActiveParticipant { UserId = media, UserIsRequestor = false, RoleIdCodes = [mediaRole] }];

    private static AuditParticipantObject ArchiveObject(string archive, IReadOnlyList<AuditObjectDetail> details) => new()
    {
        ObjectId = archive,
        IdTypeCode = AuditCodes.Uri,
        TypeCode = 2,
        Name = "Encrypted archive",
        Details = details,
    };

    private static AuditParticipantObject SnapshotObject(SnapshotManifest manifest) => new()
    {
        ObjectId = manifest.Id,
        IdTypeCode = SnapshotIdType,
        TypeCode = 2,
        Details =
        [
            new AuditObjectDetail("merkle-root", manifest.MerkleRoot),
            new AuditObjectDetail("files", manifest.Files.Count.ToString(CultureInfo.InvariantCulture)),
            new AuditObjectDetail("bytes", manifest.TotalBytes.ToString(CultureInfo.InvariantCulture)),
            new AuditObjectDetail("retain-until", ManifestSerializer.Time(manifest.RetainUntil)),
        ],
    };
}
