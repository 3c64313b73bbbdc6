using System.Diagnostics;
using System.Text.RegularExpressions;
using Gateway.Archive.Index;
using Gateway.Archive.Keys;
using Gateway.Archive.Storage;
using Gateway.Archive.Verification;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Gateway.Archive.Rebuild;

/// <summary>
/// Rebuilds the archive index from the objects alone (<see cref="ArchiveAdmin.RebuildIndexAsync"/>): under the archive
/// lock, into <c>archive/index.db.rebuild</c>, renamed into place only once complete and durable.
/// </summary>
/// <remarks>
/// Two passes, memory bounded whatever the archive's size: the object files are listed into a scratch table of the new
/// index (name, modification time), then read in modification-time order, one at a time, so the earliest object of a
/// SOP Instance UID becomes the indexed instance and later ones with other bytes conflict copies, as in a normal store.
/// </remarks>
internal sealed partial class IndexRebuilder
{
    public const string TempSuffix = ".rebuild";

    /// <summary>Where objects that could not be indexed are moved (under <c>archive/</c>).</summary>
    public const string UnindexedDirectory = "unindexed";
    private const int PageSize = 1000;

    private readonly ArchiveOptions _options;
    private readonly IndexRebuildOptions _rebuild;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<IndexRebuildFailure> _failures = [];
    private long _failed;
    private long _indexed;
    private long _conflicts;
    private long _duplicates;
    private long _fromJournal;
    private long _requeued;
    private long _bytes;

    public IndexRebuilder(ArchiveOptions options, IndexRebuildOptions rebuild, TimeProvider time, ILogger logger)
    {
        _options = options;
        _rebuild = rebuild;
        _time = time;
        _logger = logger;
    }

