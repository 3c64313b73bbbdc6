using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Dicom.Network.Services;

/// <summary>
/// A Query/Retrieve SCP over a directory of Part 10 files, like DCMTK's dcmqrscp: C-FIND, C-MOVE and C-GET in the
/// Patient Root and Study Root information models (PS3.4 C), baseline hierarchical search and retrieve.
/// </summary>
/// <remarks>
/// <para>
/// The files are indexed in memory from their headers only (<see cref="QueryRetrieveAttributes"/>): at start by
/// <see cref="ScanAsync"/>, and after each C-STORE once <see cref="ObserveStores"/> links a <see cref="DirectoryStoreService"/>.
/// Indexing runs in order on one queue; a request first waits for the queue, so an instance whose C-STORE succeeded is
/// found by any later C-FIND, C-MOVE or C-GET.
/// </para>
/// <para>
/// Only files found by the scan or stored through the linked store service are ever sent: a request names instances by
/// UID, never by path. C-CANCEL stops a request between two responses or sub-operations.
/// </para>
/// </remarks>
public sealed partial class DirectoryQueryRetrieveService : IFindService, IRetrieveService
{
    private static readonly FrozenSet<string> PatientRootModels = FrozenSet.Create(
        StringComparer.Ordinal,
        DicomUids.PatientRootQueryRetrieveInformationModelFind.Value,
        DicomUids.PatientRootQueryRetrieveInformationModelMove.Value,
        DicomUids.PatientRootQueryRetrieveInformationModelGet.Value);

    private static readonly FrozenSet<string> StudyRootModels = FrozenSet.Create(
        StringComparer.Ordinal,
        DicomUids.StudyRootQueryRetrieveInformationModelFind.Value,
        DicomUids.StudyRootQueryRetrieveInformationModelMove.Value,
        DicomUids.StudyRootQueryRetrieveInformationModelGet.Value);

    private readonly DirectoryQueryRetrieveOptions _options;
    private readonly FrozenDictionary<string, DicomClientOptions> _destinations;
    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly QueryIndex _index = new();
    private readonly Lock _queueLock = new();
    private readonly List<string> _stored = [];
    private Task _queueTail = Task.CompletedTask;
    private bool _storedFlushArmed;

