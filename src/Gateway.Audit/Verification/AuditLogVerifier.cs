using Gateway.Audit.Checkpoints;
using Gateway.Audit.Merkle;
using Gateway.Audit.Records;
using Gateway.Audit.Storage;

namespace Gateway.Audit.Verification;

/// <summary>
/// Verifies a whole log offline: every segment header, every record's structure, index, leaf hash and hash chain, the
/// Merkle root at every checkpoint, every checkpoint's signature, and that checkpoints cover every record.
/// </summary>
/// <remarks>
/// Needs only the public key. A forger without the signing key can rewrite records and recompute every hash, but not the
/// checkpoints: the first checkpoint whose root no longer matches bounds where the change is. With the data key
/// (<see cref="AuditVerifyOptions.DataKey"/>) a forged record is named exactly, since it does not decrypt.
/// </remarks>
public static class AuditLogVerifier
{
    /// <summary>Verifies the log in <paramref name="directory"/> against <paramref name="verifier"/>.</summary>
    /// <exception cref="AuditLogException">There is no log at <paramref name="directory"/>.</exception>
    public static AuditVerificationReport Verify(string directory, NoteVerifier verifier, AuditVerifyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        options ??= new AuditVerifyOptions();
        var paths = new AuditLogPaths(directory);
        if (!Directory.Exists(paths.Root))
        {
            throw new AuditLogException($"no audit log at {paths.Root}");
        }

        var problems = new List<AuditVerificationProblem>();
        void Add(AuditVerificationProblem problem)
        {
            if (problems.Count < options.MaxProblems)
            {
                problems.Add(problem);
            }
        }

        List<(int Number, Checkpoint Checkpoint)> checkpoints = ReadCheckpoints(paths, verifier, Add, out int checkpointCount);
        var bySize = checkpoints.GroupBy(c => c.Checkpoint.Size).ToDictionary(g => g.Key, g => g.ToList());
        long recordCount = ScanRecords(paths, bySize, options.DataKey, Add);

        long lastGood = 0;
        foreach ((int number, Checkpoint checkpoint) in checkpoints)
        {
            if (checkpoint.Size > recordCount)
            {
                Add(new AuditVerificationProblem(recordCount, number, null, null,
                    $"checkpoint covers {checkpoint.Size} records but only {recordCount} can be read: records from index {recordCount} were deleted or truncated"));
                break;
            }

            lastGood = Math.Max(lastGood, checkpoint.Size);
        }

        Checkpoint? latest = checkpoints.Count > 0 ? checkpoints[^1].Checkpoint : null;
        long unsigned = Math.Max(0, recordCount - (latest?.Size ?? 0));
        if (unsigned > 0 && !options.AllowUnsignedTail)
        {
            Add(new AuditVerificationProblem(latest?.Size ?? 0, null, null, null,
                $"records {latest?.Size ?? 0} to {recordCount - 1} are not covered by any signed checkpoint (appended after the last checkpoint: forged, or the writer has not signed yet)"));
        }

        return new AuditVerificationReport
        {
            RecordCount = recordCount,
            CheckpointCount = checkpointCount,
            ValidCheckpointCount = checkpoints.Count,
            LatestCheckpoint = latest,
            UnsignedRecords = unsigned,
            Decrypted = options.DataKey is not null,
            Problems = problems,
        };
    }

    private static List<(int, Checkpoint)> ReadCheckpoints(AuditLogPaths paths, NoteVerifier verifier, Action<AuditVerificationProblem> add, out int count)
    {
        IReadOnlyList<CheckpointStore.StoredNote> notes = CheckpointStore.ReadAll(paths.Checkpoints, out long validLength, out string? tail);
        count = notes.Count;
        string file = Path.GetRelativePath(paths.Root, paths.Checkpoints);
        var valid = new List<(int, Checkpoint)>();
        Checkpoint? previous = null;
        foreach (CheckpointStore.StoredNote note in notes)
        {
            Checkpoint checkpoint;
            try
            {
                checkpoint = CheckpointFormat.Parse(SignedNote.Open(note.Text ?? throw new FormatException("not UTF-8"), verifier));
            }
            catch (FormatException ex)
            {
                add(new AuditVerificationProblem(null, note.Ordinal, file, note.Offset, "signature or format invalid: " + ex.Message));
                continue;
            }

            if (checkpoint.Origin != verifier.Name)
            {
                add(new AuditVerificationProblem(null, note.Ordinal, file, note.Offset, $"origin '{checkpoint.Origin}' is not the key's log '{verifier.Name}'"));
                continue;
            }

            // Only the size must not go back; the signing host's clock may step back (NTP), so time order is not enforced.
            if (previous is not null && checkpoint.Size < previous.Size)
            {
                add(new AuditVerificationProblem(null, note.Ordinal, file, note.Offset,
                    $"checkpoint at size {checkpoint.Size} comes after one at size {previous.Size}: checkpoints reordered or the log was rolled back"));
            }

            previous = checkpoint;
            valid.Add((note.Ordinal, checkpoint));
        }

        if (tail is not null)
        {
            add(new AuditVerificationProblem(null, notes.Count, file, validLength, "damaged checkpoint at the end of the file: " + tail));
        }

        return valid;
    }

