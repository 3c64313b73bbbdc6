using System.Globalization;
using System.Security.Cryptography;
using Gateway.Archive.Index;
using Gateway.Archive.Keys;
using Microsoft.Data.Sqlite;

namespace Gateway.Archive;

public sealed partial class ArchiveStore
{
    private const int RotationBatch = 500;
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(10);
    private readonly SemaphoreSlim _rotationGate = new(1, 1);

    // Objects being written, by the key version their header wraps the data key under (see BeginObjectUnder).
    private readonly Dictionary<int, int> _objectsInFlight = [];
    private readonly Lock _objectsInFlightGate = new();

    /// <summary>
    /// Rotates the key-encryption key: with key files, creates version N+1; with a secret, moves to its highest version.
    /// Waits for objects still being written under an older version, writes the rewrap journal (every object's data key
    /// under the new version, <c>archive/rewrap/kek-N.journal</c>) so the objects stay readable without their rows once
    /// old versions are gone, then re-wraps every data key (and the attribute key) in its row, in batches of committed
    /// transactions, without touching any object file, and finally removes the files of versions no row uses any more.
    /// </summary>
    /// <remarks>
    /// Crash-safe at every point: a row holds one wrapped key and its version, changed together in one transaction; the
    /// new key file is durable before any row uses it; an old key file is removed only after no row uses it (and an
    /// interrupted rotation's leftovers are removed at the next open, or finished by running the rotation again; the
    /// journal is durable before any row is re-wrapped and so before any key file is removed). Stores
    /// and reads go on meanwhile: new objects are wrapped under the new version from its creation on.
    /// </remarks>
    public Task<KeyRotationResult> RotateKeysAsync(CancellationToken cancellationToken) =>
        RotateKeysCoreAsync(RotationBatch, null, null, cancellationToken);

    /// <summary>The keys: source, versions with their use, and the index key.</summary>
    public ArchiveKeyStatus GetKeyStatus()
    {
        ThrowIfDisposed();
        using SqliteConnection reader = _db.OpenReader();
        return KeyStatusReader.Read(_options, reader);
    }

    /// <summary>
    /// The rotation, with test hooks: stop it (as a crash would) after some batches, or run something between batches
    /// (with the archive half rotated and the writer gate free).
    /// </summary>
    internal async Task<KeyRotationResult> RotateKeysCoreAsync(int batchSize, int? crashAfterBatches, Func<Task>? afterBatch, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();

        // One rotation at a time: a second one would move the target version under the first.
        await _rotationGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RotateKeysLockedAsync(batchSize, crashAfterBatches, afterBatch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _rotationGate.Release();
        }
    }

    private async Task<KeyRotationResult> RotateKeysLockedAsync(int batchSize, int? crashAfterBatches, Func<Task>? afterBatch, CancellationToken cancellationToken)
    {
        int version;
        bool created = false;
        long rewrapped = 0;
        using (await _db.LockWriterAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_keys.Ring.IsFileBased)
            {
                version = _keys.Ring.AddVersion();
                created = true;
            }
            else
            {
                version = _keys.Ring.CurrentVersion;
            }

            ArchiveMessages.RotationStarted(_logger, version);
            if (crashAfterBatches == 0)
            {
                throw new OperationCanceledException("simulated crash after the new key version");
            }

            if (_db.WriteLocked((c, tx) => _keys.RewrapAttributeKey(c, tx)))
            {
                rewrapped++;
            }
        }

        // From here on every new object is written under the new version; the journal must cover every older one.
        await WaitForObjectsUnderOlderVersionsAsync(version, cancellationToken).ConfigureAwait(false);
        WriteRewrapJournal();

        int batches = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (crashAfterBatches is { } stop && batches >= stop)
            {
                throw new OperationCanceledException("simulated crash in the middle of a rotation");
            }

            // Each batch is its own transaction, and the gate is released between batches so stores go on.
            int n = await _db.WriteAsync((c, tx) => RewrapBatch(c, tx, batchSize), cancellationToken).ConfigureAwait(false);
            batches++;
            rewrapped += n;
            if (n == 0)
            {
                break;
            }

