using System.Diagnostics;
using Gateway.Archive;
using Gateway.Audit;
using Gateway.Audit.Checkpoints;
using Gateway.Backup.Manifest;
using Gateway.Backup.Storage;
using Microsoft.Data.Sqlite;

namespace Gateway.Backup;

/// <summary>
/// Takes a snapshot of a gateway's data directory into a <see cref="BackupRepository"/>, consistent while the gateway
/// runs: the archive index through SQLite's online backup (a point in time), the objects that copy references
/// (ciphertext, never decrypted; written once, so no later change can tear them), the audit checkpoints before the
/// segments (so every checkpoint covers records the copy holds), the policy, and the public verifier keys. Keys are never
/// copied: see the README (what to escrow).
/// </summary>
/// <remarks>
/// Incremental: a file whose size and modification time equal the previous snapshot's, and whose blob is stored, is
/// not read again; any other file is hashed while it is copied, and a blob already stored is not written twice. The
/// snapshot is published (manifest written once and sealed) only after its audit record is durable: fail closed.
/// </remarks>
public sealed class SnapshotWriter
{
    private const int MaxPolicyFiles = 10_000;
    private const int MaxAttempts = 3;

    private readonly BackupRepository _repository;
    private readonly SnapshotOptions _options;
    private readonly IAuditLog _audit;
    private readonly TimeProvider _time;

