using System.Security.Cryptography;
using Gateway.Archive.Crypto;
using Gateway.Archive.Index;
using Gateway.Archive.Keys;
using Gateway.Archive.Storage;
using Gateway.Dicom;
using Gateway.Dicom.IO;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Gateway.Archive;

public sealed partial class ArchiveStore
{
    /// <summary>
    /// A store over a new, empty index at <paramref name="indexPath"/> for an index rebuild: the caller holds the archive
    /// lock (and keeps it after the store is disposed); nothing is reconciled and no key file is created.
    /// </summary>
    /// <exception cref="ArchiveKeyException">A key-encryption key or the index key is not at hand.</exception>
    internal static ArchiveStore OpenForRebuild(ArchiveOptions options, string indexPath, TimeProvider time, ILogger logger)
    {
        string keys = options.ResolvedKeyDirectory;
        if (options.KekSecret is null && KeyRing.ListFileVersions(keys).Count == 0)
        {
            throw new ArchiveKeyException($"no key-encryption key (kek-N.key) in {keys}: objects cannot be read without it");
        }

        if (options.IndexKeySecret is null && !File.Exists(Path.Combine(keys, ArchiveKeys.IndexKeyFileName)))
        {
            throw new ArchiveKeyException($"index key {Path.Combine(keys, ArchiveKeys.IndexKeyFileName)} is missing (a rebuilt index uses the archive's own)");
        }

        ArchiveDatabase db = ArchiveDatabase.Open(indexPath, create: true);
        try
        {
            ArchiveKeys loaded = db.WithWriter(writer => ArchiveKeys.Load(options, writer, fresh: true, logger));
            return new ArchiveStore(options, time, logger, null, db, loaded);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads an object already on disk for an index rebuild: unwraps its data key (header, else the rewrap journal),
    /// reads it to its end through the verifying reader, and parses its File Meta Information and data set header exactly
    /// as a store does. Safe to call from several workers at once; <see cref="CommitRecoveredAsync"/> then indexes the
    /// results one at a time, in the order the rebuild decides.
    /// </summary>
    /// <param name="path">The object file.</param>
    /// <param name="receivedAt">When the object was written (its file's modification time): recorded as received.</param>
    /// <param name="journals">The rewrap journals, newest first.</param>
    /// <param name="destinations">Destinations to queue the instance for (none by default).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The instance to commit; dispose it (its data key is zeroed) once committed or abandoned.</returns>
    /// <exception cref="ArchiveIntegrityException">The object fails: header, key, a GCM tag, or its File Meta Information.</exception>
    /// <exception cref="ArchiveRejectedException">Its data set header is malformed or lacks identifiers.</exception>
    internal async Task<PreparedObject> PrepareRecoveredAsync(
        string path,
        DateTimeOffset receivedAt,
        IReadOnlyList<RewrapJournal.Reader> journals,
        IReadOnlyList<string> destinations,
        CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        string name = Path.GetFileNameWithoutExtension(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        byte[]? dataKey = null;
        try
        {
            ObjectHeader header = await ObjectHeader.ReadAsync(file, cancellationToken).ConfigureAwait(false);
            if (ObjectFormat.NameOf(header.ObjectId) != name)
            {
                throw new ArchiveIntegrityException($"object file {name} holds object {ObjectFormat.NameOf(header.ObjectId)} (renamed or swapped file)");
            }

            (dataKey, bool fromJournal) = UnwrapRecovered(header, journals);
            string uid = await ObjectUidProbe.ReadCandidateUidAsync(file, header, dataKey, cancellationToken).ConfigureAwait(false);
            await using DecryptingObjectStream plain = DecryptingObjectStream.Open(file, header, dataKey, header.ObjectId, uid, expectedLength: -1);
            (ArchiveStoreRequest request, Written written) = await ReadRecoveredAsync(plain, uid, destinations, cancellationToken).ConfigureAwait(false);
            ValidateIdentifiers(request, written.Header);
            var prepared = new PreparedObject(new PendingInstance(request, written, name, header.ObjectId, dataKey, request.Destinations, receivedAt.ToUnixTimeMilliseconds()), fromJournal);
            dataKey = null;
            return prepared;
        }
        finally
        {
            await file.DisposeAsync().ConfigureAwait(false);
            if (dataKey is not null)
            {
                CryptographicOperations.ZeroMemory(dataKey);
            }
        }
    }

    /// <summary>
    /// Indexes an object <see cref="PrepareRecoveredAsync"/> read: commits its rows (a conflict copy when an earlier object
    /// holds the UID with other bytes). Not durable one by one: the rebuilt index is made durable as a whole before it is
    /// put in place.
    /// </summary>
    internal async Task<RecoveredObject> CommitRecoveredAsync(PreparedObject prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ThrowIfDisposed();
        CommitResult result = await _db.WriteAsync((c, tx) => Commit(c, tx, prepared.Pending), CancellationToken.None, durable: false).ConfigureAwait(false);
        return new RecoveredObject(result.Outcome, result.Queued.Count, prepared.KeyFromJournal);
    }

    /// <summary>Makes everything committed so far durable in the index file itself (WAL checkpointed and emptied).</summary>
    internal async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        // A durable (empty) write puts the writer back to synchronous=FULL, so the checkpoint syncs the database file.
        await _db.WriteAsync((c, tx) => 0, cancellationToken).ConfigureAwait(false);
        _db.WithWriter(c => ArchiveDatabase.Execute(c, "PRAGMA wal_checkpoint(TRUNCATE);"));
    }

    /// <summary>Runs a statement on the (rebuilt) index: the rebuild's scratch table.</summary>
    internal Task WriteScratchAsync(string sql, CancellationToken cancellationToken) =>
        _db.WriteAsync((c, tx) => ArchiveDatabase.Execute(c, sql, tx), cancellationToken, durable: false);

    /// <summary>Adds object files (name, modification time, size) to the rebuild's scratch table.</summary>
    internal Task InsertScanAsync(IReadOnlyList<(string Name, long Mtime, long Size)> batch, CancellationToken cancellationToken) =>
        _db.WriteAsync(
            (c, tx) =>
            {
                using SqliteCommand insert = ArchiveDatabase.Command(c, tx, "INSERT INTO rebuild_scan(name, mtime, size) VALUES ($p0, $p1, $p2)", string.Empty, 0L, 0L);
                foreach ((string name, long mtime, long size) in batch)
                {
                    insert.Parameters[0].Value = name;
                    insert.Parameters[1].Value = mtime;
                    insert.Parameters[2].Value = size;
                    insert.ExecuteNonQuery();
                }

                return batch.Count;
            },
            cancellationToken,
            durable: false);

    /// <summary>The next page of the rebuild's scratch table in (modification time, name) order.</summary>
    internal IReadOnlyList<(string Name, long Mtime, long Size)> ReadScanPage((long Mtime, string Name) after, int limit)
    {
        using SqliteConnection reader = _db.OpenReader();
        using SqliteCommand select = ArchiveDatabase.Command(
            reader,
            null,
            "SELECT name, mtime, size FROM rebuild_scan WHERE (mtime, name) > ($p0, $p1) ORDER BY mtime, name LIMIT $p2",
            after.Mtime,
            after.Name,
            limit);
        using SqliteDataReader r = select.ExecuteReader();
        var page = new List<(string, long, long)>(limit);
        while (r.Read())
        {
            page.Add((r.GetString(0), r.GetInt64(1), r.GetInt64(2)));
        }

        return page;
    }

    // The header's own wrapped key when its version is at hand, else the newest journal entry whose version is.
    private (byte[] Key, bool FromJournal) UnwrapRecovered(ObjectHeader header, IReadOnlyList<RewrapJournal.Reader> journals)
    {
        ArchiveIntegrityException? headerFailure = null;
        if (header.WrappedKey is { } wrapped && _keys.Ring.Has(header.CreationKekVersion))
        {
            try
            {
                return (_keys.Ring.Unwrap(header.CreationKekVersion, wrapped), false);
            }
            catch (ArchiveIntegrityException ex)
            {
                headerFailure = ex;
            }
        }

        foreach (RewrapJournal.Reader journal in journals)
        {
            if (_keys.Ring.Has(journal.Version) && journal.Find(header.ObjectId) is { } entry)
            {
                return (_keys.Ring.Unwrap(journal.Version, entry), true);
            }
        }

        throw headerFailure ?? new ArchiveIntegrityException(header.WrappedKey is null
            ? "format 1 object: its data key was only in the lost index row, and no rewrap journal has it"
            : $"the object's key version {header.CreationKekVersion} is not available and no rewrap journal has its key");
    }

    // Reads the whole plaintext: File Meta Information (the request a store had), then the data set through the same
    // header parser and keyed content hash as a store.
    private async Task<(ArchiveStoreRequest Request, Written Written)> ReadRecoveredAsync(
        DecryptingObjectStream plain,
        string uid,
        IReadOnlyList<string> destinations,
        CancellationToken cancellationToken)
    {
        DicomPart10Header part10;
        try
        {
            part10 = await DicomPart10Header.ReadAsync(plain, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (DicomFormatException ex)
        {
            throw new ArchiveIntegrityException("the object's File Meta Information is malformed: " + ex.Message, ex);
        }

        if (part10.SopInstanceUid != uid || part10.SopClassUid is not { } sopClass
            || part10.FileMetaInformation.GetString(DicomTags.SourceApplicationEntityTitle)?.Trim() is not { Length: > 0 } callingAE)
        {
            throw new ArchiveIntegrityException("the object's File Meta Information lacks its SOP class, SOP instance or source AE");
        }

        var request = new ArchiveStoreRequest
        {
            SopClassUid = sopClass,
            SopInstanceUid = uid,
            TransferSyntax = part10.TransferSyntax,
            CallingAE = callingAE,
            Destinations = destinations,
        };
        using IncrementalHash hash = _keys.Hasher.CreateContentHash();
        var tee = new TeeReadStream(part10.DataSet, (bytes, _) =>
        {
            hash.AppendData(bytes.Span);
            return ValueTask.CompletedTask;
        });
        InstanceHeader parsed = await HeaderExtractor.ExtractAsync(tee, request.TransferSyntax, _options.ReaderOptions, cancellationToken).ConfigureAwait(false);
        await DrainAsync(tee, cancellationToken).ConfigureAwait(false);
        long offset = plain.PlaintextPosition - tee.BytesRead;
        return (request, new Written(parsed, tee.BytesRead, (int)offset, hash.GetHashAndReset()));
    }

    /// <summary>What indexing one recovered object did.</summary>
    internal sealed record RecoveredObject(ArchiveStoreOutcome Outcome, int Queued, bool KeyFromJournal);

    /// <summary>A recovered object read and parsed, waiting for its commit; disposing it zeroes its data key.</summary>
    internal sealed class PreparedObject(PendingInstance pending, bool keyFromJournal) : IDisposable
    {
        internal PendingInstance Pending { get; } = pending;

        internal bool KeyFromJournal { get; } = keyFromJournal;

        public void Dispose() => CryptographicOperations.ZeroMemory(Pending.DataKey);
    }
}