    // Reads every record in order; returns how many were read before the first unreadable one. A producer reads frames in
    // chunks and hashes them (in parallel) while this thread checks the previous chunk in order: index, chain, roots.
    private static long ScanRecords(AuditLogPaths paths, Dictionary<long, List<(int Number, Checkpoint Checkpoint)>> bySize, AuditDataKey? key, Action<AuditVerificationProblem> add)
    {
        var tree = new CompactRange();
        byte[] previous = new byte[AuditLeaf.HashSize];
        long lastMatched = 0;
        bool rootMismatchReported = false;
        IReadOnlyList<(long FirstIndex, string Path)> segments;
        try
        {
            segments = paths.ListSegments();
        }
        catch (AuditLogException ex)
        {
            add(new AuditVerificationProblem(0, null, "segments", null, ex.Message));
            return 0;
        }

        CheckRoot(tree, bySize, ref lastMatched, ref rootMismatchReported, add);
        using var stop = new CancellationTokenSource();
        using var pool = new System.Collections.Concurrent.BlockingCollection<FrameChunk>(3);
        using var ready = new System.Collections.Concurrent.BlockingCollection<FrameChunk>(3);
        for (int i = 0; i < 3; i++)
        {
            pool.Add(new FrameChunk());
        }

        Task producer = Task.Run(() => ProduceChunks(paths, segments, pool, ready, stop.Token));
        try
        {
            foreach (FrameChunk chunk in ready.GetConsumingEnumerable())
            {
                for (int i = 0; i < chunk.Count; i++)
                {
                    ReadOnlySpan<byte> hash = chunk.Computed.AsSpan(i * AuditLeaf.HashSize, AuditLeaf.HashSize);
                    string? problem = CheckRecord(chunk.Leaves.AsSpan(chunk.Starts[i], chunk.Lengths[i]), hash, chunk.Stored.AsSpan(i * AuditLeaf.HashSize, AuditLeaf.HashSize), tree.Size, previous, key);
                    if (problem is not null)
                    {
                        add(new AuditVerificationProblem(tree.Size, null, chunk.File, chunk.Offsets[i], problem));
                        return tree.Size;
                    }

                    tree.Append(hash);
                    hash.CopyTo(previous);
                    CheckRoot(tree, bySize, ref lastMatched, ref rootMismatchReported, add);
                }

                if (chunk.Problem is not null)
                {
                    add(new AuditVerificationProblem(tree.Size, null, chunk.File, chunk.ProblemOffset, chunk.Problem));
                    return tree.Size;
                }

                chunk.Count = 0;
                pool.Add(chunk);
            }
        }
        finally
        {
            stop.Cancel();
            try
            {
                producer.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                // Stopped early because a problem was found.
            }
        }

        return tree.Size;
    }

    private static void ProduceChunks(AuditLogPaths paths, IReadOnlyList<(long FirstIndex, string Path)> segments, System.Collections.Concurrent.BlockingCollection<FrameChunk> pool, System.Collections.Concurrent.BlockingCollection<FrameChunk> ready, CancellationToken stop)
    {
        try
        {
            long produced = 0;
            foreach ((long first, string path) in segments)
            {
                string file = Path.GetRelativePath(paths.Root, path);
                if (first != produced)
                {
                    Finish(pool.Take(stop), file, null, $"segment starts at record {first}, expected {produced} (a segment was deleted, added or renamed)");
                    return;
                }

                using SegmentReader? reader = SegmentReader.Open(path, out string? headerError);
                if (reader is null || reader.FirstIndex != first)
                {
                    Finish(pool.Take(stop), file, 0, headerError ?? $"header says the segment starts at {reader?.FirstIndex}");
                    return;
                }

                SegmentFrameStatus status = SegmentFrameStatus.Complete;
                while (status == SegmentFrameStatus.Complete)
                {
                    FrameChunk chunk = pool.Take(stop);
                    chunk.File = file;
                    int used = 0;
                    long offset = 0;
                    while (chunk.Count < FrameChunk.Capacity)
                    {
                        offset = reader.Position;
                        status = reader.NextInto(ref chunk.Leaves, used, out int length, chunk.Stored.AsSpan(chunk.Count * AuditLeaf.HashSize, AuditLeaf.HashSize));
                        if (status != SegmentFrameStatus.Complete)
                        {
                            break;
                        }

                        chunk.Starts[chunk.Count] = used;
                        chunk.Lengths[chunk.Count] = length;
                        chunk.Offsets[chunk.Count] = offset;
                        used += length;
                        chunk.Count++;
                    }

                    produced += chunk.Count;
                    byte[] leaves = chunk.Leaves;
                    Parallel.For(0, chunk.Count, i => MerkleHasher.HashLeaf(leaves.AsSpan(chunk.Starts[i], chunk.Lengths[i]), chunk.Computed.AsSpan(i * AuditLeaf.HashSize, AuditLeaf.HashSize)));
                    if (status is SegmentFrameStatus.Incomplete or SegmentFrameStatus.BadLength)
                    {
                        Finish(chunk, file, offset, status == SegmentFrameStatus.Incomplete ? "incomplete record (truncated or torn write)" : "record length out of range");
                        return;
                    }

                    ready.Add(chunk, stop);
                }
            }
        }
        finally
        {
            ready.CompleteAdding();
        }

        void Finish(FrameChunk chunk, string file, long? offset, string problem)
        {
            chunk.File = file;
            chunk.Problem = problem;
            chunk.ProblemOffset = offset;
            ready.Add(chunk, stop);
        }
    }