            if (afterBatch is not null)
            {
                await afterBatch().ConfigureAwait(false);
            }
        }

        var retired = new List<int>();
        using (await _db.LockWriterAsync(cancellationToken).ConfigureAwait(false))
        {
            retired.AddRange(RetireUnusedKeyFiles());
        }

        ArchiveMessages.Rotated(_logger, version, rewrapped, retired.Count == 0 ? "none" : string.Join(", ", retired.Select(v => v.ToString(CultureInfo.InvariantCulture))));
        return new KeyRotationResult { Version = version, CreatedVersion = created, Rewrapped = rewrapped, RetiredVersions = retired };
    }

    private int RewrapBatch(SqliteConnection c, SqliteTransaction tx, int batchSize)
    {
        int version = _keys.Ring.CurrentVersion;
        var rows = new List<(long Id, int Version, byte[] Wrapped)>();
        using (SqliteCommand select = ArchiveDatabase.Command(
            c,
            tx,
            "SELECT id, kek_version, wrapped_key FROM instances WHERE wrapped_key IS NOT NULL AND kek_version <> $p0 LIMIT $p1",
            version,
            batchSize))
        using (SqliteDataReader r = select.ExecuteReader())
        {
            while (r.Read())
            {
                rows.Add((r.GetInt64(0), r.GetInt32(1), (byte[])r[2]));
            }
        }

        using SqliteCommand update = ArchiveDatabase.Command(c, tx, "UPDATE instances SET kek_version = $p0, wrapped_key = $p1 WHERE id = $p2 AND kek_version = $p3", 0, Array.Empty<byte>(), 0L, 0);
        foreach ((long id, int old, byte[] wrapped) in rows)
        {
            byte[] key = _keys.Ring.Unwrap(old, wrapped);
            byte[] rewrapped = _keys.Ring.Wrap(key, out int current);
            CryptographicOperations.ZeroMemory(key);
            update.Parameters[0].Value = current;
            update.Parameters[1].Value = rewrapped;
            update.Parameters[2].Value = id;
            update.Parameters[3].Value = old;
            update.ExecuteNonQuery();
        }

        return rows.Count;
    }

    /// <summary>
    /// Removes the key files of versions below the current one that no row uses (the caller holds the writer gate), once
    /// the current version's rewrap journal exists (written here when a crash left a rotation without it).
    /// </summary>
    private List<int> RetireUnusedKeyFiles()
    {
        var retired = new List<int>();
        if (!_keys.Ring.IsFileBased)
        {
            return retired;
        }

        List<int> unused;
        using (SqliteConnection reader = _db.OpenReader())
        {
            ArchiveKeyStatus status = KeyStatusReader.Read(_options, reader);
            unused = [.. status.Versions.Where(v => v.Available && !v.InUse && v.Version < _keys.Ring.CurrentVersion).Select(v => v.Version)];
        }

        if (unused.Count > 0 && !File.Exists(Path.Combine(_options.RewrapJournalDirectory, RewrapJournal.FileName(_keys.Ring.CurrentVersion))))
        {
            WriteRewrapJournal();
        }

        foreach (int v in unused)
        {
            if (_keys.Ring.RetireFile(v))
            {
                retired.Add(v);
            }
        }

        return retired;
    }

    /// <summary>Writes the current version's rewrap journal: every indexed object's data key, wrapped under that version.</summary>
    private long WriteRewrapJournal()
    {
        int version = _keys.Ring.CurrentVersion;
        return RewrapJournal.Write(_options.RewrapJournalDirectory, version, JournalEntries(version));
    }

    private IEnumerable<(byte[] ObjectId, byte[] WrappedKey)> JournalEntries(int version)
    {
        using SqliteConnection reader = _db.OpenReader();
        using SqliteCommand select = ArchiveDatabase.Command(
            reader,
            null,
            "SELECT object_id, kek_version, wrapped_key FROM instances WHERE object_name IS NOT NULL AND wrapped_key IS NOT NULL ORDER BY object_name");
        using SqliteDataReader r = select.ExecuteReader();
        while (r.Read())
        {
            int old = r.GetInt32(1);
            byte[] wrapped = (byte[])r[2];
            if (old != version)
            {
                byte[] key = _keys.Ring.Unwrap(old, wrapped);
                wrapped = _keys.Ring.WrapUnder(version, key);
                CryptographicOperations.ZeroMemory(key);
            }

            yield return ((byte[])r[0], wrapped);
        }
    }

    /// <summary>
    /// Registers an object about to be written and returns the key version its header wraps the data key under (the
    /// current one). A rotation waits for every object registered under an older version before it writes its journal.
    /// </summary>
    private int BeginObjectUnder()
    {
        lock (_objectsInFlightGate)
        {
            int version = _keys.Ring.CurrentVersion;
            _objectsInFlight[version] = _objectsInFlight.GetValueOrDefault(version) + 1;
            return version;
        }
    }

    /// <summary>Ends what <see cref="BeginObjectUnder"/> began (the object is committed, or abandoned).</summary>
    private void EndObjectUnder(int version)
    {
        lock (_objectsInFlightGate)
        {
            if (--_objectsInFlight[version] == 0)
            {
                _objectsInFlight.Remove(version);
            }
        }
    }

    private async Task WaitForObjectsUnderOlderVersionsAsync(int version, CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_objectsInFlightGate)
            {
                if (!_objectsInFlight.Keys.Any(v => v < version))
                {
                    return;
                }
            }

            await Task.Delay(DrainPoll, cancellationToken).ConfigureAwait(false);
        }
    }
}
