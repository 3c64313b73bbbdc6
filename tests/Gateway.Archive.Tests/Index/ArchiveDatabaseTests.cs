using Gateway.Archive.Index;
using Gateway.Archive.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Gateway.Archive.Tests.Index;

/// <summary>Group commit: concurrent writes share a transaction, each in its own savepoint.</summary>
public sealed class ArchiveDatabaseTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private ArchiveDatabase Open()
    {
        ArchiveDatabase db = ArchiveDatabase.Open(Path.Combine(_directory.Path, "index.db"), create: true);
        db.WithWriter(c => ArchiveDatabase.Execute(c, "CREATE TABLE IF NOT EXISTS t (v INTEGER NOT NULL UNIQUE)"));
        return db;
    }

    private static long Count(ArchiveDatabase db)
    {
        using SqliteConnection reader = db.OpenReader();
        return (long)ArchiveDatabase.Scalar(reader, "SELECT COUNT(*) FROM t")!;
    }

    [Fact]
    public async Task ConcurrentWrites_OneFails_OnlyItsChangesAreUndone()
    {
        using ArchiveDatabase db = Open();
        var writes = new List<Task<int>>();
        for (int i = 0; i < 200; i++)
        {
            int v = i;

            // Every tenth write inserts a row and then fails: that row must not survive, the others must.
            writes.Add(Task.Run(() => db.WriteAsync(
                (c, tx) =>
                {
                    ArchiveDatabase.Execute(c, "INSERT INTO t (v) VALUES ($p0)", tx, v);
                    return v % 10 == 3 ? throw new InvalidOperationException("refused " + v) : v;
                },
                CancellationToken.None,
                durable: v % 2 == 0)));
        }

        int failed = 0;
        foreach (Task<int> w in writes)
        {
            try
            {
                await w;
            }
            catch (InvalidOperationException ex)
            {
                Assert.StartsWith("refused ", ex.Message, StringComparison.Ordinal);
                failed++;
            }
        }

        Assert.Equal(20, failed);
        Assert.Equal(180, Count(db));
        using SqliteConnection reader = db.OpenReader();
        Assert.Equal(0L, ArchiveDatabase.Scalar(reader, "SELECT COUNT(*) FROM t WHERE v % 10 = 3"));
    }

    [Fact]
    public async Task ConstraintViolationInOneWrite_DoesNotLoseTheBatch()
    {
        using ArchiveDatabase db = Open();
        await db.WriteAsync((c, tx) => ArchiveDatabase.Execute(c, "INSERT INTO t (v) VALUES (1)", tx), CancellationToken.None);

        Task<int>[] writes =
        [
            .. Enumerable.Range(0, 50).Select(i => Task.Run(() => db.WriteAsync(
                (c, tx) => ArchiveDatabase.Execute(c, "INSERT INTO t (v) VALUES ($p0)", tx, i == 25 ? 1 : 1000 + i),
                CancellationToken.None))),
        ];

        await Assert.ThrowsAsync<SqliteException>(() => writes[25]);
        foreach (Task<int> w in writes.Where((_, i) => i != 25))
        {
            Assert.Equal(1, await w);
        }

        Assert.Equal(50, Count(db));
    }

    [Fact]
    public async Task CancelledBeforeItRuns_ChangesNothing()
    {
        using ArchiveDatabase db = Open();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.WriteAsync((c, tx) => ArchiveDatabase.Execute(c, "INSERT INTO t (v) VALUES (7)", tx), cts.Token));
        Assert.Equal(0, Count(db));
    }

    [Fact]
    public async Task DurableAfterNonDurable_CommitsBoth()
    {
        using (ArchiveDatabase db = Open())
        {
            await db.WriteAsync((c, tx) => ArchiveDatabase.Execute(c, "INSERT INTO t (v) VALUES (1)", tx), CancellationToken.None, durable: false);
            await db.WriteAsync((c, tx) => ArchiveDatabase.Execute(c, "INSERT INTO t (v) VALUES (2)", tx), CancellationToken.None, durable: true);
            Assert.Equal("2", Convert.ToString(db.WithWriter(c => ArchiveDatabase.Scalar(c, "PRAGMA synchronous")), System.Globalization.CultureInfo.InvariantCulture));
        }

        using ArchiveDatabase reopened = ArchiveDatabase.Open(Path.Combine(_directory.Path, "index.db"), create: false);
        Assert.Equal(2, Count(reopened));
    }

    [Fact]
    public async Task WriteWhenIdle_IsCommittedOnTheCallersThreadBeforeTheCallReturns()
    {
        using ArchiveDatabase db = Open();
        int callerThread = Environment.CurrentManagedThreadId;
        int bodyThread = -1;
        Task<int> write = db.WriteAsync(
            (c, tx) =>
            {
                bodyThread = Environment.CurrentManagedThreadId;
                return ArchiveDatabase.Execute(c, "INSERT INTO t (v) VALUES (5)", tx);
            },
            CancellationToken.None);

        Assert.True(write.IsCompletedSuccessfully);
        Assert.Equal(callerThread, bodyThread);
        Assert.Equal(1, await write);
        Assert.Equal(1, Count(db));
    }

    [Fact]
    public async Task WriteWhileTheWriterIsHeld_ReturnsAtOnceAndCommitsWhenReleased()
    {
        using ArchiveDatabase db = Open();
        IDisposable held = await db.LockWriterAsync(CancellationToken.None);
        Task<int> write = db.WriteAsync((c, tx) => ArchiveDatabase.Execute(c, "INSERT INTO t (v) VALUES (6)", tx), CancellationToken.None);
        Task<int> second = db.WriteAsync((c, tx) => ArchiveDatabase.Execute(c, "INSERT INTO t (v) VALUES (7)", tx), CancellationToken.None);

        // The caller is not blocked on the held writer: the writes wait for it off the caller's thread.
        await Task.Delay(50);
        Assert.False(write.IsCompleted);
        Assert.False(second.IsCompleted);
        held.Dispose();

        Assert.Equal(1, await write.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, await second.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, Count(db));
    }
}
