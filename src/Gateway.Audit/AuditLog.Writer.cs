using Gateway.Audit.Checkpoints;
using Gateway.Audit.Storage;

namespace Gateway.Audit;

/// <content>The committer: one write and one fdatasync per batch, segment roll-over, checkpoints.</content>
public sealed partial class AuditLog
{
    private void CommitLoop()
    {
        try
        {
            RunCommitter();
            _writerStopped.TrySetResult();
        }
        catch (Exception ex)
        {
            // Not expected (Commit and TryCheckpoint contain their failures); still, never leave appends hanging.
            Poison(ex);
            lock (_gate)
            {
                _closing = true;
                while (TakeBatch() is { } batch)
                {
                    Fail(batch, ex);
                }
            }

            _writerStopped.TrySetException(ex);
        }
    }

    private void RunCommitter()
    {
        CommitBatch? done = null;
        while (true)
        {
            CommitBatch? batch;
            bool checkpointDue;
            bool closing;
            lock (_gate)
            {
                if (done is not null)
                {
                    _free.Push(done);
                    done = null;
                }

                while ((batch = TakeBatch()) is null && !_checkpointDue && !_closing)
                {
                    _committerWaiting = true;
                    long idleFrom = System.Diagnostics.Stopwatch.GetTimestamp();
                    Monitor.Wait(_gate);
                    _committerIdleTicks += System.Diagnostics.Stopwatch.GetTimestamp() - idleFrom;
                }

                checkpointDue = _checkpointDue;
                _checkpointDue = false;
                closing = batch is null && _closing;
            }

            if (batch is not null)
            {
                Commit(batch);
                batch.Reset();
                done = batch.IsOversized ? null : batch;
            }

            if (checkpointDue)
            {
                _checkpointTimerArmed = false;
                if (_failure is null && _tree.Size > _checkpointSize)
                {
                    TryCheckpoint(null);
                }

                ArmCheckpointTimer();
            }

            if (closing)
            {
                break;
            }
        }

        // Shutdown: sign what the last checkpoint does not cover yet.
        if (_failure is null && _tree.Size > _checkpointSize)
        {
            TryCheckpoint(null);
        }
    }

    // Under _gate: the oldest sealed batch, else the one filling if it holds anything.
    private CommitBatch? TakeBatch()
    {
        if (_sealed.Count > 0)
        {
            return _sealed.Dequeue();
        }

        if (_filling.IsEmpty)
        {
            return null;
        }

        CommitBatch batch = _filling;
        _filling = _free.Count > 0 ? _free.Pop() : new CommitBatch();
        return batch;
    }

    private void Commit(CommitBatch batch)
    {
        if (_failure is { } failed)
        {
            Fail(batch, failed);
            return;
        }

        try
        {
            int written = 0;
            int folded = 0;
            for (int i = 0; i < batch.Count; i++)
            {
                int frameStart = batch.FrameStart(i);
                if (_segmentLength + (batch.FrameEnd(i) - written) > _options.SegmentMaxBytes && (_segmentHasRecords || frameStart > written))
                {
                    // Make what precedes this frame durable in the current segment, then continue in a new one: a segment
                    // is complete on disk before the next one holds anything.
                    WriteDurably(batch.Frames(written, frameStart));
                    Fold(batch, ref folded, i);
                    RollSegment(batch.FirstIndex + i);
                    written = frameStart;
                }
            }

            WriteDurably(batch.Frames(written, batch.Length));
            Fold(batch, ref folded, batch.Count);
        }
        catch (Exception ex)
        {
            Poison(ex);
            Fail(batch, ex);
            return;
        }

        for (int i = 0; i < batch.Count; i++)
        {
            batch.Append(i).TrySetResult(batch.FirstIndex + i);
        }

        if (batch.Count > 0)
        {
            _capacity.Release(batch.Count);
        }

        foreach (TaskCompletionSource<Checkpoint> request in batch.CheckpointRequests)
        {
            TryCheckpoint(request);
        }

        if (_tree.Size - _checkpointSize >= _options.CheckpointEveryRecords)
        {
            TryCheckpoint(null);
        }

        ArmCheckpointTimer();
    }

    // Folds durable leaf hashes into the tree; only ever after their fsync.
    private void Fold(CommitBatch batch, ref int folded, int upTo)
    {
        for (; folded < upTo; folded++)
        {
            _tree.Append(batch.LeafHash(folded));
        }

        Volatile.Write(ref _size, _tree.Size);
    }

    private void WriteDurably(ReadOnlySpan<byte> frames)
    {
        if (frames.IsEmpty)
        {
            return;
        }

        RandomAccess.Write(_segment.SafeFileHandle, frames, _segmentLength);
        long syncFrom = System.Diagnostics.Stopwatch.GetTimestamp();
        // fdatasync: the data and the file size, which is all a reader needs; timestamps can wait.
        FileSync.FlushData(_segment.SafeFileHandle);
        _committerSyncTicks += System.Diagnostics.Stopwatch.GetTimestamp() - syncFrom;
        Interlocked.Increment(ref _commits);
        _segmentLength += frames.Length;
        _segmentHasRecords = true;
    }

    private void RollSegment(long firstIndex)
    {
        FileSync.FlushData(_segment.SafeFileHandle);
        _segment.Dispose();
        _segment = CreateSegment(_paths, firstIndex);
        _segmentLength = _segment.Length;
        _segmentHasRecords = false;
        AuditLogMessages.SegmentStarted(_logger, Path.GetFileName(_paths.Segment(firstIndex)));
    }

    private void ArmCheckpointTimer()
    {
        if (_checkpointTimerArmed || _failure is not null || _tree.Size == _checkpointSize || _options.CheckpointInterval == TimeSpan.Zero)
        {
            return;
        }

        TimeSpan due = _options.CheckpointInterval - _time.GetElapsedTime(_checkpointTimestamp);
        _checkpointTimer.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        _checkpointTimerArmed = true;
    }

    private void TryCheckpoint(TaskCompletionSource<Checkpoint>? request)
    {
        if (_failure is { } failed)
        {
            request?.TrySetException(new AuditLogException("the audit log failed earlier: " + failed.Message, failed));
            return;
        }

        try
        {
            DateTimeOffset now = DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());
            var checkpoint = new Checkpoint(_signer.Name, _tree.Size, _tree.Root(), now);
            string note = _signer.Sign(CheckpointFormat.Format(checkpoint));
            _checkpoints.Write(CheckpointStore.Frame(note));
            _checkpoints.Flush(flushToDisk: true);
            _checkpointSize = checkpoint.Size;
            _checkpointTimestamp = _time.GetTimestamp();
            if (_checkpointTimerArmed)
            {
                _checkpointTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _checkpointTimerArmed = false;
            }

            Volatile.Write(ref _latestCheckpoint, checkpoint);
            AuditLogMessages.CheckpointSigned(_logger, checkpoint.Size);
            request?.TrySetResult(checkpoint);
        }
        catch (Exception ex)
        {
            Poison(ex);
            request?.TrySetException(new AuditLogException("could not write a checkpoint: " + ex.Message, ex));
        }
    }

    private void Poison(Exception ex)
    {
        _failure ??= ex;
        AuditLogMessages.WriteFailed(_logger, ex);
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
