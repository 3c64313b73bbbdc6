using Gateway.Audit.Checkpoints;
using Gateway.Audit.Merkle;
using Gateway.Audit.Records;
using Gateway.Audit.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Audit;

/// <summary>
/// The tamper-evident audit log: encrypted records appended to segment files, hash-chained, in an RFC 6962 Merkle tree,
/// with signed checkpoints. One writer per directory (a lock file enforces it).
/// </summary>
/// <remarks>
/// <para>
/// An append does its own CPU work on the caller's thread: validation, serialization, patient hashes, the one-record key
/// and its cipher. Under a short lock it then takes the next index, encrypts (the index and the chain hash are part of the
/// authenticated data), hashes the leaf and copies the frame into the batch being filled. A single committer thread
/// writes each batch with one write and makes it durable with one fdatasync, and only then completes its appends (group
/// commit). While one batch is being synced the next one fills, so the committer never waits for records to be
/// encrypted and callers never wait for a sync to start.
/// </para>
/// <para>
/// The Merkle tree is kept as its right frontier, so an append costs O(log n); leaf hashes are folded into it only once
/// durable. A failed write or fsync poisons the log: that batch and every later append fail until the log is reopened,
/// which repairs a torn tail.
/// </para>
/// </remarks>
public sealed partial class AuditLog : IAuditLog, IAsyncDisposable
{
    private readonly AuditLogOptions _options;
    private readonly AuditLogPaths _paths;
    private readonly AuditDataKey _dataKey;
    private readonly bool _ownsDataKey;
    private readonly string? _dataKeyFile;
    private readonly NoteSigner _signer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FileStream _lock;
    private readonly CompactRange _tree;
    private readonly FileStream _checkpoints;
    private readonly FileStream _frontierFile;
    private readonly Thread[] _committers;
    private readonly TaskCompletionSource _writerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _capacity;
    private readonly ITimer _checkpointTimer;

    // Guarded by _gate: the sequencer's state (next index, chain head, the batches) and the committer's wake-up flags.
    private readonly object _gate = new();
    private readonly Queue<CommitBatch> _sealed = new();
    private readonly Stack<CommitBatch> _free = new();
    private readonly byte[] _chainHead;
    private CommitBatch _filling = new();
    private long _nextIndex;
    private bool _closing;
    private bool _committerWaiting;
    private bool _checkpointDue;

    // Guarded by _writeLock: the segment being appended to, and how many batches were written.
    private readonly object _writeLock = new();
    private FileStream _segment;
    private long _segmentFirstIndex;
    private long _segmentLength;
    // The segment file's length: past _segmentLength it holds zeros written ahead of the appends (SegmentPreallocationBytes).
    private long _segmentAllocated;
    private bool _segmentHasRecords;
    private long _writtenBatches;

    // Guarded by _completion: batches written and not yet completed (in write order), the tree of durable records.
    private readonly object _completion = new();
    private readonly Queue<CommitBatch> _inFlight = new();
    private long _checkpointPlanned;
    private (long Segment, long Offset, int Length) _lastRecord;
    private byte[] _lastLeafHash;

    // Guarded by _checkpointLock.
    private readonly object _checkpointLock = new();
    private long _checkpointSize;
    private long _checkpointTimestamp;
    private bool _checkpointTimerArmed;
    private long _checkpointsLength;
    private int _frontierSlot;

    private int _runningCommitters;

    private long _size;
    private Checkpoint? _latestCheckpoint;
    private Exception? _failure;
    private int _disposed;
    private long _commits;
    private long _committerIdleTicks;
    private long _committerSyncTicks;

