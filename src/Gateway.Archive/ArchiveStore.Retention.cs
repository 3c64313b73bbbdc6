using Gateway.Archive.Index;
using Gateway.Archive.Storage;
using Microsoft.Data.Sqlite;

namespace Gateway.Archive;

public sealed partial class ArchiveStore
{
    private const int PurgeBatch = 256;

    // Which instances retention may purge now: archived, not a conflict copy, no item pending, leased or dead-lettered,
    // and either delivered everywhere long enough ago or (when configured) stored with no destination long enough ago.
    private const string Purgeable = """
        i.object_name IS NOT NULL AND i.conflict = 0
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.instance_id = i.id AND o.state <> 2)
          AND (CASE WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.instance_id = i.id)
                    THEN (SELECT MAX(o.delivered_at) FROM outbox o WHERE o.instance_id = i.id) <= $p0
                    ELSE $p1 AND i.received_at <= $p0 END)
        """;

    /// <summary>
    /// Retention: removes the objects of instances that every destination has received, <see cref="ArchiveOptions.ObjectRetention"/>
    /// after the last delivery (and, with <see cref="ArchiveOptions.PurgeUnforwarded"/>, of instances stored with no
    /// destination, that long after they arrived); then forgets purged instances, with their delivered outbox rows and
    /// any series and study left empty, <see cref="ArchiveOptions.HistoryRetention"/> after the purge.
    /// </summary>
    /// <remarks>
    /// An instance with an item pending, leased or dead-lettered is never purged; conflict copies are never purged
    /// automatically. Each batch first commits the rows as purged (data key erased from the index: the object is then
    /// unreadable even from a backup of the file), then deletes the files; a crash in between leaves unreferenced files,
    /// removed at the next open.
    /// </remarks>
    public Task<ArchivePurgeResult> PurgeAsync(CancellationToken cancellationToken) => PurgeAsync(null, cancellationToken);

    /// <summary>
    /// Retention as <see cref="PurgeAsync(CancellationToken)"/>, calling <paramref name="beforePurge"/> with each batch of
    /// instances before any of them is purged (to write the deletion to an audit log first).
    /// </summary>
    /// <remarks>
    /// When <paramref name="beforePurge"/> throws, that batch and the rest are left alone and the exception propagates, so
    /// nothing is purged without its record. The batch is checked again when it is purged: an instance that meanwhile got
    /// a new outbox item (the same instance stored again for another destination) stays, so the callback may name an
    /// instance that then is not purged, never the other way round.
    /// </remarks>
    /// <param name="beforePurge">Called with every batch (never empty) before it is purged; null for none.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    public async Task<ArchivePurgeResult> PurgeAsync(Func<IReadOnlyList<ArchivePurgeCandidate>, CancellationToken, Task>? beforePurge, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        long now = NowMs();
        long objectCutoff = now - (long)_options.ObjectRetention.TotalMilliseconds;
        long historyCutoff = now - (long)_options.HistoryRetention.TotalMilliseconds;
        int objects = 0;
        long bytes = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            List<ArchivePurgeCandidate> candidates = SelectPurgeable(objectCutoff);
            if (candidates.Count == 0)
            {
                break;
            }

            if (beforePurge is not null)
            {
                await beforePurge(candidates, cancellationToken).ConfigureAwait(false);
            }

            List<string> names = await _db.WriteAsync((c, tx) => MarkPurged(c, tx, now, objectCutoff, candidates), cancellationToken).ConfigureAwait(false);
            var directories = new HashSet<string>(StringComparer.Ordinal);
            foreach (string name in names)
            {
                string path = ObjectPath(name);
                try
                {
                    var info = new FileInfo(path);
                    if (info.Exists)
                    {
                        bytes += info.Length;
                        info.Delete();
                        directories.Add(info.DirectoryName!);
                    }
                }
                catch (IOException)
                {
                    // Unreferenced now: removed at the next open.
                }
            }

            foreach (string directory in directories)
            {
                FileSync.FlushDirectory(directory);
            }

