using Gateway.Audit.Storage;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Audit;

/// <content>
/// The committers: each takes the next batch, writes it after the last record of the segment (into zeros written ahead),
/// makes it durable with fdatasync, and completes it in order. With <see cref="AuditLogOptions.MaxConcurrentSyncs"/> above
/// 1, several syncs may be in flight at once: a batch written while another is being synced starts its own sync at once
/// instead of waiting.
/// </content>
/// <remarks>
/// Each committer syncs through its own read-only descriptor of the segment. Linux reports a writeback error to every
/// descriptor that was open when it happened, but only once per descriptor: with one shared descriptor, a sync that
/// started later could consume the error and report success for pages that were lost. And a batch completes only after
/// its own sync and the completion of every batch before it, so a failed sync fails everything after it.
/// </remarks>
public sealed partial class AuditLog
{
    private static readonly byte[] Zeros = new byte[64 * 1024];

    private void CommitLoop()
    {
        using var committer = new SegmentSyncHandle(_paths);
        try
        {
            while (CommitNext(committer))
            {
            }
        }
        catch (Exception ex)
        {
            // Not expected (writes and syncs contain their failures); still, never leave appends hanging.
            Poison(ex);
            lock (_gate)
            {
                _closing = true;
                Monitor.PulseAll(_gate);
            }

            FailInFlight(ex);
            lock (_writeLock)
            {
                lock (_gate)
                {
                    while (TakeBatch() is { } batch)
                    {
                        Fail(batch, ex);
                    }
                }
            }
        }
        finally
        {
            if (Interlocked.Decrement(ref _runningCommitters) == 0)
            {
                StopCommitters();
            }
        }
    }

    // The last committer to stop: sign what the last checkpoint does not cover yet, and report.
    private void StopCommitters()
    {
        try
        {
            if (Volatile.Read(ref _failure) is null)
            {
                SignCheckpoint(null, null);
            }

            _writerStopped.TrySetResult();
        }
        catch (Exception ex)
        {
            _writerStopped.TrySetException(ex);
        }
    }

    // Commits the next batch (or signs a due checkpoint); false once the log is closing and nothing is left.
    private bool CommitNext(SegmentSyncHandle committer)
    {
        CommitBatch? batch;
        bool checkpointDue;
        bool closing;
        bool written = false;
        // One committer at a time takes and writes: batches reach the segment in the order their records were numbered.
        lock (_writeLock)
        {
            lock (_gate)
            {
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
                if (closing)
                {
                    // The other committers are waiting for this lock or this monitor: let them see it too.
                    Monitor.PulseAll(_gate);
                }
            }

            if (batch is not null)
            {
                batch.Take();
                batch.Sequence = ++_writtenBatches;
                lock (_completion)
                {
                    _inFlight.Enqueue(batch);
                }

                if (Volatile.Read(ref _failure) is null)
                {
                    try
                    {
                        Write(batch);
                        written = true;
                    }
                    catch (Exception ex)
                    {
                        Poison(ex);
                    }
                }
            }
        }

        if (batch is not null)
        {
            if (written)
            {
                Sync(batch, committer);
            }
            else
            {
                FailInFlight(Volatile.Read(ref _failure)!);
            }

            if (batch.Release())
            {
                Recycle(batch);
            }
        }

        if (checkpointDue)
        {
            lock (_checkpointLock)
            {
                _checkpointTimerArmed = false;
            }

            SignCheckpoint(null, null);
            ArmCheckpointTimer();
        }

        return !closing;
    }

    // Under _writeLock: writes the batch's frames at the end of the segment, rolling over to a new segment where one is full.
    private void Write(CommitBatch batch)
    {
        int written = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            int frameStart = batch.FrameStart(i);
            if (_segmentLength + (batch.FrameEnd(i) - written) > _options.SegmentMaxBytes && (_segmentHasRecords || frameStart > written))
            {
                // What precedes this frame goes durably into the current segment, then writing continues in a new one:
                // a segment is complete on disk before the next one holds anything (recovery relies on it).
                WriteFrames(batch.Frames(written, frameStart));
                RollSegment(batch.FirstIndex + i);
                written = frameStart;
            }
        }

