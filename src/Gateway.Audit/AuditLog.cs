using System.Threading.Channels;
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
/// A single writer thread drains a queue of pending records, writes them with one write and one fsync, and only then
/// completes their tasks (group commit). The Merkle tree is kept as its right frontier, so an append costs O(log n).
/// A failed write or fsync poisons the log: every later append fails until it is reopened, which repairs a torn tail.
/// </remarks>
public sealed partial class AuditLog : IAuditLog, IAsyncDisposable
{
    private readonly AuditLogOptions _options;
    private readonly AuditLogPaths _paths;
    private readonly AuditDataKey _dataKey;
    private readonly bool _ownsDataKey;
    private readonly NoteSigner _signer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FileStream _lock;
    private readonly Channel<PendingAppend> _queue;
    private readonly CompactRange _tree;
    private readonly FileStream _checkpoints;
    private readonly Thread _writer;
    private readonly TaskCompletionSource _writerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FileStream _segment;
    private long _segmentLength;
    private bool _segmentHasRecords;
    private byte[] _lastLeafHash;
    private long _size;
    private long _checkpointSize;
    private long _checkpointTimestamp;
    private Checkpoint? _latestCheckpoint;
    private volatile Exception? _failure;
    private int _disposed;
    private long _commits;

    private AuditLog(OpenState state, AuditLogOptions options, TimeProvider time, ILogger logger)
    {
        _options = options;
        _paths = state.Paths;
        _dataKey = state.DataKey;
        _ownsDataKey = state.OwnsDataKey;
        _signer = state.Signer;
        _time = time;
        _logger = logger;
        _lock = state.Lock;
        _tree = state.Tree;
        _lastLeafHash = state.LastLeafHash;
        _size = state.Tree.Size;
        _segment = state.Segment;
        _segmentLength = state.Segment.Length;
        _segmentHasRecords = state.SegmentHasRecords;
        _checkpoints = state.Checkpoints;
        _latestCheckpoint = state.LatestCheckpoint;
        _checkpointSize = state.LatestCheckpoint?.Size ?? 0;
        _checkpointTimestamp = time.GetTimestamp();
        Recovery = state.Recovery;
        _queue = Channel.CreateBounded<PendingAppend>(new BoundedChannelOptions(options.MaxQueuedRecords)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        // fsync blocks its thread for the whole disk round trip: the writer has its own thread, not a pool thread.
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "audit-log-writer" };
        _writer.Start();
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

    /// <summary>The data key (exports disclose one-record keys derived from it).</summary>
    internal AuditDataKey DataKey => _dataKey;

    /// <summary>How many write+fsync commits the writer made (group commit shares them among appends).</summary>
    internal long CommitCount => Interlocked.Read(ref _commits);

    /// <summary>The clock of this log.</summary>
    internal TimeProvider Time => _time;

    /// <summary>Opens (and on first use creates) the log in <see cref="AuditLogOptions.Directory"/>, repairing a torn tail.</summary>
    /// <exception cref="AuditLogException">The log is locked by another writer, damaged beyond a torn tail, or a key is unusable.</exception>
    public static AuditLog Open(AuditLogOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.CheckpointEveryRecords < 1 || options.MaxBatchRecords < 1 || options.MaxQueuedRecords < 1
            || options.SegmentMaxBytes < SegmentFormat.HeaderSize || options.CheckpointInterval < TimeSpan.Zero)
        {
            throw new ArgumentException("audit log options out of range", nameof(options));
        }

        logger ??= NullLogger.Instance;
        timeProvider ??= TimeProvider.System;
        OpenState state = OpenFiles(options, logger);
        return new AuditLog(state, options, timeProvider, logger);
    }

    /// <summary>Opens the log on a worker thread (opening scans the log).</summary>
    public static Task<AuditLog> OpenAsync(AuditLogOptions options, TimeProvider? timeProvider = null, ILogger? logger = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Open(options, timeProvider, logger), cancellationToken);

    /// <inheritdoc/>
    public async ValueTask<long> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        AuditRecordValidator.Validate(record);
        ThrowIfUnusable();
        AuditRecord normalized = AuditRecordSerializer.Normalize(record);
        byte[] plaintext = AuditRecordSerializer.Serialize(normalized);
        if (plaintext.Length > AuditRecordLimits.MaxSerializedBytes)
        {
            throw new ArgumentException($"invalid audit record: larger than {AuditRecordLimits.MaxSerializedBytes} bytes when encoded", nameof(record));
        }

        var pending = new PendingAppend(normalized, plaintext);
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            throw new AuditLogException("the audit log is closed", ex);
        }

        return await pending.Index.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Signs a checkpoint over everything durable now (even when nothing changed since the last one) and returns it.</summary>
    public async Task<Checkpoint> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        var pending = new PendingAppend(null, []);
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            throw new AuditLogException("the audit log is closed", ex);
        }

        return await pending.Checkpoint.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops accepting appends, commits what is queued, signs a final checkpoint, and releases the directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _writerStopped.Task.ConfigureAwait(false);
        await _segment.DisposeAsync().ConfigureAwait(false);
        await _checkpoints.DisposeAsync().ConfigureAwait(false);
        if (_ownsDataKey)
        {
            _dataKey.Dispose();
        }

        await _lock.DisposeAsync().ConfigureAwait(false);
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_failure is { } failure)
        {
            throw new AuditLogException("the audit log failed earlier and accepts no records until reopened: " + failure.Message, failure);
        }
    }

    /// <summary>A queued append (or, with no record, a checkpoint request).</summary>
    private sealed class PendingAppend(AuditRecord? record, byte[] plaintext)
    {
        public AuditRecord? Record { get; } = record;

        public byte[] Plaintext { get; } = plaintext;

        public TaskCompletionSource<long> Index { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<Checkpoint> Checkpoint { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
