using Microsoft.Extensions.Logging;

namespace Gateway.Audit;

/// <summary>Operational log messages of the audit log (never PHI: indexes, sizes, paths only).</summary>
internal static partial class AuditLogMessages
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Audit log opened at {Directory}: {Size} records, latest checkpoint at {CheckpointSize}, {RecordsRead} records read")]
    public static partial void Opened(ILogger logger, string directory, long size, long checkpointSize, long recordsRead);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Audit log recovery: cut a torn tail of {Bytes} bytes from {Segment} (record {Index} was never acknowledged)")]
    public static partial void TruncatedTail(ILogger logger, long bytes, string segment, long index);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Audit log recovery: cut an incomplete checkpoint of {Bytes} bytes")]
    public static partial void TruncatedCheckpoint(ILogger logger, long bytes);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Critical, Message = "Audit log write failed; appends are refused until the log is reopened")]
    public static partial void WriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Debug, Message = "Audit checkpoint signed at size {Size}")]
    public static partial void CheckpointSigned(ILogger logger, long size);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "Audit log started segment {Segment}")]
    public static partial void SegmentStarted(ILogger logger, string segment);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "Audit log recovery: removed {Segment}, an empty segment with a torn header")]
    public static partial void RemovedTornSegment(ILogger logger, string segment);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Warning, Message = "Audit log: {Problem}")]
    public static partial void FrontierRejected(ILogger logger, string problem);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Warning, Message = "Audit log could not save its frontier (opening will read more records)")]
    public static partial void FrontierNotSaved(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Warning, Message = "Audit log could not cut the zeros written ahead at the end of its segment on close (the next open reads them as the end of the records)")]
    public static partial void PreallocationNotCut(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Information, Message = "Audit data key rotated: new records are encrypted with key {KeyId:x8} (was {PreviousKeyId:x8})")]
    public static partial void DataKeyRotated(ILogger logger, uint previousKeyId, uint keyId);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Audit forwarding to {Target} failed, will retry from record {Index}: {Reason}")]
    public static partial void ForwardFailed(ILogger logger, string target, long index, string reason);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Debug, Message = "Audit forwarding delivered records up to {Index} to {Target}")]
    public static partial void ForwardDelivered(ILogger logger, long index, string target);
}
