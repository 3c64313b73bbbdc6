using Gateway.Audit.Merkle;
using Gateway.Audit.Records;
using Gateway.Audit.Storage;

namespace Gateway.Audit;

/// <content>The append side: each record is prepared on its caller's thread, then numbered, encrypted and chained in order.</content>
public sealed partial class AuditLog
{
    // Returns the completion that the committer sets once the record is durable.
    private TaskCompletionSource<long> Sequence(AuditRecord normalized)
    {
        LeafDraft draft = LeafDraft.ForCurrentThread();
        try
        {
            draft.Prepare(normalized, _dataKey.Active);
            int leafLength = draft.Length;
            int frameLength = SegmentFormat.FrameOverhead + leafLength;
            var durable = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                ThrowIfClosedOrFailed();
                CommitBatch batch = _filling;
                if (batch.Count == 0)
                {
                    batch.FirstIndex = _nextIndex;
                }

                // Only this step must happen in log order: the leaf binds its index and the previous leaf's hash. The frame
                // counts in the batch only once complete (Add), so a failure here leaves the batch as it was.
                Span<byte> frame = batch.Reserve(frameLength);
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame, leafLength);
                Span<byte> leaf = frame.Slice(4, leafLength);
                draft.EncodeTo(leaf, _nextIndex, _chainHead);
                Span<byte> hash = frame.Slice(4 + leafLength, AuditLeaf.HashSize);
                MerkleHasher.HashLeaf(leaf, hash);
                batch.Add(frameLength, durable);
                hash.CopyTo(_chainHead);
                _nextIndex++;
                if (batch.Count >= _options.MaxBatchRecords || batch.Length >= CommitBatch.MaxBytes)
                {
                    SealFillingBatch();
                }

                WakeCommitter();
            }

            return durable;
        }
        finally
        {
            draft.Release();
        }
    }

    // Under _gate.
    private void SealFillingBatch()
    {
        _sealed.Enqueue(_filling);
        _filling = _free.Count > 0 ? _free.Pop() : new CommitBatch();
    }

    // Under _gate.
    private void WakeCommitter()
    {
        if (_committerWaiting)
        {
            _committerWaiting = false;
            Monitor.Pulse(_gate);
        }
    }
}
