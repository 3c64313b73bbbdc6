namespace Gateway.Archive;

/// <summary>What a retention pass removed.</summary>
public sealed record ArchivePurgeResult
{
    /// <summary>Objects removed (their index rows stay as history, without data key).</summary>
    public required int ObjectsPurged { get; init; }

    /// <summary>Bytes of object files removed.</summary>
    public required long BytesFreed { get; init; }

    /// <summary>Purged instances whose history passed <see cref="ArchiveOptions.HistoryRetention"/>, removed from the index.</summary>
    public required int InstancesForgotten { get; init; }

    /// <summary>Delivered outbox rows removed with them.</summary>
    public required int OutboxRowsRemoved { get; init; }
}
