using System.Collections.Concurrent;
using Gateway.Archive.Index;
using Gateway.Archive.Keys;
using Gateway.Archive.Outbox;
using Gateway.Archive.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Archive;

/// <summary>
/// The encrypted archive: each instance stored as its own AES-256-GCM object under a fresh data key, an SQLite index
/// (identifiers as keyed hashes, other patient attributes encrypted), and the outbox of store-and-forward, written in the
/// same transaction as the index row.
/// </summary>
/// <remarks>
/// <para>
/// One store per archive directory: <see cref="Open"/> takes an exclusive lock (<see cref="ArchiveInUseException"/>
/// otherwise), then repairs what a crash left (<see cref="OpenReport"/>). All members are safe to call concurrently;
/// index writes go through one connection, one transaction at a time.
/// </para>
/// <para>
/// Durability: <see cref="StoreAsync"/> returns only after the object file is fsynced, renamed into place and its
/// directory fsynced, and the index and outbox rows are committed with <c>synchronous=FULL</c>. A crash before the commit
/// leaves an unreferenced object (removed at the next open); a crash after it loses nothing.
/// </para>
/// </remarks>
public sealed partial class ArchiveStore : IInstanceArchive, IAsyncDisposable, IDisposable
{
    private readonly ArchiveOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ArchiveLock? _lock;
    private readonly ArchiveDatabase _db;
    private readonly ArchiveKeys _keys;
    private readonly ConcurrentDictionary<string, bool> _objectDirectories = new(StringComparer.Ordinal);
    private readonly ObjectSlots _slots;
    private int _disposed;

    private ArchiveStore(ArchiveOptions options, TimeProvider time, ILogger logger, ArchiveLock? archiveLock, ArchiveDatabase db, ArchiveKeys keys)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _lock = archiveLock;
        _db = db;
        _keys = keys;
        _slots = new ObjectSlots(options.ObjectsDirectory, EnsureObjectDirectory);
        Outbox = new ArchiveOutbox(db, keys.Attributes, options, time, logger);
    }

    /// <summary>The outbox: what forwarders lease, deliver, fail and retry.</summary>
    public ArchiveOutbox Outbox { get; }

    /// <summary>What opening found and repaired.</summary>
    public ArchiveOpenReport OpenReport { get; private set; } = new();

    /// <summary>The archive's options.</summary>
    public ArchiveOptions Options => _options;

    /// <summary>
    /// Opens the archive under <see cref="ArchiveOptions.DataDirectory"/> (creating it, its keys and its index when
    /// missing and <see cref="ArchiveOptions.CreateIfMissing"/> is set), takes its lock, and reconciles: temporary files and
    /// object files that no index row references are removed, leases of a previous run released, retired key files removed.
    /// </summary>
    /// <exception cref="ArchiveInUseException">The archive is open elsewhere.</exception>
    /// <exception cref="ArchiveKeyException">A key is missing, unprotected, malformed, or not this index's.</exception>
    /// <exception cref="ArchiveIndexException">The index is missing (without create) or from a newer version.</exception>
    public static ArchiveStore Open(ArchiveOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        logger ??= NullLogger.Instance;
        TimeProvider time = timeProvider ?? TimeProvider.System;

        string archive = options.ArchiveDirectory;
        if (!Directory.Exists(archive) && !options.CreateIfMissing)
        {
            throw new ArchiveIndexException($"no archive at {archive}");
        }

        FileSync.CreateOwnerOnlyDirectory(archive);
        ArchiveLock archiveLock = ArchiveLock.Acquire(archive);
        ArchiveDatabase? db = null;
        ArchiveKeys? keys = null;
        try
        {
            FileSync.CreateOwnerOnlyDirectory(options.ObjectsDirectory);
            FileSync.CreateOwnerOnlyDirectory(options.TempDirectory);
            bool fresh = !File.Exists(options.IndexPath);
            if (fresh && !options.CreateIfMissing)
            {
                throw new ArchiveIndexException($"no archive index at {options.IndexPath}");
            }

            if (fresh && HoldsObjects(options.ObjectsDirectory))
            {
                // A new index would make every object an orphan, removed by the reconciliation below.
                throw new ArchiveIndexException(
                    $"no archive index at {options.IndexPath}, yet {options.ObjectsDirectory} holds objects: rebuild the index from them ('gatewayctl archive rebuild-index') or restore it from a snapshot");
            }

            db = ArchiveDatabase.Open(options.IndexPath, create: fresh);
            keys = db.WithWriter(writer => ArchiveKeys.Load(options, writer, fresh, logger));
            var store = new ArchiveStore(options, time, logger, archiveLock, db, keys);
            store.OpenReport = store.Reconcile(fresh);
            ArchiveMessages.Opened(logger, archive, keys.Ring.CurrentVersion, store.Outbox.Depth());
            return store;
        }
        catch
        {
            keys?.Dispose();
            db?.Dispose();
            archiveLock.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _slots.WaitForRefill();
        _db.Dispose();
        _keys.Dispose();
        _rotationGate.Dispose();
        _lock?.Dispose();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>True when <paramref name="objectsDirectory"/> holds at least one object file.</summary>
    internal static bool HoldsObjects(string objectsDirectory) =>
        Directory.Exists(objectsDirectory) && Directory.EnumerateFiles(objectsDirectory, "*.obj", SearchOption.AllDirectories).Any();

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private string ObjectPath(string name) => Path.Combine(_options.ObjectsDirectory, name[..2], name + ".obj");

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
