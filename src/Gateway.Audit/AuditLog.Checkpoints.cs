using Gateway.Audit.Checkpoints;
using Gateway.Audit.Storage;

namespace Gateway.Audit;

/// <content>Signed checkpoints: every N records, T seconds after an unsigned record, on request, and at shutdown.</content>
public sealed partial class AuditLog
{
    // Signs a checkpoint over the tree head taken at a completion (or, without one, over everything durable now) when it
    // covers more than the last checkpoint, or when checkpoints were requested. Checkpoints are written one at a time and
    // their sizes never go down, whichever committer signs: a request whose head is older than the latest checkpoint gets
    // that checkpoint, which covers more.
    private void SignCheckpoint(List<TaskCompletionSource<Checkpoint>>? requests, TreeHead? head)
    {
        lock (_checkpointLock)
        {
            if (Volatile.Read(ref _failure) is { } failed)
            {
                foreach (TaskCompletionSource<Checkpoint> request in requests ?? [])
                {
                    request.TrySetException(new AuditLogException("the audit log failed earlier: " + failed.Message, failed));
                }

                return;
            }

            if (head is null)
            {
                lock (_completion)
                {
                    head = TakeTreeHead();
                    _checkpointPlanned = Math.Max(_checkpointPlanned, _tree.Size);
                }
            }

            long size = head.Size;
            byte[] root = head.Root;
            if (size < _checkpointSize || (size == _checkpointSize && requests is null))
            {
                if (requests is not null && _latestCheckpoint is { } latest)
                {
                    foreach (TaskCompletionSource<Checkpoint> request in requests)
                    {
                        request.TrySetResult(latest);
                    }
                }

                return;
            }

            try
            {
                DateTimeOffset now = DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());
                var checkpoint = new Checkpoint(_signer.Name, size, root, now);
                string note = _signer.Sign(CheckpointFormat.Format(checkpoint));
                byte[] frame = CheckpointStore.Frame(note);
                long noteOffset = _checkpointsLength;
                _checkpoints.Write(frame);
                _checkpoints.Flush(flushToDisk: true);
                _checkpointsLength += frame.Length;
                Volatile.Write(ref _checkpointSize, checkpoint.Size);
                _checkpointTimestamp = _time.GetTimestamp();
                if (_checkpointTimerArmed)
                {
                    _checkpointTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    _checkpointTimerArmed = false;
                }

                Volatile.Write(ref _latestCheckpoint, checkpoint);
                AuditLogMessages.CheckpointSigned(_logger, checkpoint.Size);
                SaveFrontier(head, noteOffset);
                foreach (TaskCompletionSource<Checkpoint> request in requests ?? [])
                {
                    request.TrySetResult(checkpoint);
                }
            }
            catch (Exception ex)
            {
                Poison(ex);
                foreach (TaskCompletionSource<Checkpoint> request in requests ?? [])
                {
                    request.TrySetException(new AuditLogException("could not write a checkpoint: " + ex.Message, ex));
                }
            }
        }
    }

    // Under _completion: the tree now, with what a frontier saved for it needs.
    private TreeHead TakeTreeHead() =>
        new(_tree.Size, _tree.Root(), [.. _tree.Nodes], _tree.LastLeafInclusionProof(), _lastLeafHash, _lastRecord);

    /// <summary>
    /// For tests that copy a live log as a crash would leave it: waits until the checkpoint at <paramref name="size"/> (or
    /// a later one) and its frontier are on disk, and no other checkpoint is being written.
    /// </summary>
    internal async Task WaitForCheckpointAsync(long size, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while ((LatestCheckpoint?.Size ?? 0) < size)
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"no checkpoint at {size} within {timeout}");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        // The latest checkpoint is published before its frontier is saved, both under the lock: taking it waits for both.
        lock (_checkpointLock)
        {
        }
    }

    // Under _checkpointLock, once the checkpoint of `head` is durable at `noteOffset`: the next open starts from here. Not
    // saving it costs only a longer open (the previous frontier, or none, is used), so a failure is logged, not fatal.
    private void SaveFrontier(TreeHead head, long noteOffset)
    {
        if (head.Size == 0)
        {
            return;
        }

        try
        {
            var frontier = new Frontier(head.Size, noteOffset, head.LastRecord.Segment, head.LastRecord.Offset, head.LastRecord.Length, head.LastLeafHash, head.Nodes, head.LastLeafProof);
            int slot = 1 - _frontierSlot;
            FrontierFile.Write(_frontierFile.SafeFileHandle, slot, frontier);
            _frontierSlot = slot;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            AuditLogMessages.FrontierNotSaved(_logger, ex);
        }
    }

    // Arms the timer that signs a checkpoint once records have waited CheckpointInterval without one.
    private void ArmCheckpointTimer()
    {
        lock (_checkpointLock)
        {
            if (_checkpointTimerArmed || _failure is not null || Size == _checkpointSize || _options.CheckpointInterval == TimeSpan.Zero)
            {
                return;
            }

            TimeSpan due = _options.CheckpointInterval - _time.GetElapsedTime(_checkpointTimestamp);
            _checkpointTimer.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            _checkpointTimerArmed = true;
        }
    }

    private void OnCheckpointTimer()
    {
        lock (_gate)
        {
            _checkpointDue = true;
            WakeCommitter();
        }
    }

    /// <summary>The tree at some size, with where its last record is: what a checkpoint signs and a frontier saves.</summary>
    private sealed record TreeHead(long Size, byte[] Root, IReadOnlyList<byte[]> Nodes, IReadOnlyList<byte[]> LastLeafProof, byte[] LastLeafHash, (long Segment, long Offset, int Length) LastRecord);
}