    /// <summary>Creates a writer; nothing is read before <see cref="CreateAsync"/>.</summary>
    public SnapshotWriter(BackupRepository repository, SnapshotOptions options, IAuditLog audit, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(audit);
        options.Validate();
        _repository = repository;
        _options = options;
        _audit = audit;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Takes the snapshot.</summary>
    /// <exception cref="BackupException">The data directory or repository is unusable, or another writer holds the repository.</exception>
    /// <exception cref="AuditLogException">The audit record could not be made durable (nothing was published).</exception>
    public async Task<SnapshotResult> CreateAsync(IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        string data = Path.GetFullPath(_options.DataDirectory);
        if (!Directory.Exists(data))
        {
            throw new BackupException($"no data directory at {data}");
        }

        using IDisposable writer = _repository.LockForWriting();
        var clock = Stopwatch.StartNew();
        NoteSigner signer = BackupSigningKey.LoadOrCreate(BackupSigningKey.DirectoryOf(data));
        Dictionary<string, ManifestEntry> previous = PreviousFiles(signer.Verifier);
        for (int attempt = 1; ; attempt++)
        {
            DateTimeOffset createdAt = _time.GetUtcNow();
            string id = SnapshotId.New(createdAt);
            string work = Path.Combine(_repository.TempDirectory, id);
            ImmutableFiles.CreateDirectory(work);
            try
            {
                List<SourceFile> sources = CollectSources(data, work);
                Copied? copied = await CopyAsync(sources, previous, progress, cancellationToken).ConfigureAwait(false);
                if (copied is null)
                {
                    // An object the index copy names was purged by retention meanwhile: take a fresh index copy.
                    if (attempt < MaxAttempts)
                    {
                        continue;
                    }

                    throw new BackupException("archive objects kept disappearing while the snapshot was taken (retention running?); try again");
                }

                _repository.Sync();
                var manifest = new SnapshotManifest
                {
                    Id = id,
                    CreatedAt = createdAt,
                    RetainUntil = createdAt + _options.Retention,
                    Host = Environment.MachineName,
                    Files = copied.Entries,
                    MerkleRoot = ManifestMerkle.Root(copied.Entries),
                    ChangedObjects = copied.Changed,
                };
                byte[] manifestBytes = ManifestSerializer.Write(manifest);
                string signature = SnapshotSignature.Sign(signer, SnapshotSignature.SnapshotKind, id, manifestBytes, manifest.MerkleRoot, manifest.RetainUntil);
                DateTimeOffset now = _time.GetUtcNow();
                if (manifest.ChangedObjects.Count > 0)
                {
                    await _audit.AppendAsync(
                        BackupAuditRecords.DamagedObjects(_options.SourceId, Path.Combine(data, "archive"), manifest.ChangedObjects, manifest.ChangedObjects.Count, "changed after they were written (objects are write-once)", now, _options.RequestedBy),
                        cancellationToken).ConfigureAwait(false);
                }

                await _audit.AppendAsync(BackupAuditRecords.Snapshot(_options.SourceId, manifest, _repository.Root, now, _options.RequestedBy), cancellationToken).ConfigureAwait(false);
                bool immutable = _repository.Publish(id, manifestBytes, signature, signer);
                return new SnapshotResult
                {
                    Manifest = manifest,
                    FilesRead = copied.FilesRead,
                    NewBlobs = copied.NewBlobs,
                    NewBytes = copied.NewBytes,
                    Immutable = immutable,
                    Elapsed = clock.Elapsed,
                };
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    private Dictionary<string, ManifestEntry> PreviousFiles(NoteVerifier verifier)
    {
        // Only a snapshot this key signed is trusted to vouch for unchanged files.
        foreach (string id in _repository.ListSnapshots().Reverse())
        {
            try
            {
                return _repository.ReadSnapshot(id, verifier).Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
            }
            catch (SnapshotIntegrityException)
            {
            }
        }

        return new Dictionary<string, ManifestEntry>(StringComparer.Ordinal);
    }

    private List<SourceFile> CollectSources(string data, string work)
    {
        var sources = new List<SourceFile>();
        string index = Path.Combine(data, "archive", "index.db");
        if (File.Exists(index))
        {
            string copy = Path.Combine(work, "index.db");
            BackupSqlite(index, copy);
            sources.Add(new SourceFile(ArchiveFiles.IndexPath, copy, IsObject: false));
            foreach (string objectPath in ArchiveFiles.ListObjects(copy))
            {
                sources.Add(new SourceFile(objectPath, Path.Combine(data, objectPath), IsObject: true));
            }
        }

        // The rewrap journals: without them an index rebuilt from restored objects could not read objects whose header's
        // key version a rotation retired.
        foreach (string journal in ArchiveFiles.ListRewrapJournals(data))
        {
            sources.Add(new SourceFile(journal, Path.Combine(data, journal), IsObject: false));
        }

        string identity = Path.Combine(data, "identity", "identity.db");
        if (File.Exists(identity))
        {
            string copy = Path.Combine(work, "identity.db");
            BackupSqlite(identity, copy);
            sources.Add(new SourceFile("identity/identity.db", copy, IsObject: false));
        }

        var audit = new Gateway.Audit.Storage.AuditLogPaths(Path.Combine(data, "audit"));
        if (Directory.Exists(audit.CheckpointDirectory))
        {
            // Checkpoints first, copied now: the segments read afterwards hold at least every record they cover.
            string copies = Path.Combine(work, "checkpoints");
            ImmutableFiles.CreateDirectory(copies);
            foreach (string file in Directory.GetFiles(audit.CheckpointDirectory).Where(f => !Path.GetFileName(f).StartsWith('.')))
            {
                string copy = Path.Combine(copies, Path.GetFileName(file));
                File.Copy(file, copy);
                sources.Add(new SourceFile("audit/checkpoints/" + Path.GetFileName(file), copy, IsObject: false));
            }
        }

        foreach ((string directory, string pattern) in new[] { (audit.Segments, "*.seg"), (audit.Forward, "*.cursor") })
        {
            if (Directory.Exists(directory))
            {
                foreach (string file in Directory.GetFiles(directory, pattern))
                {
                    sources.Add(new SourceFile(Relative(data, file), file, IsObject: false));
                }
            }
        }

        if (File.Exists(audit.PublicKey))
        {
            sources.Add(new SourceFile(Relative(data, audit.PublicKey), audit.PublicKey, IsObject: false));
        }

        if (_options.PolicyDirectory is { } policy)
        {
            if (!Directory.Exists(policy))
            {
                throw new BackupException($"no policy directory at {policy}");
            }

            string[] files = Directory.GetFiles(policy, "*", SearchOption.AllDirectories);
            if (files.Length > MaxPolicyFiles)
            {
                throw new BackupException($"the policy directory {policy} holds more than {MaxPolicyFiles} files");
            }

            foreach (string file in files)
            {
                string path = "policy/" + Path.GetRelativePath(policy, file).Replace('\\', '/');
                if (ManifestSerializer.IsSafePath(path))
                {
                    sources.Add(new SourceFile(path, file, IsObject: false));
                }
            }
        }

        sources.Sort((a, b) => string.CompareOrdinal(a.ManifestPath, b.ManifestPath));
        for (int i = 1; i < sources.Count; i++)
        {
            if (sources[i].ManifestPath == sources[i - 1].ManifestPath)
            {
                throw new BackupException($"two files map to {sources[i].ManifestPath}");
            }
        }

        return sources;
    }

    // Null when an object named by the index copy is gone (purged meanwhile).
    private async Task<Copied?> CopyAsync(List<SourceFile> sources, Dictionary<string, ManifestEntry> previous, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        var entries = new ManifestEntry?[sources.Count];
        var stats = new FileInfo[sources.Count];
        long total = 0;
        for (int i = 0; i < sources.Count; i++)
        {
            stats[i] = new FileInfo(sources[i].FullPath);
            if (!stats[i].Exists)
            {
                if (sources[i].IsObject)
                {
                    return null;
                }

                throw new BackupException($"{sources[i].ManifestPath} disappeared while the snapshot was taken");
            }

            total += stats[i].Length;
        }

        long done = 0;
        int filesRead = 0, newBlobs = 0;
        long newBytes = 0;
        bool missing = false;
        var changed = new List<string>();
        progress?.Report(new BackupProgress("snapshot", 0, total));
        await Parallel.ForEachAsync(
            Enumerable.Range(0, sources.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount), CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                SourceFile source = sources[i];
                FileInfo stat = stats[i];
                long ticks = stat.LastWriteTimeUtc.Ticks;
                previous.TryGetValue(source.ManifestPath, out ManifestEntry? before);
                if (before is not null && before.Size == stat.Length && before.ModifiedTicks == ticks && _repository.HasBlob(before.Sha256, before.Size))
                {
                    entries[i] = before;
                    progress?.Report(new BackupProgress("snapshot", Interlocked.Add(ref done, stat.Length), total));
                    return;
                }

                FileStream file;
                try
                {
                    file = new FileStream(source.FullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 0, FileOptions.SequentialScan);
                }
                catch (Exception ex) when (source.IsObject && ex is FileNotFoundException or DirectoryNotFoundException)
                {
                    missing = true;
                    return;
                }

                (string sha, long size, bool added) result;
                await using (file.ConfigureAwait(false))
                {
                    result = await _repository.AddBlobAsync(file, n => progress?.Report(new BackupProgress("snapshot", Interlocked.Add(ref done, n), total)), ct).ConfigureAwait(false);
                }

                entries[i] = new ManifestEntry(source.ManifestPath, result.sha, result.size, ticks);
                Interlocked.Increment(ref filesRead);
                if (result.added)
                {
                    Interlocked.Increment(ref newBlobs);
                    Interlocked.Add(ref newBytes, result.size);
                }

                if (source.IsObject && before is not null && before.Sha256 != result.sha)
                {
                    lock (changed)
                    {
                        changed.Add(Path.GetFileNameWithoutExtension(source.ManifestPath));
                    }
                }
            }).ConfigureAwait(false);

        if (missing)
        {
            return null;
        }

        changed.Sort(StringComparer.Ordinal);
        return new Copied([.. entries.Select(e => e!)], changed, filesRead, newBlobs, newBytes);
    }

    private static void BackupSqlite(string source, string target)
    {
        // The online backup API copies a consistent point in time while the gateway keeps writing (WAL: readers never
        // block the writer). The copy starts owner-only.
        using (new FileStream(target, ImmutableFiles.NewPrivateFile()))
        {
        }

        string from = new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 30 }.ToString();
        string to = new SqliteConnectionStringBuilder { DataSource = target, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();
        using var sourceConnection = new SqliteConnection(from);
        using var targetConnection = new SqliteConnection(to);
        sourceConnection.Open();
        targetConnection.Open();
        sourceConnection.BackupDatabase(targetConnection);
        using SqliteCommand command = targetConnection.CreateCommand();

        // A self-contained file: the copy keeps no WAL beside it.
        command.CommandText = "PRAGMA journal_mode=DELETE";
        command.ExecuteNonQuery();
    }

    private static string Relative(string data, string path) => Path.GetRelativePath(data, path).Replace('\\', '/');

    private sealed record SourceFile(string ManifestPath, string FullPath, bool IsObject);

    private sealed record Copied(List<ManifestEntry> Entries, List<string> Changed, int FilesRead, int NewBlobs, long NewBytes);
}