    /// <summary>Creates the service; nothing is indexed before <see cref="ScanAsync"/> or <see cref="IndexFileAsync"/>.</summary>
    public DirectoryQueryRetrieveService(DirectoryQueryRetrieveOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.AETitle);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxInstances, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxMatches, 1);
        _options = options;
        _directory = Path.GetFullPath(options.Directory);
        _destinations = options.MoveDestinations.ToFrozenDictionary(p => p.Key.Trim(), p => p.Value, StringComparer.Ordinal);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The number of instances indexed now.</summary>
    public int InstanceCount => _index.InstanceCount;

    /// <summary>
    /// Indexes every file under the directory (and forgets indexed files that are gone), queued behind earlier indexing.
    /// Files that are not DICOM, lack meta information or UIDs, or cannot be read are skipped and logged.
    /// </summary>
    /// <returns>A task that completes when the scan is done.</returns>
    public Task ScanAsync(CancellationToken cancellationToken = default) => Enqueue(() => ScanCoreAsync(cancellationToken));

    /// <summary>Indexes (or re-indexes) one file, queued behind earlier indexing.</summary>
    /// <returns>A task that completes when the file is indexed or skipped.</returns>
    public Task IndexFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        return Enqueue(() => IndexCoreAsync(full, cancellationToken));
    }

    /// <summary>
    /// How long files stored through <see cref="ObserveStores"/> wait to be queued for indexing, so that a burst of
    /// C-STOREs is indexed by one work item (one thread wake-up) instead of one per file. A request never waits for it:
    /// it queues what was stored before it waits for the index.
    /// </summary>
    public static TimeSpan StoredBatchDelay { get; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Indexes every file that <paramref name="store"/> stores from now on, within <see cref="StoredBatchDelay"/>.</summary>
    public void ObserveStores(DirectoryStoreService store)
    {
        ArgumentNullException.ThrowIfNull(store);

        // The store raises the event before it answers the C-STORE, so the file is recorded before any later request
        // waits for the index, which queues it then if the batch delay has not.
        store.Stored += OnStored;
    }

    /// <summary>Waits until everything queued for indexing so far is indexed.</summary>
    public async Task WhenIndexedAsync(CancellationToken cancellationToken = default)
    {
        Task tail;
        lock (_queueLock)
        {
            QueueStoredLocked();
            tail = _queueTail;
        }

        await tail.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private void OnStored(string path, StoreRequest request)
    {
        string full = Path.GetFullPath(path);
        lock (_queueLock)
        {
            _stored.Add(full);
            if (_storedFlushArmed)
            {
                return;
            }

            _storedFlushArmed = true;
        }

        _ = QueueStoredLaterAsync();
    }

    private async Task QueueStoredLaterAsync()
    {
        await Task.Delay(StoredBatchDelay).ConfigureAwait(false);
        lock (_queueLock)
        {
            QueueStoredLocked();
        }
    }

    // Under _queueLock: the files stored so far, as one work item behind everything queued before.
    private void QueueStoredLocked()
    {
        _storedFlushArmed = false;
        if (_stored.Count == 0)
        {
            return;
        }

        string[] paths = [.. _stored];
        _stored.Clear();
        _queueTail = RunAfterAsync(_queueTail, async () =>
        {
            foreach (string path in paths)
            {
                await IndexCoreAsync(path, CancellationToken.None).ConfigureAwait(false);
            }
        });
    }

    private Task Enqueue(Func<Task> work)
    {
        lock (_queueLock)
        {
            // In order: what was stored before this is indexed before it.
            QueueStoredLocked();
            Task next = RunAfterAsync(_queueTail, work);
            _queueTail = next;
            return next;
        }
    }

    private static async Task RunAfterAsync(Task previous, Func<Task> work)
    {
        // Never on the caller's thread: Enqueue runs under the queue lock, and OnStored runs before the C-STORE is
        // answered. The work reads files synchronously (InlineFileStream), so without this it would run to its end there.
        await Task.Yield();
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await work().ConfigureAwait(false);
    }

    private async Task ScanCoreAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_directory))
        {
            LogScanMissing(_logger, _directory);
            return;
        }

        // Links are not followed and hidden files (the store's ".partial" temporaries) are skipped: only what lies in
        // the directory itself is served.
        var enumeration = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System | FileAttributes.ReparsePoint,
            MatchType = MatchType.Simple,
        };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string path in Directory.EnumerateFiles(_directory, "*", enumeration))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Path.GetFileName(path).StartsWith('.'))
            {
                continue;
            }

            seen.Add(path);
            await IndexCoreAsync(path, cancellationToken).ConfigureAwait(false);
        }

        foreach (string gone in _index.Paths().Where(p => !seen.Contains(p)))
        {
            _index.RemovePath(gone);
        }

        LogScanned(_logger, _directory, _index.InstanceCount);
    }

    private async Task IndexCoreAsync(string path, CancellationToken cancellationToken)
    {
        IndexedInstanceHeader? header;
        try
        {
            header = await InstanceHeaderReader.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DicomFormatException or IOException or UnauthorizedAccessException)
        {
            LogNotIndexed(_logger, path, ex.Message);
            _index.RemovePath(path);
            return;
        }

        if (header is null)
        {
            LogNotIndexed(_logger, path, "no File Meta Information, or no Study, Series or SOP Instance UID");
            _index.RemovePath(path);
            return;
        }

        if (!_index.AddOrReplace(header, _options.MaxInstances))
        {
            LogIndexFull(_logger, path, _options.MaxInstances);
        }
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Q/R index of {Directory}: {Instances} instances")]
    private static partial void LogScanned(ILogger logger, string directory, int instances);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Q/R index: the directory {Directory} does not exist")]
    private static partial void LogScanMissing(ILogger logger, string directory);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "Q/R index: {Path} skipped: {Reason}")]
    private static partial void LogNotIndexed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Warning, Message = "Q/R index: {Path} not indexed: the index holds the maximum of {MaxInstances} instances")]
    private static partial void LogIndexFull(ILogger logger, string path, int maxInstances);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Information, Message = "Association {AssociationId}: C-FIND from {CallingAE} at level {Level}: {Matches} matches")]
    private static partial void LogFind(ILogger logger, Guid associationId, string callingAE, string level, int matches);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Information, Message = "Association {AssociationId}: {Operation} from {CallingAE} to {Destination}: {Instances} instances")]
    private static partial void LogRetrieve(ILogger logger, Guid associationId, string operation, string callingAE, string destination, int instances);

    [LoggerMessage(EventId = 1407, Level = LogLevel.Warning, Message = "Association {AssociationId}: C-MOVE destination {Destination} unreachable: {Reason}")]
    private static partial void LogDestinationUnreachable(ILogger logger, Guid associationId, string destination, string reason);

    [LoggerMessage(EventId = 1408, Level = LogLevel.Warning, Message = "Association {AssociationId}: sub-operation for {SopInstanceUid} failed: {Reason}")]
    private static partial void LogSubOperationFailed(ILogger logger, Guid associationId, string sopInstanceUid, string reason);

    [LoggerMessage(EventId = 1409, Level = LogLevel.Information, Message = "Association {AssociationId}: {Operation} done: {Completed} completed, {Failed} failed, {Warning} warning")]
    private static partial void LogRetrieveDone(ILogger logger, Guid associationId, string operation, int completed, int failed, int warning);
}
