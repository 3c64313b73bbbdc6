using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Gateway.Archive.Index;

/// <summary>
/// The SQLite index: one writer connection (WAL, <c>synchronous=FULL</c>) behind a gate, and short-lived pooled reader
/// connections. Every write is one <c>BEGIN IMMEDIATE</c> transaction, so a commit is on disk when it returns.
/// </summary>
internal sealed class ArchiveDatabase : IDisposable
{
    private readonly string _readerConnectionString;
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _writerGate = new(1, 1);

    // Group commit: writes wait here until the committer takes them into a batch.
    private const int MaxBatch = 64;
    private readonly List<IPendingWrite> _pending = [];
    private bool _committing;
    private bool _disposed;

    // The writer's current synchronous mode (FULL unless a batch of only non-durable writes switched it).
    private bool _synchronousFull = true;

    private ArchiveDatabase(string path, SqliteConnection writer, string readerConnectionString)
    {
        Path = path;
        _writer = writer;
        _readerConnectionString = readerConnectionString;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens (and with <paramref name="create"/>, creates) the index and brings its schema up to date.</summary>
    /// <exception cref="ArchiveIndexException">The file is missing (without create), or of a newer schema version.</exception>
    public static ArchiveDatabase Open(string path, bool create)
    {
        if (!create && !File.Exists(path))
        {
            throw new ArchiveIndexException($"no archive index at {path}");
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 30,
        };
        var writer = new SqliteConnection(builder.ToString());
        try
        {
            if (create && !File.Exists(path) && !OperatingSystem.IsWindows())
            {
                // SQLite creates the database, WAL and SHM files with the umask; start the database owner-only, and
                // SQLite gives the WAL and SHM files the database file's permissions.
                using (new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = Storage.FileSync.OwnerOnlyFile }))
                {
                }
            }

            writer.Open();
            Execute(writer, "PRAGMA journal_mode=WAL;");
            ApplyWriterPragmas(writer);
            long version = (long)Scalar(writer, "PRAGMA user_version;")!;
            if (version > ArchiveSchema.Version)
            {
                throw new ArchiveIndexException(string.Create(CultureInfo.InvariantCulture, $"the archive index has schema version {version}; this build knows {ArchiveSchema.Version}"));
            }

            if (version < ArchiveSchema.Version)
            {
                using SqliteTransaction tx = writer.BeginTransaction();
                Execute(writer, ArchiveSchema.Create, tx);
                Execute(writer, string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version={ArchiveSchema.Version};"), tx);
                tx.Commit();
            }
        }
        catch
        {
            writer.Dispose();
            throw;
        }

        builder.Pooling = true;
        builder.Mode = SqliteOpenMode.ReadWrite;
        return new ArchiveDatabase(path, writer, builder.ToString());
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a write transaction on the writer connection. Concurrent writes share one
    /// transaction and one commit (group commit): each runs inside its own savepoint, so a body that throws undoes only
    /// its own changes and gets its exception back, while the others commit. With <paramref name="durable"/> the commit
    /// is on disk (WAL fsynced) when the task completes; without it the commit is atomic and survives a crash of the
    /// process but may be lost with the machine's power, for bookkeeping that is safe to redo (leases, delivery marks).
    /// When no other write is being committed, this one is committed on the caller's thread before the call returns (the
    /// task is then already complete); <paramref name="body"/> must not wait for another write.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> body, CancellationToken cancellationToken, bool durable = true)
    {
        ArgumentNullException.ThrowIfNull(body);
        cancellationToken.ThrowIfCancellationRequested();
        var write = new PendingWrite<T>(body, durable, cancellationToken);
        bool lead;
        lock (_pending)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _pending.Add(write);
            lead = !_committing;
            _committing = true;
        }

        if (lead && !TryCommitInline())
        {
            // The first writer to find nobody committing becomes the committer. What it could not commit on its own thread
            // (the writer was held, or more writes arrived meanwhile) is drained off that thread, batch by batch until the
            // queue is empty; writes arriving meanwhile join the next batch.
            _ = Task.Run(CommitLoopAsync, CancellationToken.None);
        }

        return write.Task;
    }

    // When the index is idle (the common case: one device storing one instance at a time), the lead writer commits its own
    // batch on its own thread, with no hand-off to a committer and none back: each hand-off wakes a thread. Its caller
    // waits for the commit either way. True when the queue is empty afterwards and the committer role was given up.
    private bool TryCommitInline()
    {
        if (!_writerGate.Wait(0))
        {
            // Held (key rotation, retention): the committer waits for it asynchronously instead.
            return false;
        }

        try
        {
            IPendingWrite[] batch;
            lock (_pending)
            {
                batch = TakeBatchLocked();
            }

            CommitBatch(batch);
        }
        finally
        {
            _writerGate.Release();
        }

        lock (_pending)
        {
            if (_pending.Count == 0)
            {
                _committing = false;
                return true;
            }
        }

        return false;
    }

    private IPendingWrite[] TakeBatchLocked()
    {
        IPendingWrite[] batch = _pending.Count > MaxBatch ? [.. _pending.GetRange(0, MaxBatch)] : [.. _pending];
        _pending.RemoveRange(0, batch.Length);
        return batch;
    }

