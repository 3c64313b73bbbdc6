using Microsoft.Extensions.Logging;

namespace Gateway.Archive;

/// <summary>Operational log messages of the archive (never PHI: UIDs, AE titles, counts, sizes, object names and paths only).</summary>
internal static partial class ArchiveMessages
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Archive opened at {Directory}: key version {KeyVersion}, outbox depth {Depth}")]
    public static partial void Opened(ILogger logger, string directory, int keyVersion, long depth);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Archive recovery: removed {TempFiles} temporary file(s) and {Orphans} unindexed object file(s), released {Leases} outbox lease(s), retired {RetiredKeys} unused key file(s)")]
    public static partial void Reconciled(ILogger logger, int tempFiles, int orphans, int leases, int retiredKeys);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Error, Message = "Archive object {ObjectName} of instance {SopInstanceUid} is missing")]
    public static partial void MissingObject(ILogger logger, string objectName, string sopInstanceUid);

    [LoggerMessage(EventId = 6018, Level = LogLevel.Information, Message = "Archive object {ObjectName} was committed before a crash took its rename: renamed now")]
    public static partial void RolledForward(ILogger logger, string objectName);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Debug, Message = "Archived {SopInstanceUid} from {CallingAE}: {Outcome}, {Bytes} bytes, queued for {Queued} destination(s)")]
    public static partial void Stored(ILogger logger, string sopInstanceUid, string callingAE, ArchiveStoreOutcome outcome, long bytes, int queued);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Warning, Message = "Instance {SopInstanceUid} from {CallingAE} differs from the archived one with the same UID: kept as conflict {InstanceId}, not forwarded")]
    public static partial void Conflict(ILogger logger, string sopInstanceUid, string callingAE, long instanceId);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Warning, Message = "Archive refused {SopInstanceUid} from {CallingAE}: {Reason}")]
    public static partial void Refused(ILogger logger, string sopInstanceUid, string callingAE, string reason);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Warning, Message = "Study {StudyInstanceUid} received with patient identifiers that differ from those already indexed (first kept)")]
    public static partial void PatientIdentityDiffers(ILogger logger, string studyInstanceUid);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Warning, Message = "Series {SeriesInstanceUid} is indexed under another study than {StudyInstanceUid} (first kept)")]
    public static partial void SeriesInOtherStudy(ILogger logger, string seriesInstanceUid, string studyInstanceUid);

    [LoggerMessage(EventId = 6009, Level = LogLevel.Information, Message = "Archive key rotation: re-wrapping data keys under key version {Version}")]
    public static partial void RotationStarted(ILogger logger, int version);

    [LoggerMessage(EventId = 6010, Level = LogLevel.Information, Message = "Archive key rotation done: {Count} data key(s) re-wrapped under version {Version}; key file(s) of version(s) {Retired} removed")]
    public static partial void Rotated(ILogger logger, int version, long count, string retired);

    [LoggerMessage(EventId = 6011, Level = LogLevel.Information, Message = "Archive retention: purged {Objects} object(s) ({Bytes} bytes), forgot {Forgotten} instance(s) and {OutboxRows} outbox row(s) of history")]
    public static partial void Purged(ILogger logger, int objects, long bytes, int forgotten, int outboxRows);

    [LoggerMessage(EventId = 6012, Level = LogLevel.Warning, Message = "Outbox item {Id} for {Destination} dead-lettered after {Attempts} attempt(s)")]
    public static partial void DeadLettered(ILogger logger, long id, string destination, int attempts);

    [LoggerMessage(EventId = 6013, Level = LogLevel.Critical, Message = "Archive key version {Version} is not available, yet {Rows} data key(s) are wrapped under it: those objects cannot be read")]
    public static partial void MissingKeyVersion(ILogger logger, int version, long rows);

    [LoggerMessage(EventId = 6014, Level = LogLevel.Warning, Message = "Archiving {SopInstanceUid} failed after its object was written; {ObjectName} is left for recovery at the next open")]
    public static partial void CommitFailed(ILogger logger, string sopInstanceUid, string objectName);

    [LoggerMessage(EventId = 6015, Level = LogLevel.Information, Message = "Created archive key file {Path}")]
    public static partial void KeyCreated(ILogger logger, string path);

    [LoggerMessage(EventId = 6016, Level = LogLevel.Warning, Message = "Archive recovery: left unknown file {Path} alone")]
    public static partial void UnknownFile(ILogger logger, string path);

    [LoggerMessage(EventId = 6017, Level = LogLevel.Warning, Message = "Outbox: {Count} item(s) dead-lettered by age")]
    public static partial void DeadLetteredByAge(ILogger logger, int count);

    [LoggerMessage(EventId = 6019, Level = LogLevel.Warning, Message = "Index rebuild: {Name} not indexed: {Reason}")]
    public static partial void RebuildSkipped(ILogger logger, string name, string reason);

    [LoggerMessage(EventId = 6020, Level = LogLevel.Information, Message = "Archive index rebuilt from {Objects} object(s): {Indexed} instance(s), {Conflicts} conflict copy(ies), {Failed} object(s) not indexed")]
    public static partial void IndexRebuilt(ILogger logger, long objects, long indexed, long conflicts, long failed);
}
