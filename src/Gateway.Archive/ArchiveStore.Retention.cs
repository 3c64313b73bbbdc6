using Gateway.Archive.Index;
using Gateway.Archive.Storage;
using Microsoft.Data.Sqlite;

namespace Gateway.Archive;

public sealed partial class ArchiveStore
{
    private const int PurgeBatch = 256;

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
    public async Task<ArchivePurgeResult> PurgeAsync(CancellationToken cancellationToken)
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
            List<string> names = await _db.WriteAsync((c, tx) => PurgeBatchOf(c, tx, now, objectCutoff), cancellationToken).ConfigureAwait(false);
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
            if (names.Count < PurgeBatch)
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

    private List<string> PurgeBatchOf(SqliteConnection c, SqliteTransaction tx, long now, long cutoff)
    {
        var rows = new List<(long Id, string Name)>();
        using (SqliteCommand select = ArchiveDatabase.Command(
            c,
            tx,
            """
            SELECT i.id, i.object_name FROM instances i
            WHERE i.object_name IS NOT NULL AND i.conflict = 0
              AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.instance_id = i.id AND o.state <> 2)
              AND (CASE WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.instance_id = i.id)
                        THEN (SELECT MAX(o.delivered_at) FROM outbox o WHERE o.instance_id = i.id) <= $p0
                        ELSE $p1 AND i.received_at <= $p0 END)
            LIMIT $p2
            """,
            cutoff,
            _options.PurgeUnforwarded,
            PurgeBatch))
        using (SqliteDataReader r = select.ExecuteReader())
        {
            while (r.Read())
            {
                rows.Add((r.GetInt64(0), r.GetString(1)));
            }
        }

        using SqliteCommand update = ArchiveDatabase.Command(
            c,
            tx,
            "UPDATE instances SET object_name = NULL, object_id = NULL, kek_version = NULL, wrapped_key = NULL, purged_at = $p0 WHERE id = $p1",
            now,
            0L);
        foreach ((long id, _) in rows)
        {
            update.Parameters[1].Value = id;
            update.ExecuteNonQuery();
        }

        return rows.ConvertAll(r => r.Name);
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