        int last = batch.Count - 1;
        if (last >= 0)
        {
            batch.LastFrame = (_segmentFirstIndex, _segmentLength + (batch.FrameStart(last) - written), batch.FrameEnd(last) - batch.FrameStart(last));
        }

        WriteFrames(batch.Frames(written, batch.Length));
        batch.SyncSegment = _segmentFirstIndex;
    }

    private void WriteFrames(ReadOnlySpan<byte> frames)
    {
        if (frames.IsEmpty)
        {
            return;
        }

        Preallocate(_segmentLength + frames.Length);
        RandomAccess.Write(_segment.SafeFileHandle, frames, _segmentLength);
        _segmentLength += frames.Length;
        _segmentHasRecords = true;
    }

    // Under _writeLock: when a write would reach past the zeros written ahead, writes the next SegmentPreallocationBytes of
    // zeros after it (not past the segment's maximum size). They need no sync of their own: the sync of the batch that
    // follows makes them durable with it, and from then on a sync of records written into them flushes data only, not a
    // new file size (on ext4 that halves the fdatasync).
    private void Preallocate(long end)
    {
        if (end <= _segmentAllocated)
        {
            return;
        }

        long target = Math.Min(end + _options.SegmentPreallocationBytes, Math.Max(end, _options.SegmentMaxBytes));
        for (long at = end; at < target;)
        {
            int length = (int)Math.Min(Zeros.Length, target - at);
            RandomAccess.Write(_segment.SafeFileHandle, Zeros.AsSpan(0, length), at);
            at += length;
        }

        _segmentAllocated = Math.Max(end, target);
    }

    // On close, once the committers have stopped: the segment ends after its last record again, as a rolled one does. A
    // failure leaves the zeros, which the next open reads as the end of the records.
    private void CutPreallocatedSpace()
    {
        lock (_writeLock)
        {
            if (Volatile.Read(ref _failure) is not null || _segmentAllocated <= _segmentLength)
            {
                return;
            }

            try
            {
                _segment.SetLength(_segmentLength);
                FileSync.FlushData(_segment.SafeFileHandle);
                _segmentAllocated = _segmentLength;
            }
            catch (IOException ex)
            {
                AuditLogMessages.PreallocationNotCut(_logger, ex);
            }
        }
    }

    // Under _writeLock.
    private void RollSegment(long firstIndex)
    {
        // The zeros written ahead are cut first: only the last segment may end in them.
        _segment.SetLength(_segmentLength);
        FileSync.FlushData(_segment.SafeFileHandle);
        _segment.Dispose();
        _segment = CreateSegment(_paths, firstIndex);
        _segmentFirstIndex = firstIndex;
        _segmentLength = _segment.Length;
        _segmentAllocated = _segmentLength;
        _segmentHasRecords = false;
        AuditLogMessages.SegmentStarted(_logger, Path.GetFileName(_paths.Segment(firstIndex)));
    }

    private void Sync(CommitBatch batch, SegmentSyncHandle committer)
    {
        try
        {
            long syncFrom = System.Diagnostics.Stopwatch.GetTimestamp();
            SyncHook?.Invoke(batch.Sequence);
            // fdatasync: the data and the file size, which is all a reader needs; timestamps can wait.
            committer.FlushData(batch.SyncSegment);
            Interlocked.Add(ref _committerSyncTicks, System.Diagnostics.Stopwatch.GetTimestamp() - syncFrom);
            Interlocked.Increment(ref _commits);
        }
        catch (Exception ex)
        {
            Poison(ex);
            FailInFlight(ex);
            return;
        }

        Complete(batch);
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
}