    private AuditLog(OpenState state, AuditLogOptions options, TimeProvider time, ILogger logger)
    {
        _options = options;
        _paths = state.Paths;
        _dataKey = state.DataKey;
        _ownsDataKey = state.OwnsDataKey;
        _dataKeyFile = state.OwnsDataKey ? options.DataKeyFile ?? state.Paths.DataKey : null;
        _signer = state.Signer;
        _time = time;
        _logger = logger;
        _lock = state.Lock;
        _tree = state.Scan.Tree;
        _chainHead = (byte[])state.Scan.LastLeafHash.Clone();
        _lastLeafHash = (byte[])state.Scan.LastLeafHash.Clone();
        _lastRecord = state.Scan.LastRecord;
        RecordsReadAtOpen = state.Scan.RecordsRead;
        _size = _tree.Size;
        _nextIndex = _tree.Size;
        _segment = state.Segment;
        _segmentFirstIndex = state.SegmentFirstIndex;
        _segmentAllocated = state.Segment.Length;
        _segmentLength = state.Scan.LastSegmentPath is null ? _segmentAllocated : state.Scan.LastSegmentEnd;
        _segmentHasRecords = state.SegmentHasRecords;
        _checkpoints = state.Checkpoints;
        _checkpointsLength = state.Checkpoints.Length;
        _frontierFile = state.FrontierFile;
        _frontierSlot = state.FrontierSlot;
        _latestCheckpoint = state.LatestCheckpoint;
        _checkpointSize = state.LatestCheckpoint?.Size ?? 0;
        _checkpointPlanned = _checkpointSize;
        _checkpointTimestamp = time.GetTimestamp();
        Recovery = state.Recovery;
        _capacity = new SemaphoreSlim(options.MaxQueuedRecords, options.MaxQueuedRecords);
        _checkpointTimer = time.CreateTimer(_ => OnCheckpointTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        // fdatasync blocks its thread for the whole disk round trip: committers have their own threads, not pool threads.
        _runningCommitters = options.MaxConcurrentSyncs;
        _committers = new Thread[options.MaxConcurrentSyncs];
        for (int i = 0; i < _committers.Length; i++)
        {
            _committers[i] = new Thread(CommitLoop) { IsBackground = true, Name = "audit-log-committer-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            _committers[i].Start();
        }
    }

    /// <summary>What opening repaired (a torn tail), if anything.</summary>
    public AuditLogRecovery Recovery { get; }

    /// <summary>The number of durable records.</summary>
    public long Size => Volatile.Read(ref _size);

    /// <summary>The latest signed checkpoint, or null before the first.</summary>
    public Checkpoint? LatestCheckpoint => Volatile.Read(ref _latestCheckpoint);

    /// <summary>The verifier key of this log's checkpoints (the public key to hand to auditors).</summary>
    public NoteVerifier Verifier => _signer.Verifier;

    /// <summary>The directory layout.</summary>
    public AuditLogPaths Paths => _paths;

    /// <summary>The ids of the data keys the log holds, oldest first; the last encrypts new records.</summary>
    public IReadOnlyList<uint> DataKeyIds => _dataKey.KeyIds;

    /// <summary>The data key (exports disclose one-record keys derived from it).</summary>
    internal AuditDataKey DataKey => _dataKey;

    /// <summary>How many write+fsync commits the committer made (group commit shares them among appends).</summary>
    internal long CommitCount => Interlocked.Read(ref _commits);

    /// <summary>Where the committer's time went (for the benchmarks): waiting for records, and in fdatasync.</summary>
    internal (TimeSpan Idle, TimeSpan Syncing) CommitterTimes =>
        (System.Diagnostics.Stopwatch.GetElapsedTime(0, Volatile.Read(ref _committerIdleTicks)), System.Diagnostics.Stopwatch.GetElapsedTime(0, Volatile.Read(ref _committerSyncTicks)));

    /// <summary>How many records opening read (the tail after the saved frontier, or all of them without one).</summary>
    internal long RecordsReadAtOpen { get; }

    /// <summary>Called by a committer just before it syncs the batch with this sequence number (tests delay or fail syncs with it).</summary>
    internal Action<long>? SyncHook { get; set; }

    /// <summary>The clock of this log.</summary>
    internal TimeProvider Time => _time;

    /// <summary>Opens (and on first use creates) the log in <see cref="AuditLogOptions.Directory"/>, repairing a torn tail.</summary>
    /// <exception cref="AuditLogException">The log is locked by another writer, damaged beyond a torn tail, or a key is unusable.</exception>
    public static AuditLog Open(AuditLogOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.CheckpointEveryRecords < 1 || options.MaxBatchRecords < 1 || options.MaxQueuedRecords < 1 || options.MaxConcurrentSyncs is < 1 or > 64
            || options.SegmentMaxBytes < SegmentFormat.HeaderSize || options.CheckpointInterval < TimeSpan.Zero)
        {
            throw new ArgumentException("audit log options out of range", nameof(options));
        }

        logger ??= NullLogger.Instance;
        timeProvider ??= TimeProvider.System;
        OpenState state = OpenFiles(options, logger);
        return new AuditLog(state, options, timeProvider, logger);
    }

    /// <summary>Opens the log on a worker thread (opening reads the log's tail).</summary>
    public static Task<AuditLog> OpenAsync(AuditLogOptions options, TimeProvider? timeProvider = null, ILogger? logger = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Open(options, timeProvider, logger), cancellationToken);

    /// <inheritdoc/>
    public async ValueTask<long> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        AuditRecordValidator.Validate(record);
        ThrowIfUnusable();
        AuditRecord normalized = AuditRecordSerializer.Normalize(record);
        await _capacity.WaitAsync(cancellationToken).ConfigureAwait(false);
        TaskCompletionSource<long> durable;
        try
        {
            durable = Sequence(normalized);
        }
        catch
        {
            _capacity.Release();
            throw;
        }

        return await durable.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Signs a checkpoint over everything durable now (even when nothing changed since the last one) and returns it.</summary>
    public Task<Checkpoint> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        var signed = new TaskCompletionSource<Checkpoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ThrowIfClosedOrFailed();
            _filling.CheckpointRequests.Add(signed);
            WakeCommitter();
        }

        return signed.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Stops accepting appends, commits what is queued, signs a final checkpoint, and releases the directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        lock (_gate)
        {
            _closing = true;
            WakeCommitter();
        }

        try
        {
            await _writerStopped.Task.ConfigureAwait(false);
        }
        finally
        {
            await _checkpointTimer.DisposeAsync().ConfigureAwait(false);
            CutPreallocatedSpace();
            await _segment.DisposeAsync().ConfigureAwait(false);
            await _checkpoints.DisposeAsync().ConfigureAwait(false);
            await _frontierFile.DisposeAsync().ConfigureAwait(false);
            if (_ownsDataKey)
            {
                _dataKey.Dispose();
            }

            _capacity.Dispose();
            await _lock.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw FailedEarlier(failure);
        }
    }

    // Under _gate.
    private void ThrowIfClosedOrFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw FailedEarlier(failure);
        }

        if (_closing)
        {
            throw new AuditLogException("the audit log is closed");
        }
    }

    private static AuditLogException FailedEarlier(Exception failure) =>
        new("the audit log failed earlier and accepts no records until reopened: " + failure.Message, failure);
}