            objects += names.Count;
            if (candidates.Count < PurgeBatch)
            {
                break;
            }
        }

        (int forgotten, int outboxRows) = await _db.WriteAsync((c, tx) => ForgetHistory(c, tx, historyCutoff), cancellationToken).ConfigureAwait(false);
        if (objects > 0 || forgotten > 0)
        {
            ArchiveMessages.Purged(_logger, objects, bytes, forgotten, outboxRows);
        }

        return new ArchivePurgeResult { ObjectsPurged = objects, BytesFreed = bytes, InstancesForgotten = forgotten, OutboxRowsRemoved = outboxRows };
    }

    private List<ArchivePurgeCandidate> SelectPurgeable(long cutoff)
    {
        var candidates = new List<ArchivePurgeCandidate>();
        using SqliteConnection reader = _db.OpenReader();
        using SqliteCommand select = ArchiveDatabase.Command(
            reader,
            null,
            $"""
            SELECT i.id, i.sop_instance_uid, i.sop_class_uid, se.series_uid, st.study_uid
            FROM instances i JOIN series se ON se.id = i.series_id JOIN studies st ON st.id = se.study_id
            WHERE {Purgeable}
            ORDER BY i.id
            LIMIT $p2
            """,
            cutoff,
            _options.PurgeUnforwarded,
            PurgeBatch);
        using SqliteDataReader r = select.ExecuteReader();
        while (r.Read())
        {
            candidates.Add(new ArchivePurgeCandidate
            {
                InstanceId = r.GetInt64(0),
                SopInstanceUid = r.GetString(1),
                SopClassUid = r.GetString(2),
                SeriesInstanceUid = r.GetString(3),
                StudyInstanceUid = r.GetString(4),
            });
        }

        return candidates;
    }

    // Purges the candidates that are still purgeable (checked again inside the write transaction); returns their object names.
    private List<string> MarkPurged(SqliteConnection c, SqliteTransaction tx, long now, long cutoff, List<ArchivePurgeCandidate> candidates)
    {
        var names = new List<string>(candidates.Count);
        using SqliteCommand select = ArchiveDatabase.Command(
            c,
            tx,
            $"SELECT i.object_name FROM instances i WHERE i.id = $p2 AND {Purgeable}",
            cutoff,
            _options.PurgeUnforwarded,
            0L);
        using SqliteCommand update = ArchiveDatabase.Command(
            c,
            tx,
            "UPDATE instances SET object_name = NULL, object_id = NULL, kek_version = NULL, wrapped_key = NULL, purged_at = $p0 WHERE id = $p1",
            now,
            0L);
        foreach (ArchivePurgeCandidate candidate in candidates)
        {
            select.Parameters[2].Value = candidate.InstanceId;
            if (select.ExecuteScalar() is not string name)
            {
                continue;
            }

            update.Parameters[1].Value = candidate.InstanceId;
            update.ExecuteNonQuery();
            names.Add(name);
        }

        return names;
    }

    private static (int Forgotten, int OutboxRows) ForgetHistory(SqliteConnection c, SqliteTransaction tx, long cutoff)
    {
        int outboxRows = ArchiveDatabase.Execute(
            c,
            "DELETE FROM outbox WHERE state = 2 AND instance_id IN (SELECT id FROM instances WHERE purged_at IS NOT NULL AND purged_at <= $p0)",
            tx,
            cutoff);
        int forgotten = ArchiveDatabase.Execute(
            c,
            "DELETE FROM instances WHERE purged_at IS NOT NULL AND purged_at <= $p0 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.instance_id = instances.id)",
            tx,
            cutoff);
        ArchiveDatabase.Execute(c, "DELETE FROM series WHERE NOT EXISTS (SELECT 1 FROM instances i WHERE i.series_id = series.id)", tx);
        ArchiveDatabase.Execute(c, "DELETE FROM studies WHERE NOT EXISTS (SELECT 1 FROM series s WHERE s.study_id = studies.id)", tx);
        return (forgotten, outboxRows);
    }
}