    public async Task<IndexRebuildReport> RunAsync(IProgress<ArchiveVerifyProgress>? progress, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_options.ObjectsDirectory))
        {
            throw new ArchiveIndexException($"no archive objects at {_options.ObjectsDirectory}");
        }

        foreach (string destination in _rebuild.RequeueDestinations)
        {
            if (!ArchiveStore.IsAETitle(destination))
            {
                throw new ArgumentException("a requeue destination is not a valid AE title", nameof(_rebuild));
            }
        }

        using ArchiveLock archiveLock = ArchiveLock.Acquire(_options.ArchiveDirectory);
        if (File.Exists(_options.IndexPath) && !_rebuild.Force)
        {
            throw new ArchiveIndexException($"an archive index exists at {_options.IndexPath}: it is not replaced unless forced (--force)");
        }

        string temp = _options.IndexPath + TempSuffix;
        DeleteDatabase(temp);
        var clock = Stopwatch.StartNew();
        IndexRebuildReport report;
        try
        {
            using (ArchiveStore store = ArchiveStore.OpenForRebuild(_options, temp, _time, _logger))
            {
                (long objects, long bytes) = await ListObjectsAsync(store, cancellationToken).ConfigureAwait(false);
                long done = await IndexObjectsAsync(store, objects, bytes, progress, cancellationToken).ConfigureAwait(false);
                await store.WriteScratchAsync("DROP TABLE rebuild_scan", cancellationToken).ConfigureAwait(false);
                await store.CheckpointAsync(cancellationToken).ConfigureAwait(false);
                report = Report(done, clock.Elapsed);
            }

            FileSync.FlushFile(temp);
            if (_rebuild.BeforePublish is { } beforePublish)
            {
                await beforePublish(report, cancellationToken).ConfigureAwait(false);
            }

            // The old index's WAL must go before the new file takes its name, or SQLite would replay it into the new one.
            DeleteDatabase(_options.IndexPath);
            File.Move(temp, _options.IndexPath);
            FileSync.FlushDirectory(_options.ArchiveDirectory);
        }
        catch
        {
            DeleteDatabase(temp);
            throw;
        }

        ArchiveMessages.IndexRebuilt(_logger, report.ObjectsScanned, report.InstancesIndexed, report.Conflicts, report.FailedObjects);
        return report;
    }

    private static void DeleteDatabase(string path)
    {
        foreach (string file in new[] { path + "-wal", path + "-shm", path })
        {
            File.Delete(file);
        }
    }

    // Pass 1: every object file, with its modification time, into the scratch table (in batches; nothing held).
    private async Task<(long Objects, long Bytes)> ListObjectsAsync(ArchiveStore store, CancellationToken cancellationToken)
    {
        await store.WriteScratchAsync("CREATE TABLE rebuild_scan(name TEXT PRIMARY KEY, mtime INTEGER NOT NULL, size INTEGER NOT NULL); CREATE INDEX rebuild_scan_order ON rebuild_scan(mtime, name)", cancellationToken).ConfigureAwait(false);
        long objects = 0;
        long bytes = 0;
        var batch = new List<(string Name, long Mtime, long Size)>(PageSize);
        foreach (string fanOut in Directory.EnumerateDirectories(_options.ObjectsDirectory).Order(StringComparer.Ordinal))
        {
            string prefix = Path.GetFileName(fanOut);
            foreach (string path in Directory.EnumerateFiles(fanOut, "*.obj"))
            {
                Match m = ObjectFileName().Match(Path.GetFileName(path));
                if (!m.Success || !m.Groups[1].Value.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var info = new FileInfo(path);
                batch.Add((m.Groups[1].Value, new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeMilliseconds(), info.Length));
                objects++;
                bytes += info.Length;
                if (batch.Count == PageSize)
                {
                    await store.InsertScanAsync(batch, cancellationToken).ConfigureAwait(false);
                    batch.Clear();
                }
            }
        }

        await store.InsertScanAsync(batch, cancellationToken).ConfigureAwait(false);
        return (objects, bytes);
    }

    // Pass 2: each object in modification-time order, through the store's own indexing.
    private async Task<long> IndexObjectsAsync(ArchiveStore store, long objects, long bytesTotal, IProgress<ArchiveVerifyProgress>? progress, CancellationToken cancellationToken)
    {
        List<RewrapJournal.Reader> journals = OpenJournals();
        try
        {
            long done = 0;
            (long Mtime, string Name) after = (long.MinValue, string.Empty);
            while (true)
            {
                IReadOnlyList<(string Name, long Mtime, long Size)> page = store.ReadScanPage(after, PageSize);

                // Reading and checking objects (the GCM tags, the parse) is the work, and it runs on every core; the
                // commits then follow one at a time in the scan's order (oldest first), which decides which of two
                // objects with the same UID is the original and which the conflict copy.
                var prepared = new (ArchiveStore.PreparedObject? Object, Exception? Error)[page.Count];
                try
                {
                    await Parallel.ForAsync(
                        0,
                        page.Count,
                        new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
                        async (i, ct) =>
                        {
                            (string name, long mtime, _) = page[i];
                            try
                            {
                                prepared[i] = (await store.PrepareRecoveredAsync(PathOf(name), DateTimeOffset.FromUnixTimeMilliseconds(mtime), journals, _rebuild.RequeueDestinations, ct).ConfigureAwait(false), null);
                            }
                            catch (Exception ex) when (IsObjectFailure(ex))
                            {
                                prepared[i] = (null, ex);
                            }
                        }).ConfigureAwait(false);

                    for (int i = 0; i < page.Count; i++)
                    {
                        (string name, _, long size) = page[i];
                        await IndexOneAsync(store, name, prepared[i]).ConfigureAwait(false);
                        done++;
                        _bytes += size;
                        progress?.Report(new ArchiveVerifyProgress(done, objects, _bytes, bytesTotal));
                    }
                }
                finally
                {
                    foreach ((ArchiveStore.PreparedObject? o, _) in prepared)
                    {
                        o?.Dispose();
                    }
                }

                if (page.Count < PageSize)
                {
                    return done;
                }

                after = (page[^1].Mtime, page[^1].Name);
            }
        }
        finally
        {
            foreach (RewrapJournal.Reader journal in journals)
            {
                journal.Dispose();
            }
        }
    }

    private string PathOf(string name) => Path.Combine(_options.ObjectsDirectory, name[..2], name + ".obj");

    private static bool IsObjectFailure(Exception ex) =>
        ex is ArchiveIntegrityException or ArchiveRejectedException or IOException;

    // Why an object could not be indexed, as the report lists it.
    private static string Reason(Exception ex) =>
        ex is ArchiveIntegrityException or ArchiveRejectedException or FileNotFoundException or DirectoryNotFoundException
            ? ex.Message
            : "object file cannot be read: " + ex.GetType().Name;

    private async Task IndexOneAsync(ArchiveStore store, string name, (ArchiveStore.PreparedObject? Object, Exception? Error) prepared)
    {
        Exception? failure = prepared.Error;
        if (failure is null)
        {
            try
            {
                Count(await store.CommitRecoveredAsync(prepared.Object!).ConfigureAwait(false));
                return;
            }
            catch (Exception ex) when (IsObjectFailure(ex))
            {
                failure = ex;
            }
        }

        Fail(name, Reason(failure));
        SetAside(PathOf(name));
    }

    private void Count(ArchiveStore.RecoveredObject result)
    {
        _fromJournal += result.KeyFromJournal ? 1 : 0;
        _requeued += result.Queued;
        switch (result.Outcome)
        {
            case ArchiveStoreOutcome.Stored:
                _indexed++;
                break;
            case ArchiveStoreOutcome.Conflict:
                _conflicts++;
                break;
            default:
                _duplicates++;
                break;
        }
    }

    // An object that was not indexed would be an orphan to the next open, which deletes orphans: it is moved to
    // archive/unindexed/ instead, kept for an investigation or a later attempt (with a key found meanwhile).
    private void SetAside(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                string directory = Path.Combine(_options.ArchiveDirectory, UnindexedDirectory);
                FileSync.CreateOwnerOnlyDirectory(directory);
                File.Move(path, Path.Combine(directory, Path.GetFileName(path)), overwrite: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ArchiveMessages.RebuildSkipped(_logger, Path.GetFileName(path), "could not be moved to " + UnindexedDirectory + ": " + ex.GetType().Name);
        }
    }

    private void Fail(string name, string reason)
    {
        _failed++;
        if (_failures.Count < ArchiveAdmin.MaxListedRebuildFailures)
        {
            _failures.Add(new IndexRebuildFailure(name, reason));
        }

        ArchiveMessages.RebuildSkipped(_logger, name, reason);
    }

    // Newest first; a journal that does not parse is left out (its objects are then reported, not guessed).
    private List<RewrapJournal.Reader> OpenJournals()
    {
        var journals = new List<RewrapJournal.Reader>();
        foreach (int version in RewrapJournal.ListVersions(_options.RewrapJournalDirectory))
        {
            string path = Path.Combine(_options.RewrapJournalDirectory, RewrapJournal.FileName(version));
            try
            {
                journals.Add(RewrapJournal.Reader.Open(path));
            }
            catch (ArchiveIntegrityException ex)
            {
                ArchiveMessages.RebuildSkipped(_logger, Path.GetFileName(path), ex.Message);
            }
        }

        return journals;
    }

    private IndexRebuildReport Report(long done, TimeSpan elapsed) => new()
    {
        ObjectsScanned = done,
        InstancesIndexed = _indexed,
        Conflicts = _conflicts,
        Duplicates = _duplicates,
        KeysFromJournal = _fromJournal,
        Requeued = _requeued,
        Bytes = _bytes,
        FailedObjects = _failed,
        Failures = [.. _failures],
        Elapsed = elapsed,
    };

    [GeneratedRegex("^([0-9a-f]{32})\\.obj$", RegexOptions.CultureInvariant)]
    private static partial Regex ObjectFileName();
}
