using Gateway.Audit.Checkpoints;

namespace Gateway.Audit;

/// <content>Completing batches in order once durable; failing everything not known to be durable.</content>
public sealed partial class AuditLog
{
    // The batch's own sync succeeded: complete it, and every batch after it whose sync already had, in order.
    private void Complete(CommitBatch synced)
    {
        List<TaskCompletionSource<Checkpoint>>? requests = null;
        TreeHead? head = null;
        lock (_completion)
        {
            if (Volatile.Read(ref _failure) is { } failure)
            {
                // An earlier batch failed: what it covered is lost for all we know, and this batch comes after it.
                FailInFlightLocked(failure);
                return;
            }

            synced.Synced = true;
            while (_inFlight.TryPeek(out CommitBatch? batch) && batch.Synced)
            {
                _inFlight.Dequeue();
                // Leaf hashes join the tree only once durable.
                for (int i = 0; i < batch.Count; i++)
                {
                    _tree.Append(batch.LeafHash(i));
                }

                if (batch.Count > 0)
                {
                    _lastRecord = batch.LastFrame;
                    _lastLeafHash = batch.LeafHash(batch.Count - 1).ToArray();
                }

                Volatile.Write(ref _size, _tree.Size);
                for (int i = 0; i < batch.Count; i++)
                {
                    batch.Append(i).TrySetResult(batch.FirstIndex + i);
                }

                if (batch.Count > 0)
                {
                    _capacity.Release(batch.Count);
                }

                if (batch.CheckpointRequests.Count > 0)
                {
                    (requests ??= []).AddRange(batch.CheckpointRequests);
                }

                if (batch.Release())
                {
                    Recycle(batch);
                }
            }

            // The tree head to sign is taken now, so that a checkpoint falls exactly every N records when appends come one
            // at a time, whatever completes while it is being signed.
            // The next one counts from the last head taken, which may still be being signed.
            if (requests is not null || _tree.Size - _checkpointPlanned >= _options.CheckpointEveryRecords)
            {
                head = TakeTreeHead();
                _checkpointPlanned = _tree.Size;
            }
        }

        if (head is not null)
        {
            SignCheckpoint(requests, head);
        }

        ArmCheckpointTimer();
    }

    // Fails every batch written and not yet completed: after a failed write or sync, none of them is known to be durable.
    private void FailInFlight(Exception cause)
    {
        lock (_completion)
        {
            FailInFlightLocked(cause);
        }
    }

    // Under _completion.
    private void FailInFlightLocked(Exception cause)
    {
        while (_inFlight.TryDequeue(out CommitBatch? batch))
        {
            Fail(batch, cause);
            if (batch.Release())
            {
                Recycle(batch);
            }
        }
    }

    private void Recycle(CommitBatch batch)
    {
        batch.Reset();
        if (batch.IsOversized)
        {
            return;
        }

        lock (_gate)
        {
            _free.Push(batch);
        }
    }

    private void Poison(Exception ex)
    {
        if (Interlocked.CompareExchange(ref _failure, ex, null) is null)
        {
            AuditLogMessages.WriteFailed(_logger, ex);
        }
    }

    // Fails every append and checkpoint request of the batch: none of them is known to be durable.
    private void Fail(CommitBatch batch, Exception cause)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            batch.Append(i).TrySetException(new AuditLogException("the audit record could not be made durable: " + cause.Message, cause));
        }

        if (batch.Count > 0)
        {
            _capacity.Release(batch.Count);
        }

        foreach (TaskCompletionSource<Checkpoint> request in batch.CheckpointRequests)
        {
            request.TrySetException(new AuditLogException("the audit log failed before the checkpoint: " + cause.Message, cause));
        }
    }
}
