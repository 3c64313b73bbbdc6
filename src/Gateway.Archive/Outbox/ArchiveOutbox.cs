using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Gateway.Archive.Crypto;
using Gateway.Archive.Index;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Gateway.Archive.Outbox;

/// <summary>
/// The durable outbox of store-and-forward, in the index database: one item per (instance, destination), written in the
/// instance's own transaction. Forwarders lease the next due item of their destination, then mark it delivered or
/// failed (with the next attempt time they computed); items that keep failing past <see cref="ArchiveOptions.DeadLetterAfter"/>
/// become dead letters until an operator retries them. Delivered items stay as history until retention.
/// </summary>
/// <remarks>
/// Every change is one committed transaction. Leases and delivery marks commit without waiting for the disk
/// (<c>synchronous=NORMAL</c>): a power loss may forget them, and the item is then leased and sent again, which the
/// destination dedupes by SOP Instance UID (at least once). Everything else commits durably. A lease is a time-limited claim: if its forwarder
/// dies, the item becomes due again when the lease expires (and at the next open of the archive); a completion with a
/// stale lease's token is refused (<see cref="OutboxFailureOutcome.LeaseLost"/>, or false). An expired lease does not count
/// as an attempt. Error texts are stored encrypted: a peer's error comment may quote patient data.
/// </remarks>
public sealed class ArchiveOutbox
{
    private const int MaxErrorLength = 1024;
    private readonly ArchiveDatabase _db;
    private readonly AttributeCipher? _cipher;
    private readonly ArchiveOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    internal ArchiveOutbox(ArchiveDatabase db, AttributeCipher? cipher, ArchiveOptions options, TimeProvider time, ILogger logger)
    {
        _db = db;
        _cipher = cipher;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Items pending or leased, across destinations (what backpressure compares with <see cref="ArchiveOptions.MaxOutboxDepth"/>).</summary>
    public Task<long> GetDepthAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Depth());
    }

    /// <summary>Leases the next due item of <paramref name="destination"/> (oldest due first) for <paramref name="leaseFor"/>.</summary>
    /// <returns>The lease, or null when nothing is due.</returns>
    public async Task<OutboxLease?> LeaseAsync(string destination, TimeSpan leaseFor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseFor, TimeSpan.Zero);
        long now = NowMs();
        long until = now + (long)leaseFor.TotalMilliseconds;
        long token = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & long.MaxValue;
        return await _db.WriteAsync((c, tx) =>
        {
            // A leased item's next_attempt_at is its lease's end, so one condition finds new, retry-due and expired-lease items.
            using SqliteCommand lease = ArchiveDatabase.Command(
                c,
                tx,
                """
                UPDATE outbox SET state = 1, leased_at = $p1, next_attempt_at = $p2, lease_token = $p3
                WHERE id = (SELECT id FROM outbox WHERE destination = $p0 AND state IN (0, 1) AND next_attempt_at <= $p1
                            ORDER BY next_attempt_at, id LIMIT 1)
                RETURNING id, instance_id, attempts, enqueued_at
                """,
                destination,
                now,
                until,
                token);
            long id;
            long instanceId;
            int attempts;
            long enqueued;
            using (SqliteDataReader row = lease.ExecuteReader())
            {
                if (!row.Read())
                {
                    return null;
                }

                id = row.GetInt64(0);
                instanceId = row.GetInt64(1);
                attempts = row.GetInt32(2);
                enqueued = row.GetInt64(3);
            }

            using SqliteCommand instance = ArchiveDatabase.Command(c, tx, "SELECT sop_instance_uid, sop_class_uid, transfer_syntax FROM instances WHERE id = $p0", instanceId);
            using SqliteDataReader i = instance.ExecuteReader();
            i.Read();
            return new OutboxLease
            {
                Id = id,
                Destination = destination,
                InstanceId = instanceId,
                SopInstanceUid = i.GetString(0),
                SopClassUid = i.GetString(1),
                TransferSyntaxUid = i.GetString(2),
                Attempts = attempts,
                EnqueuedAt = FromMs(enqueued),
                LeasedUntil = FromMs(until),
                Token = token,
            };
        }, cancellationToken, durable: false).ConfigureAwait(false);
    }

    /// <summary>Marks a leased item delivered.</summary>
    /// <returns>False when the lease was no longer held (nothing changed).</returns>
    public async Task<bool> MarkDeliveredAsync(OutboxLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        long now = NowMs();
        int changed = await _db.WriteAsync((c, tx) => ArchiveDatabase.Execute(
            c,
            """
            UPDATE outbox SET state = 2, delivered_at = $p2, attempts = attempts + 1, lease_token = NULL,
                service_ms = service_ms + MAX(0, $p2 - leased_at), next_attempt_at = $p2
            WHERE id = $p0 AND state = 1 AND lease_token = $p1
            """,
            tx,
            lease.Id,
            lease.Token,
            now), cancellationToken, durable: false).ConfigureAwait(false);
        return changed == 1;
    }

    /// <summary>
    /// Records a failed attempt: the item becomes pending again, due at <paramref name="nextAttemptAt"/> (the caller's
    /// backoff), or a dead letter when it has waited <see cref="ArchiveOptions.DeadLetterAfter"/> or longer.
    /// </summary>
    /// <param name="lease">The lease.</param>
    /// <param name="nextAttemptAt">When to try again.</param>
    /// <param name="error">What went wrong (stored encrypted; at most 1024 characters kept).</param>
    /// <param name="cancellationToken">Cancels the update.</param>
    public Task<OutboxFailureOutcome> MarkFailedAsync(OutboxLease lease, DateTimeOffset nextAttemptAt, string? error, CancellationToken cancellationToken) =>
        FailAsync(lease, nextAttemptAt, error, giveUp: false, cancellationToken);

    /// <summary>Records a failed attempt that will not succeed on retry (for example a refusal status): the item becomes a dead letter now.</summary>
    public Task<OutboxFailureOutcome> DeadLetterAsync(OutboxLease lease, string? error, CancellationToken cancellationToken) =>
        FailAsync(lease, _time.GetUtcNow(), error, giveUp: true, cancellationToken);

    /// <summary>
    /// Moves pending items that have failed at least once and have waited <see cref="ArchiveOptions.DeadLetterAfter"/> or
    /// longer to the dead-letter state (for destinations whose forwarder no longer attempts, for example behind an open
    /// circuit breaker).
    /// </summary>
    /// <returns>How many items were dead-lettered.</returns>
    public async Task<int> DeadLetterExpiredAsync(CancellationToken cancellationToken)
    {
        long now = NowMs();
        long cutoff = now - (long)_options.DeadLetterAfter.TotalMilliseconds;
        int count = await _db.WriteAsync((c, tx) => ArchiveDatabase.Execute(
            c,
            "UPDATE outbox SET state = 3, dead_at = $p0 WHERE state = 0 AND attempts > 0 AND age_from <= $p1",
            tx,
            now,
            cutoff), cancellationToken).ConfigureAwait(false);
        if (count > 0)
        {
            ArchiveMessages.DeadLetteredByAge(_logger, count);
        }

        return count;
    }

    /// <summary>
    /// Sends items again: one item by id (dead-lettered or pending) or every dead letter, optionally of one destination.
    /// They become pending and due now, with a fresh dead-letter clock; their attempt counts are kept.
    /// </summary>
    /// <returns>How many items were changed.</returns>
    public async Task<int> RetryAsync(OutboxRetry retry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(retry);
        if (retry.Id is null && !retry.AllDead)
        {
            throw new ArgumentException("name an item or ask for all dead letters", nameof(retry));
        }

        long now = NowMs();
        return await _db.WriteAsync((c, tx) => ArchiveDatabase.Execute(
            c,
            """
            UPDATE outbox SET state = 0, next_attempt_at = $p0, age_from = $p0, dead_at = NULL
            WHERE ($p1 IS NULL OR id = $p1) AND ($p2 IS NULL OR destination = $p2)
              AND (CASE WHEN $p1 IS NULL THEN state = 3 ELSE state IN (0, 3) END)
            """,
            tx,
            now,
            retry.Id,
            retry.Destination), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists items, oldest id first.</summary>
    public async Task<IReadOnlyList<OutboxItem>> ListAsync(OutboxQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        IReadOnlyList<OutboxState> states = query.States ?? [OutboxState.Pending, OutboxState.Leased, OutboxState.DeadLetter];
        string stateList = string.Join(',', states.Select(s => ((int)s).ToString(CultureInfo.InvariantCulture)));
        var items = new List<OutboxItem>();
        using SqliteConnection reader = _db.OpenReader();
        using SqliteCommand command = ArchiveDatabase.Command(
            reader,
            null,
            $"""
            SELECT o.id, o.destination, o.state, o.attempts, i.sop_instance_uid, o.enqueued_at, o.next_attempt_at, o.delivered_at,
                o.dead_at, o.last_error
            FROM outbox o JOIN instances i ON i.id = o.instance_id
            WHERE o.id > $p0 AND ($p1 IS NULL OR o.destination = $p1) AND o.state IN ({stateList})
            ORDER BY o.id LIMIT $p2
            """,
            query.AfterId,
            query.Destination,
            Math.Max(1, query.Limit));
        using SqliteDataReader row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            long id = row.GetInt64(0);
            byte[]? error = row.IsDBNull(9) ? null : (byte[])row[9];
            items.Add(new OutboxItem
            {
                Id = id,
                Destination = row.GetString(1),
                State = (OutboxState)row.GetInt32(2),
                Attempts = row.GetInt32(3),
                SopInstanceUid = row.GetString(4),
                EnqueuedAt = FromMs(row.GetInt64(5)),
                NextAttemptAt = FromMs(row.GetInt64(6)),
                DeliveredAt = row.IsDBNull(7) ? null : FromMs(row.GetInt64(7)),
                DeadLetteredAt = row.IsDBNull(8) ? null : FromMs(row.GetInt64(8)),
                LastError = DecryptError(id, error),
                HasError = error is not null,
            });
        }

        return items;
    }

    /// <summary>Counts per destination and state.</summary>
    public async Task<IReadOnlyList<OutboxCounts>> GetCountsAsync(CancellationToken cancellationToken)
    {
        var counts = new SortedDictionary<string, OutboxCounts>(StringComparer.Ordinal);
        using SqliteConnection reader = _db.OpenReader();
        using SqliteCommand command = ArchiveDatabase.Command(
            reader,
            null,
            "SELECT destination, state, attempts > 0, COUNT(*) FROM outbox GROUP BY destination, state, attempts > 0");
        using SqliteDataReader row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string destination = row.GetString(0);
            OutboxCounts c = counts.GetValueOrDefault(destination) ?? new OutboxCounts { Destination = destination };
            long n = row.GetInt64(3);
            counts[destination] = (OutboxState)row.GetInt32(1) switch
            {
                OutboxState.Pending => c with { Pending = c.Pending + n, Retrying = c.Retrying + (row.GetInt64(2) != 0 ? n : 0) },
                OutboxState.Leased => c with { Leased = c.Leased + n },
                OutboxState.Delivered => c with { Delivered = c.Delivered + n },
                _ => c with { DeadLetter = c.DeadLetter + n },
            };
        }

        return [.. counts.Values];
    }

    /// <summary>The queue figures of <paramref name="destination"/> over [<paramref name="since"/>, <paramref name="until"/>).</summary>
    public async Task<OutboxFlow> GetFlowAsync(string destination, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        long s = since.ToUnixTimeMilliseconds();
        long u = until.ToUnixTimeMilliseconds();
        using SqliteConnection reader = _db.OpenReader();
        long arrivals = (long)ArchiveDatabase.Scalar(reader, "SELECT COUNT(*) FROM outbox WHERE destination = $p0 AND enqueued_at >= $p1 AND enqueued_at < $p2", null, destination, s, u)!;
        long depth = (long)ArchiveDatabase.Scalar(reader, "SELECT COUNT(*) FROM outbox WHERE destination = $p0 AND state IN (0, 1)", null, destination)!;
        using SqliteCommand command = ArchiveDatabase.Command(
            reader,
            null,
            "SELECT COUNT(*), COALESCE(SUM(service_ms), 0) FROM outbox WHERE destination = $p0 AND state = 2 AND delivered_at >= $p1 AND delivered_at < $p2",
            destination,
            s,
            u);
        using SqliteDataReader row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await row.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new OutboxFlow
        {
            Destination = destination,
            Since = since,
            Until = until,
            Arrivals = arrivals,
            Completions = row.GetInt64(0),
            BusyTime = TimeSpan.FromMilliseconds(row.GetInt64(1)),
            Depth = depth,
        };
    }

    /// <summary>Every arrival and completion of <paramref name="destination"/> in [<paramref name="since"/>, <paramref name="until"/>), in time order.</summary>
    public async IAsyncEnumerable<OutboxEvent> ReadEventsAsync(
        string destination,
        DateTimeOffset since,
        DateTimeOffset until,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        using SqliteConnection reader = _db.OpenReader();
        using SqliteCommand command = ArchiveDatabase.Command(
            reader,
            null,
            """
            SELECT enqueued_at AS t, 0 AS kind, id, 0 FROM outbox WHERE destination = $p0 AND enqueued_at >= $p1 AND enqueued_at < $p2
            UNION ALL
            SELECT delivered_at, 1, id, service_ms FROM outbox WHERE destination = $p0 AND state = 2 AND delivered_at >= $p1 AND delivered_at < $p2
            ORDER BY t, kind, id
            """,
            destination,
            since.ToUnixTimeMilliseconds(),
            until.ToUnixTimeMilliseconds());
        using SqliteDataReader row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new OutboxEvent(
                FromMs(row.GetInt64(0)),
                row.GetInt32(1) == 0 ? OutboxEventKind.Arrival : OutboxEventKind.Completion,
                row.GetInt64(2),
                TimeSpan.FromMilliseconds(row.GetInt64(3)));
        }
    }

    /// <summary>The pending-or-leased count, from the trigger-maintained counter.</summary>
    internal long Depth()
    {
        using SqliteConnection reader = _db.OpenReader();
        return (long)(ArchiveDatabase.Scalar(reader, "SELECT depth FROM outbox_depth WHERE id = 1") ?? 0L);
    }

    /// <summary>Queues <paramref name="instanceId"/> for each destination that has no item for it yet (inside the caller's transaction).</summary>
    internal static IReadOnlyList<string> Enqueue(SqliteConnection c, SqliteTransaction tx, long instanceId, IReadOnlyList<string> destinations, long now)
    {
        var queued = new List<string>();
        foreach (string destination in destinations)
        {
            if (ArchiveDatabase.Execute(
                c,
                "INSERT OR IGNORE INTO outbox(instance_id, destination, state, attempts, enqueued_at, age_from, next_attempt_at) VALUES ($p0, $p1, 0, 0, $p2, $p2, $p2)",
                tx,
                instanceId,
                destination,
                now) == 1)
            {
                queued.Add(destination);
            }
        }

        return queued;
    }

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<OutboxFailureOutcome> FailAsync(OutboxLease lease, DateTimeOffset nextAttemptAt, string? error, bool giveUp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        long now = NowMs();
        long next = Math.Max(now, nextAttemptAt.ToUnixTimeMilliseconds());
        long deadAge = (long)_options.DeadLetterAfter.TotalMilliseconds;
        (OutboxFailureOutcome outcome, int attempts) = await _db.WriteAsync((c, tx) =>
        {
            long ageFrom;
            int attempts;
            using (SqliteCommand select = ArchiveDatabase.Command(c, tx, "SELECT age_from, attempts FROM outbox WHERE id = $p0 AND state = 1 AND lease_token = $p1", lease.Id, lease.Token))
            using (SqliteDataReader row = select.ExecuteReader())
            {
                if (!row.Read())
                {
                    return (OutboxFailureOutcome.LeaseLost, 0);
                }

                ageFrom = row.GetInt64(0);
                attempts = row.GetInt32(1) + 1;
            }

            bool dead = giveUp || now - ageFrom >= deadAge;
            byte[]? blob = EncryptError(lease.Id, error);
            ArchiveDatabase.Execute(
                c,
                """
                UPDATE outbox SET state = $p1, attempts = $p2, next_attempt_at = $p3, dead_at = $p4, last_error = $p5,
                    lease_token = NULL, service_ms = service_ms + MAX(0, $p6 - leased_at)
                WHERE id = $p0
                """,
                tx,
                lease.Id,
                dead ? (int)OutboxState.DeadLetter : (int)OutboxState.Pending,
                attempts,
                dead ? now : next,
                dead ? now : null,
                blob,
                now);
            return (dead ? OutboxFailureOutcome.DeadLettered : OutboxFailureOutcome.Retrying, attempts);
        }, cancellationToken).ConfigureAwait(false);
        if (outcome == OutboxFailureOutcome.DeadLettered)
        {
            ArchiveMessages.DeadLettered(_logger, lease.Id, lease.Destination, attempts);
        }

        return outcome;
    }

    private byte[]? EncryptError(long id, string? error)
    {
        if (string.IsNullOrEmpty(error))
        {
            return null;
        }

        if (_cipher is null)
        {
            throw new InvalidOperationException("error texts need the archive's keys");
        }

        string text = error.Length > MaxErrorLength ? error[..MaxErrorLength] : error;
        return _cipher.Encrypt(ErrorContext(id), Encoding.UTF8.GetBytes(text));
    }

    private string? DecryptError(long id, byte[]? blob)
    {
        if (blob is null || _cipher is null)
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(_cipher.Decrypt(ErrorContext(id), blob));
        }
        catch (ArchiveIntegrityException)
        {
            return null;
        }
    }

    private static string ErrorContext(long id) => string.Create(CultureInfo.InvariantCulture, $"outbox-error:{id}");
}