    private async Task CommitLoopAsync()
    {
        while (true)
        {
            IPendingWrite[] batch;
            lock (_pending)
            {
                if (_pending.Count == 0)
                {
                    _committing = false;
                    return;
                }

                batch = TakeBatchLocked();
            }

            await _writerGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                CommitBatch(batch);
            }
            finally
            {
                _writerGate.Release();
            }
        }
    }

    private void CommitBatch(IPendingWrite[] batch)
    {
        IPendingWrite[] live = [.. batch.Where(w => !w.CancelIfRequested())];
        if (live.Length == 0)
        {
            return;
        }

        try
        {
            SetSynchronous(live.Any(w => w.Durable));
            using SqliteTransaction tx = _writer.BeginTransaction();
            bool single = live.Length == 1;
            for (int i = 0; i < live.Length; i++)
            {
                string savepoint = string.Create(CultureInfo.InvariantCulture, $"w{i}");
                if (!single)
                {
                    tx.Save(savepoint);
                }

                try
                {
                    live[i].Run(_writer, tx);
                    if (!single)
                    {
                        tx.Release(savepoint);
                    }
                }
                catch (Exception ex) when (!single)
                {
                    tx.Rollback(savepoint);
                    tx.Release(savepoint);
                    live[i].Fail(ex);
                }
            }

            tx.Commit();
        }
        catch (Exception ex)
        {
            // The commit (or a single write) failed: nothing of the batch is on disk.
            foreach (IPendingWrite w in live)
            {
                w.Fail(ex);
            }

            return;
        }

        foreach (IPendingWrite w in live)
        {
            w.Complete();
        }
    }

    private void SetSynchronous(bool full)
    {
        if (_synchronousFull != full)
        {
            Execute(_writer, full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
            _synchronousFull = full;
        }
    }

    /// <summary>Holds the writer gate across several steps (key rotation, retention): each transaction still commits on its own.</summary>
    public async Task<IDisposable> LockWriterAsync(CancellationToken cancellationToken)
    {
        await _writerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(_writerGate);
    }

    /// <summary>Runs one write transaction while the caller already holds <see cref="LockWriterAsync"/>.</summary>
    public T WriteLocked<T>(Func<SqliteConnection, SqliteTransaction, T> body)
    {
        SetSynchronous(full: true);
        using SqliteTransaction tx = _writer.BeginTransaction();
        T result = body(_writer, tx);
        tx.Commit();
        return result;
    }

    /// <summary>Runs <paramref name="body"/> on the writer connection, outside any transaction, holding the gate (synchronously).</summary>
    public T WithWriter<T>(Func<SqliteConnection, T> body)
    {
        _writerGate.Wait();
        try
        {
            return body(_writer);
        }
        finally
        {
            _writerGate.Release();
        }
    }

    /// <summary>Opens a reader connection (pooled); the caller disposes it.</summary>
    public SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(_readerConnectionString);
        try
        {
            connection.Open();

            // Sorts and temporary indexes stay in memory: nothing the index reads is ever spilled to a temp file.
            Execute(connection, "PRAGMA temp_store=MEMORY;");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Creates a command with positional parameters <c>$p0</c>, <c>$p1</c>...</summary>
    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params object?[] parameters)
    {
        SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        for (int i = 0; i < parameters.Length; i++)
        {
            command.Parameters.AddWithValue(string.Create(CultureInfo.InvariantCulture, $"$p{i}"), parameters[i] ?? DBNull.Value);
        }

        return command;
    }

    public static int Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params object?[] parameters)
    {
        using SqliteCommand command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params object?[] parameters)
    {
        using SqliteCommand command = Command(connection, transaction, sql, parameters);
        object? value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public void Dispose()
    {
        lock (_pending)
        {
            _disposed = true;
        }

        // Writes already queued finish first: the writer is taken only once the committer has let it go.
        _writerGate.Wait();
        while (true)
        {
            lock (_pending)
            {
                if (!_committing)
                {
                    break;
                }
            }

            _writerGate.Release();
            Thread.Sleep(1);
            _writerGate.Wait();
        }

        _writer.Dispose();
        using (var reader = new SqliteConnection(_readerConnectionString))
        {
            SqliteConnection.ClearPool(reader);
        }

        _writerGate.Dispose();
    }

    private static void ApplyWriterPragmas(SqliteConnection connection)
    {
        // FULL: a commit is fsynced to the WAL before it returns (ack means durable). Temp data never touches disk.
        Execute(connection, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;");
    }

    private interface IPendingWrite
    {
        bool Durable { get; }

        /// <summary>Completes the write as cancelled if its token was cancelled before it ran.</summary>
        bool CancelIfRequested();

        void Run(SqliteConnection connection, SqliteTransaction transaction);

        void Complete();

        void Fail(Exception exception);
    }

    private sealed class PendingWrite<T>(Func<SqliteConnection, SqliteTransaction, T> body, bool durable, CancellationToken cancellationToken) : IPendingWrite
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _completion.Task;

        public bool Durable => durable;

        public bool CancelIfRequested() => cancellationToken.IsCancellationRequested && _completion.TrySetCanceled(cancellationToken);

        public void Run(SqliteConnection connection, SqliteTransaction transaction) => _result = body(connection, transaction);

        public void Complete() => _completion.TrySetResult(_result);

        public void Fail(Exception exception) => _completion.TrySetException(exception);
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
