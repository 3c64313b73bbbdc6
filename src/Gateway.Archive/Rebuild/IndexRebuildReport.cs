namespace Gateway.Archive.Rebuild;

/// <summary>What an index rebuild found and wrote.</summary>
public sealed record IndexRebuildReport
{
    /// <summary>Object files read (every <c>archive/objects/xx/*.obj</c>).</summary>
    public required long ObjectsScanned { get; init; }

    /// <summary>Instances indexed as the instance of their SOP Instance UID (the earliest object of each UID).</summary>
    public required long InstancesIndexed { get; init; }

    /// <summary>Objects indexed as conflict copies: the same SOP Instance UID as an earlier object, other bytes.</summary>
    public required long Conflicts { get; init; }

    /// <summary>Objects not indexed because an earlier object holds the same UID and the same bytes (removed at the next open).</summary>
    public required long Duplicates { get; init; }

    /// <summary>Objects whose data key came from the rewrap journal (their header's key version is retired).</summary>
    public required long KeysFromJournal { get; init; }

    /// <summary>Outbox items queued (<see cref="IndexRebuildOptions.RequeueDestinations"/>).</summary>
    public required long Requeued { get; init; }

    /// <summary>Object file bytes read.</summary>
    public required long Bytes { get; init; }

    /// <summary>Objects not indexed: a GCM tag failed, the key could not be unwrapped, the header or the data set is malformed.</summary>
    public required long FailedObjects { get; init; }

    /// <summary>The first <see cref="ArchiveAdmin.MaxListedRebuildFailures"/> of <see cref="FailedObjects"/>, in scan order.</summary>
    public required IReadOnlyList<IndexRebuildFailure> Failures { get; init; }

    /// <summary>How long the rebuild took (up to the new index being durable, before it was put in place).</summary>
    public required TimeSpan Elapsed { get; init; }
}
