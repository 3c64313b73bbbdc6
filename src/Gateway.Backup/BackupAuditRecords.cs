using System.Globalization;
using Gateway.Archive.Verification;
using Gateway.Audit.Records;
using Gateway.Backup.Manifest;

namespace Gateway.Backup;

/// <summary>
/// The audit records of backups (PS3.15 A.5.3 vocabulary): a snapshot is an Export of the archive to backup media, a
/// restore an Import, a drill an Application Activity, and a damaged archive or a changed object a Security Alert.
/// </summary>
/// <remarks>Only ids, hashes, counts, object names and paths: no PHI.</remarks>
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

    /// <summary>The id type of a snapshot participant object.</summary>
    public static AuditCode SnapshotIdType { get; } = new("backup-snapshot-id", AuditCodes.Gateway, "Backup Snapshot ID");

    /// <summary>A snapshot taken: its id, Merkle root, size and retention, and the repository it went to.</summary>
    public static AuditRecord Snapshot(string sourceId, SnapshotManifest manifest, string repository, DateTimeOffset time) => new()
    {
        EventId = AuditEventId.Export,
        Action = AuditEventAction.Read,
        EventTime = time,
        Outcome = AuditEventOutcome.Success,
        EventTypeCodes = [SnapshotType],
        ActiveParticipants = Participants(sourceId, repository, AuditCodes.DestinationMediaRole),
        Source = new AuditSource { SourceId = sourceId },
        ParticipantObjects = [SnapshotObject(manifest)],
    };

    /// <summary>A restore (or a drill's restore): which snapshot, where to, and how it ended.</summary>
    public static AuditRecord Restore(string sourceId, SnapshotManifest manifest, string target, bool success, string? problem, DateTimeOffset time) => new()
    {
        EventId = AuditEventId.Import,
        Action = AuditEventAction.Create,
        EventTime = time,
        Outcome = success ? AuditEventOutcome.Success : AuditEventOutcome.SeriousFailure,
        OutcomeDescription = problem,
        EventTypeCodes = [RestoreType],
        ActiveParticipants = Participants(sourceId, target, AuditCodes.SourceMediaRole),
        Source = new AuditSource { SourceId = sourceId },
        ParticipantObjects = [SnapshotObject(manifest)],
    };

    /// <summary>A drill: the snapshot, the measured RTO and RPO, and pass or fail.</summary>
    public static AuditRecord Drill(string sourceId, SnapshotManifest manifest, string reportId, bool passed, TimeSpan rto, TimeSpan rpo, DateTimeOffset time) => new()
    {
        EventId = AuditEventId.ApplicationActivity,
        Action = AuditEventAction.Execute,
        EventTime = time,
        Outcome = passed ? AuditEventOutcome.Success : AuditEventOutcome.SeriousFailure,
        OutcomeDescription = string.Create(CultureInfo.InvariantCulture, $"drill {reportId} {(passed ? "passed" : "failed")}: RTO {rto.TotalSeconds:0.0} s, RPO {rpo.TotalSeconds:0} s"),
        EventTypeCodes = [DrillType],
        ActiveParticipants = [new AuditActiveParticipant { UserId = sourceId, UserIsRequestor = true, RoleIdCodes = [AuditCodes.ApplicationRole] }],
        Source = new AuditSource { SourceId = sourceId },
        ParticipantObjects = [SnapshotObject(manifest)],
    };

    /// <summary>A Security Alert for archive objects that failed verification (for example encrypted by ransomware).</summary>
    public static AuditRecord DamagedObjects(string sourceId, string archive, IReadOnlyList<string> objectNames, long total, string what, DateTimeOffset time) => new()
    {
        EventId = AuditEventId.SecurityAlert,
        Action = AuditEventAction.Execute,
        EventTime = time,
        Outcome = AuditEventOutcome.SeriousFailure,
        OutcomeDescription = string.Create(CultureInfo.InvariantCulture, $"{total} archive object(s) {what}"),
        EventTypeCodes = [DamagedObjectType],
        ActiveParticipants = [new AuditActiveParticipant { UserId = sourceId, UserIsRequestor = true, RoleIdCodes = [AuditCodes.ApplicationRole] }],
        Source = new AuditSource { SourceId = sourceId },
        ParticipantObjects =
        [
            new AuditParticipantObject
            {
                ObjectId = archive,
                IdTypeCode = AuditCodes.Uri,
                TypeCode = 2,
                Name = "Encrypted archive",
                Details = [.. objectNames.Take(AuditRecordLimits.MaxListLength - 1).Select(n => new AuditObjectDetail("object", n))],
            },
        ],
    };

    /// <summary>A Security Alert for the failures of an <c>archive verify</c> scan.</summary>
    public static AuditRecord DamagedObjects(string sourceId, string archive, ArchiveVerificationReport report, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(report);
        return DamagedObjects(sourceId, archive, [.. report.Problems.Select(p => p.ObjectName)], report.Problems.Count, "failed verification (hash or GCM tag)", time);
    }

    private static AuditActiveParticipant[] Participants(string sourceId, string media, AuditCode mediaRole) =>
    [
        new AuditActiveParticipant { UserId = sourceId, UserIsRequestor = true, RoleIdCodes = [AuditCodes.ApplicationRole] },
        new AuditActiveParticipant { UserId = media, UserIsRequestor = false, RoleIdCodes = [mediaRole] },
    ];

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
