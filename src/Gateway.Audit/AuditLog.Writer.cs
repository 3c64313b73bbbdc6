using System.Buffers;
using System.Buffers.Binary;
using Gateway.Audit.Checkpoints;
using Gateway.Audit.Merkle;
using Gateway.Audit.Storage;

namespace Gateway.Audit;

/// <content>The single writer: group commit of queued records, segment roll-over, checkpoints.</content>
public sealed partial class AuditLog
{
    private void WriteLoop()
    {
        try
        {
            RunWriter();
            _writerStopped.TrySetResult();
        }
        catch (Exception ex)
        {
            // Not expected (Commit and TryCheckpoint contain their failures); still, never leave appends hanging.
            Poison(ex);
            _queue.Writer.TryComplete(ex);
            while (_queue.Reader.TryRead(out PendingAppend? pending))
            {
                Fail(pending, ex);
            }

            _writerStopped.TrySetException(ex);
        }
    }

    private void RunWriter()
    {
        var batch = new List<PendingAppend>(Math.Min(_options.MaxBatchRecords, 1024));
        var buffer = new ArrayBufferWriter<byte>(1 << 16);
        var reader = _queue.Reader;
        while (true)
        {
            bool more;
            TimeSpan? due = CheckpointDue();
            if (due is { } wait && wait <= TimeSpan.Zero)
            {
                TryCheckpoint(null);
                continue;
            }

            if (due is { } delay)
            {
                using var timeout = new CancellationTokenSource(delay, _time);
                try
                {
                    more = reader.WaitToReadAsync(timeout.Token).AsTask().GetAwaiter().GetResult();
                }
                catch (OperationCanceledException)
                {
                    continue;
                }
            }
            else
            {
                more = reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult();
            }

            if (!more)
            {
                break;
            }

            batch.Clear();
            while (batch.Count < _options.MaxBatchRecords && reader.TryRead(out PendingAppend? pending))
            {
                batch.Add(pending);
            }

            Commit(batch, buffer);
        }

        // Shutdown: sign what the last checkpoint does not cover yet.
        if (_failure is null && _tree.Size > _checkpointSize)
        {
            TryCheckpoint(null);
        }
    }

    // How long until the time-based checkpoint is due; null when nothing waits for one.
    private TimeSpan? CheckpointDue()
    {
        if (_failure is not null || _tree.Size == _checkpointSize || _options.CheckpointInterval == TimeSpan.Zero)
        {
            return null;
        }

        return _options.CheckpointInterval - _time.GetElapsedTime(_checkpointTimestamp);
    }

    private void Commit(List<PendingAppend> batch, ArrayBufferWriter<byte> buffer)
    {
        if (_failure is { } failed)
        {
            foreach (PendingAppend pending in batch)
            {
                Fail(pending, failed);
            }

            return;
        }

        var hashes = new List<byte[]>(batch.Count);
        var checkpointRequests = new List<PendingAppend>();
        int completed = 0;
        try
        {
            buffer.ResetWrittenCount();
            long index = _tree.Size;
            byte[] previous = _lastLeafHash;
            int committedHashes = 0;
            foreach (PendingAppend pending in batch)
            {
                if (pending.Record is null)
                {
                    checkpointRequests.Add(pending);
                    continue;
                }

                AuditLeaf leaf = AuditLeaf.Create(index, pending.Record, pending.Plaintext, previous, _dataKey);
                byte[] hash = MerkleHasher.HashLeaf(leaf.Bytes);
                int frameLength = SegmentFormat.FrameOverhead + leaf.Bytes.Length;
                if (_segmentLength + buffer.WrittenCount + frameLength > _options.SegmentMaxBytes && (_segmentHasRecords || buffer.WrittenCount > 0))
                {
                    // Make what is buffered durable in the current segment, then continue in a new one.
                    WriteDurably(buffer);
                    CommitHashes(hashes, ref committedHashes);
                    RollSegment(index);
                }

                Span<byte> frame = buffer.GetSpan(frameLength);
                BinaryPrimitives.WriteInt32BigEndian(frame, leaf.Bytes.Length);
                leaf.Bytes.CopyTo(frame[4..]);
                hash.CopyTo(frame[(4 + leaf.Bytes.Length)..]);
                buffer.Advance(frameLength);
                hashes.Add(hash);
                previous = hash;
                index++;
            }

            WriteDurably(buffer);
            CommitHashes(hashes, ref committedHashes);
            long first = _tree.Size - hashes.Count;
            foreach (PendingAppend pending in batch)
            {
                if (pending.Record is not null)
                {
                    pending.Index.TrySetResult(first + completed);
                    completed++;
                }
            }
        }
        catch (Exception ex)
        {
            Poison(ex);
            foreach (PendingAppend pending in batch)
            {
                Fail(pending, ex);
            }

            return;
        }

        foreach (PendingAppend request in checkpointRequests)
        {
            TryCheckpoint(request);
        }

        if (_tree.Size - _checkpointSize >= _options.CheckpointEveryRecords)
        {
            TryCheckpoint(null);
        }
    }

    // Folds durable leaf hashes into the tree and the chain head; only ever after their fsync.
    private void CommitHashes(List<byte[]> hashes, ref int committed)
    {
        for (; committed < hashes.Count; committed++)
        {
            _tree.Append(hashes[committed]);
            _lastLeafHash = hashes[committed];
        }

        Volatile.Write(ref _size, _tree.Size);
    }

    private void WriteDurably(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.WrittenCount == 0)
        {
            return;
        }

        _segment.Write(buffer.WrittenSpan);
        _segment.Flush(flushToDisk: true);
        Interlocked.Increment(ref _commits);
        _segmentLength += buffer.WrittenCount;
        _segmentHasRecords = true;
        buffer.ResetWrittenCount();
    }

    private void RollSegment(long firstIndex)
    {
        _segment.Flush(flushToDisk: true);
        _segment.Dispose();
        _segment = CreateSegment(_paths, firstIndex);
        _segmentLength = _segment.Length;
        _segmentHasRecords = false;
        AuditLogMessages.SegmentStarted(_logger, Path.GetFileName(_paths.Segment(firstIndex)));
    }

    private void TryCheckpoint(PendingAppend? request)
    {
        if (_failure is { } failed)
        {
            request?.Checkpoint.TrySetException(new AuditLogException("the audit log failed earlier: " + failed.Message, failed));
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
            Volatile.Write(ref _latestCheckpoint, checkpoint);
            AuditLogMessages.CheckpointSigned(_logger, checkpoint.Size);
            request?.Checkpoint.TrySetResult(checkpoint);
        }
        catch (Exception ex)
        {
            Poison(ex);
            request?.Checkpoint.TrySetException(new AuditLogException("could not write a checkpoint: " + ex.Message, ex));
        }
    }

    private void Poison(Exception ex)
    {
        _failure ??= ex;
        AuditLogMessages.WriteFailed(_logger, ex);
    }

    private static void Fail(PendingAppend pending, Exception cause)
    {
        var error = new AuditLogException("the audit record could not be made durable: " + cause.Message, cause);
        if (pending.Record is null)
        {
            pending.Checkpoint.TrySetException(error);
        }
        else
        {
            pending.Index.TrySetException(error);
        }
    }
}
