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
    private void SignCheckpoint(List<TaskCompletionSource<Checkpoint>>? requests, (long Size, byte[] Root)? head)
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
                    head = (_tree.Size, _tree.Root());
                    _checkpointPlanned = Math.Max(_checkpointPlanned, _tree.Size);
                }
            }

            (long size, byte[] root) = head.Value;
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
                _checkpoints.Write(CheckpointStore.Frame(note));
                _checkpoints.Flush(flushToDisk: true);
                Volatile.Write(ref _checkpointSize, checkpoint.Size);
                _checkpointTimestamp = _time.GetTimestamp();
                if (_checkpointTimerArmed)
                {
                    _checkpointTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    _checkpointTimerArmed = false;
                }

                Volatile.Write(ref _latestCheckpoint, checkpoint);
                AuditLogMessages.CheckpointSigned(_logger, checkpoint.Size);
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
}