    private static void CheckRoot(CompactRange tree, Dictionary<long, List<(int Number, Checkpoint Checkpoint)>> bySize, ref long lastMatched, ref bool reported, Action<AuditVerificationProblem> add)
    {
        if (!bySize.TryGetValue(tree.Size, out List<(int Number, Checkpoint Checkpoint)>? due))
        {
            return;
        }

        byte[] root = tree.Root();
        foreach ((int number, Checkpoint checkpoint) in due)
        {
            if (root.AsSpan().SequenceEqual(checkpoint.Root))
            {
                lastMatched = Math.Max(lastMatched, tree.Size);
                continue;
            }

            // The records are self-consistent (hashes and chain check out) yet differ from what was signed: they were
            // rewritten. The change lies after the last checkpoint that still matches.
            if (!reported)
            {
                add(new AuditVerificationProblem(lastMatched, number, null, null,
                    $"Merkle root of the first {tree.Size} records does not match the signed checkpoint: records {lastMatched} to {tree.Size - 1} were altered or replaced"));
                reported = true;
            }
            else
            {
                add(new AuditVerificationProblem(null, number, null, null, $"Merkle root at size {tree.Size} does not match the signed checkpoint"));
            }
        }
    }

    private static string? CheckRecord(ReadOnlySpan<byte> leaf, ReadOnlySpan<byte> computed, ReadOnlySpan<byte> stored, long expectedIndex, byte[] previous, AuditDataKey? key)
    {
        if (!computed.SequenceEqual(stored))
        {
            return "leaf hash does not match the record (record altered)";
        }

        string? error = AuditLeaf.Validate(leaf, out long index, out _);
        if (error is not null)
        {
            return "malformed record: " + error;
        }

        if (index != expectedIndex)
        {
            return $"record carries index {index}, expected {expectedIndex} (records deleted or reordered)";
        }

        if (!leaf.Slice(27, AuditLeaf.HashSize).SequenceEqual(previous))
        {
            return "hash chain broken: the previous-record hash does not match (a record before it was deleted, inserted or altered)";
        }

        return key is null ? null : CheckContents(AuditLeaf.Parse(leaf.ToArray(), out _)!, key);
    }

    private static string? CheckContents(AuditLeaf leaf, AuditDataKey key)
    {
        AuditRecord record;
        try
        {
            record = AuditRecordSerializer.Deserialize(leaf.Decrypt(key));
        }
        catch (Exception ex) when (ex is AuditLogException or FormatException)
        {
            return ex.Message;
        }

        bool headerMatches = (int)record.EventId == leaf.EventIdCode
            && (byte)record.Action == leaf.ActionCode
            && (byte)record.Outcome == leaf.OutcomeCode
            && record.EventTime.ToUnixTimeMilliseconds() == leaf.EventTimeMs;
        List<AuditParticipantObject> patients = record.ParticipantObjects.Where(o => o.IsPatient).ToList();
        headerMatches &= patients.Count == leaf.PatientHashCount;
        AuditDataKeyEntry entry = leaf.KeyOf(key);
        Span<byte> hash = stackalloc byte[AuditLeaf.HashSize];
        for (int i = 0; headerMatches && i < patients.Count; i++)
        {
            entry.PatientHash(patients[i].ObjectId, hash);
            headerMatches = hash.SequenceEqual(leaf.PatientHash(i));
        }

        return headerMatches ? null : "the clear header does not match the encrypted record";
    }
}
