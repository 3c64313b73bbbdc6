namespace Gateway.Audit;

/// <summary>Where the audit log lives, its keys, and when it signs checkpoints.</summary>
public sealed record AuditLogOptions
{
    /// <summary>The gateway's default audit directory.</summary>
    public const string DefaultDirectory = "/var/lib/gateway/audit";

    /// <summary>The audit log directory (created 0700 when missing). Default <see cref="DefaultDirectory"/>.</summary>
    public string Directory { get; init; } = DefaultDirectory;

    /// <summary>The log's name: first line of every checkpoint, and the signing key's name. Default <c>gateway.local/audit</c>.</summary>
    public string Origin { get; init; } = "gateway.local/audit";

    /// <summary>The Ed25519 signing key file; default <c>DIR/keys/signing.key</c>. Created (0600) on first open.</summary>
    public string? SigningKeyFile { get; init; }

    /// <summary>
    /// The data key file; default <c>DIR/keys/data.key</c>. Created (0600) on first open. Production should keep it on
    /// another volume than the log, so that a copy of the log alone reveals nothing.
    /// </summary>
    public string? DataKeyFile { get; init; }

    /// <summary>The data key itself, when the caller keeps it elsewhere (takes precedence over <see cref="DataKeyFile"/>).</summary>
    public Storage.AuditDataKey? DataKey { get; init; }

    /// <summary>Sign a checkpoint after this many new records. Default 1000.</summary>
    public int CheckpointEveryRecords { get; init; } = 1000;

    /// <summary>Sign a checkpoint when records have waited this long without one. Default 10 s.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Start a new segment file past this size. Default 64 MiB.</summary>
    public long SegmentMaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Zeros written ahead of the appends in the segment being filled, so that most fdatasyncs flush records into space the
    /// file already has, with no new file size to journal (on ext4 on this project's test machine: 0.32 ms instead of 0.58 ms per
    /// sync). Default 1 MiB; 0 appends at the end of the file. An orderly close cuts them; after a crash, opening the log
    /// reads them as the end of the records. Each time the zeros run out, one batch's sync also flushes the next ones
    /// (about 3 ms per MiB there).
    /// </summary>
    public int SegmentPreallocationBytes { get; init; } = 1 << 20;

    /// <summary>Most records committed by one write and fsync. Default 4096.</summary>
    public int MaxBatchRecords { get; init; } = 4096;

    /// <summary>
    /// Most fdatasyncs in flight at once. Default 1. With more, a batch written while another is being synced starts its
    /// own sync instead of waiting for that one to finish. Measured on ext4 on a virtual disk with the zeros written ahead
    /// (bench/audit-bench.sh, 2026-11-28), overlapping syncs only queued behind each other: 16 writers reached 20,063 and
    /// 21,251 appends/s with 1 and 15,342 and 14,208 with 4, and one writer 2,284 and 2,326/s against 1,911 and 1,788/s.
    /// A device that completes flushes in parallel may do better with 2 to 4.
    /// </summary>
    public int MaxConcurrentSyncs { get; init; } = 1;

    /// <summary>Most records queued and not yet durable before appends wait. Default 65536.</summary>
    public int MaxQueuedRecords { get; init; } = 65536;

    /// <summary>Create the directory and keys when missing. Default true; false opens only an existing log.</summary>
    public bool CreateIfMissing { get; init; } = true;
}
