using System.Collections.Concurrent;
using Gateway.Audit.Checkpoints;
using Gateway.Audit.Merkle;
using Gateway.Audit.Records;
using Gateway.Audit.Storage;

namespace Gateway.Audit.Verification;

/// <summary>
/// Verifies a whole log offline: every segment header, every record's structure, index, leaf hash and hash chain, the
/// Merkle root at every checkpoint, every checkpoint's signature, that checkpoints cover every record, and that the saved
/// frontier (which opening the log relies on) is the tree it claims.
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

        List<(int Number, Checkpoint Checkpoint, long Offset)> checkpoints = ReadCheckpoints(paths, verifier, Add, out int checkpointCount);
        var bySize = checkpoints.GroupBy(c => c.Checkpoint.Size).ToDictionary(g => g.Key, g => g.Select(c => (c.Number, c.Checkpoint)).ToList());
        Frontier? frontier = ReadFrontier(paths, checkpoints, Add);
        long recordCount = ScanRecords(paths, bySize, frontier, options.DataKey, Add);

        long lastGood = 0;
        foreach ((int number, Checkpoint checkpoint, _) in checkpoints)
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

    private const string FrontierFileName = "checkpoints/frontier";

    // The saved frontier, if there is one, when it claims a checkpoint that verified at the offset it names; else a problem.
    private static Frontier? ReadFrontier(AuditLogPaths paths, List<(int Number, Checkpoint Checkpoint, long Offset)> checkpoints, Action<AuditVerificationProblem> add)
    {
        Frontier? frontier = FrontierFile.Read(paths.Frontier, out _, out string? problem);
        if (problem is not null)
        {
            add(new AuditVerificationProblem(null, null, FrontierFileName, null, problem));
        }

        if (frontier is not null && !checkpoints.Any(c => c.Offset == frontier.CheckpointOffset && c.Checkpoint.Size == frontier.Size))
        {
            add(new AuditVerificationProblem(null, null, FrontierFileName, null,
                $"the saved frontier names no valid checkpoint of size {frontier.Size} at offset {frontier.CheckpointOffset} (the gateway will not use it)"));
            return null;
        }

        return frontier;
    }

    private static List<(int, Checkpoint, long)> ReadCheckpoints(AuditLogPaths paths, NoteVerifier verifier, Action<AuditVerificationProblem> add, out int count)
    {
        IReadOnlyList<CheckpointStore.StoredNote> notes = CheckpointStore.ReadAll(paths.Checkpoints, out long validLength, out string? tail);
        count = notes.Count;
        string file = Path.GetRelativePath(paths.Root, paths.Checkpoints);
        var valid = new List<(int, Checkpoint, long)>();
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
            valid.Add((note.Ordinal, checkpoint, note.Offset));
        }

        if (tail is not null)
        {
            add(new AuditVerificationProblem(null, notes.Count, file, validLength, "damaged checkpoint at the end of the file: " + tail));
        }

        return valid;
    }

    // Reads every record in order; returns how many were read before the first unreadable one. One thread reads chunks of
    // frames, workers check them in parallel (leaf hash, structure, index, chain, contents, and the chunk's own subtrees),
    // and this thread takes them in order: it joins the subtrees into the tree and compares the roots with the checkpoints.
    private static long ScanRecords(AuditLogPaths paths, Dictionary<long, List<(int Number, Checkpoint Checkpoint)>> bySize, Frontier? frontier, AuditDataKey? key, Action<AuditVerificationProblem> add)
    {
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

        long[] sizes = [.. bySize.Keys.Concat(frontier is null ? [] : [frontier.Size]).Where(size => size > 0).Distinct().Order()];
        var roots = new RootChecks(bySize, add);
        var tree = new CompactRange();
        roots.Check(0, tree.Root());
        int workers = Math.Clamp(Environment.ProcessorCount, 1, 8);
        using var stop = new CancellationTokenSource();
        using var pool = new BlockingCollection<FrameChunk>();
        using var work = new BlockingCollection<FrameChunk>();
        using var ordered = new BlockingCollection<FrameChunk>();
        var chunks = new List<FrameChunk>();
        for (int i = 0; i < workers + 3; i++)
        {
            chunks.Add(new FrameChunk());
            pool.Add(chunks[^1]);
        }

        var tasks = new List<Task> { Task.Factory.StartNew(() => ReadChunks(segments, pool, work, ordered, stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default) };
        for (int i = 0; i < workers; i++)
        {
            tasks.Add(Task.Factory.StartNew(() => CheckChunks(work, sizes, key, stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        }

        try
        {
            foreach (FrameChunk chunk in ordered.GetConsumingEnumerable(stop.Token))
            {
                chunk.Checked.Wait(stop.Token);
                if (chunk.Failure is { } failure)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
                }

                int good = chunk.FirstBad >= 0 ? chunk.FirstBad : chunk.Count;
                if (chunk.Aligned)
                {
                    // The chunk starts at a multiple of its capacity: its own subtrees are whole nodes of the tree, so the
                    // tree at a size inside it is the tree so far followed by the chunk's frontier at that size.
                    foreach ((long size, IReadOnlyList<byte[]> nodes) in chunk.Snapshots)
                    {
                        CheckTreeAt(size, [.. tree.Nodes, .. nodes], roots, frontier, add);
                    }
                }
                else
                {
                    // An unaligned chunk (after one that ended early) joins the tree record by record.
                    for (int i = 0; i < good; i++)
                    {
                        tree.Append(chunk.Hash(i));
                        if (Array.BinarySearch(sizes, tree.Size) >= 0)
                        {
                            CheckTreeAt(tree.Size, tree.Nodes, roots, frontier, add);
                        }
                    }
                }

                long at = frontier is null ? -1 : frontier.Size - 1 - chunk.FirstIndex;
                if (frontier is not null && at >= 0 && at < good)
                {
                    CheckFrontierRecord(frontier, chunk, (int)at, segments, add);
                }

                if (chunk.FirstBad >= 0)
                {
                    add(new AuditVerificationProblem(chunk.FirstIndex + chunk.FirstBad, null, SegmentFile(paths, segments, chunk.Segments[chunk.FirstBad]), chunk.Offsets[chunk.FirstBad], chunk.BadMessage!));
                    return chunk.FirstIndex + chunk.FirstBad;
                }

                if (chunk.Aligned)
                {
                    // One hash per subtree instead of one per record.
                    long remaining = chunk.Count;
                    foreach (byte[] node in chunk.Nodes)
                    {
                        int height = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)remaining);
                        tree.AppendSubtree(height, node);
                        remaining -= 1L << height;
                    }
                }

                if (chunk.Problem is not null)
                {
                    add(new AuditVerificationProblem(tree.Size, null, SegmentFile(paths, segments, chunk.ProblemSegment), chunk.ProblemOffset, chunk.Problem));
                    return tree.Size;
                }

                pool.Add(chunk);
            }
        }
        finally
        {
            stop.Cancel();
            try
            {
                Task.WaitAll([.. tasks]);
            }
            catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OperationCanceledException))
            {
                // Stopped early because a problem was found.
            }

            foreach (FrameChunk chunk in chunks)
            {
                chunk.Checked.Dispose();
            }
        }

        return tree.Size;
    }

    private static void CheckTreeAt(long size, IReadOnlyList<byte[]> nodes, RootChecks roots, Frontier? frontier, Action<AuditVerificationProblem> add)
    {
        roots.Check(size, CompactRange.RootOf(nodes));
        if (frontier is not null && size == frontier.Size)
        {
            CheckFrontierTree(frontier, nodes, add);
        }
    }

    private static string SegmentFile(AuditLogPaths paths, IReadOnlyList<(long FirstIndex, string Path)> segments, int segment) =>
        segments.Count == 0 ? "segments" : Path.GetRelativePath(paths.Root, segments[Math.Clamp(segment, 0, segments.Count - 1)].Path);

    private static void ReadChunks(IReadOnlyList<(long FirstIndex, string Path)> segments, BlockingCollection<FrameChunk> pool, BlockingCollection<FrameChunk> work, BlockingCollection<FrameChunk> ordered, CancellationToken stop)
    {
        try
        {
            using var reader = new ChunkReader(segments);
            while (true)
            {
                FrameChunk chunk = pool.Take(stop);
                if (!reader.Fill(chunk))
                {
                    return;
                }

                ordered.Add(chunk, stop);
                work.Add(chunk, stop);
            }
        }
        finally
        {
            ordered.CompleteAdding();
            work.CompleteAdding();
        }
    }

    // A worker: hashes each chunk's leaves, checks its records in order up to the first bad one, and builds the chunk's
    // own frontier, kept at every size the in-order step will compare with a checkpoint. Compiled fully optimized from the
    // start (here and in the reader): `gatewayctl audit verify` runs these loops once per process, a million times over,
    // and would otherwise spend its first seconds in unoptimized code.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void CheckChunks(BlockingCollection<FrameChunk> work, long[] sizes, AuditDataKey? key, CancellationToken stop)
    {
        foreach (FrameChunk chunk in work.GetConsumingEnumerable(stop))
        {
            try
            {
                for (int i = 0; i < chunk.Count; i++)
                {
                    // The last byte of the frame's length field (already parsed) becomes the leaf hash's 0x00 prefix.
                    chunk.Buffer[chunk.LeafStarts[i] - 1] = 0x00;
                    MerkleHasher.HashPrefixedLeaf(chunk.Buffer.AsSpan(chunk.LeafStarts[i] - 1, chunk.LeafLengths[i] + 1), chunk.Computed.AsSpan(i * MerkleHasher.HashSize, MerkleHasher.HashSize));
                }

                // An unaligned chunk's subtrees would not be nodes of the tree: the in-order step joins it record by record.
                CompactRange? local = chunk.Aligned ? new CompactRange() : null;
                int next = Array.BinarySearch(sizes, chunk.FirstIndex + 1);
                next = next < 0 ? ~next : next;
                ReadOnlySpan<byte> previous = chunk.PreviousHash;
                for (int i = 0; i < chunk.Count; i++)
                {
                    string? problem = CheckRecord(chunk.Leaf(i), chunk.Hash(i), chunk.Stored(i), chunk.FirstIndex + i, previous, key);
                    if (problem is not null)
                    {
                        chunk.FirstBad = i;
                        chunk.BadMessage = problem;
                        break;
                    }

                    previous = chunk.Hash(i);
                    if (local is null)
                    {
                        continue;
                    }

                    local.Append(chunk.Hash(i));
                    for (; next < sizes.Length && sizes[next] == chunk.FirstIndex + i + 1; next++)
                    {
                        chunk.Snapshots.Add((sizes[next], [.. local.Nodes]));
                    }
                }

                chunk.Nodes = local is null ? [] : [.. local.Nodes];
            }
            catch (Exception ex)
            {
                chunk.Failure = ex;
            }
            finally
            {
                chunk.Checked.Set();
            }
        }
    }

    // The saved frontier (which opening relies on) must be the tree at its size, and name the record at its position.
    private static void CheckFrontierTree(Frontier frontier, IReadOnlyList<byte[]> nodes, Action<AuditVerificationProblem> add)
    {
        bool same = nodes.Count == frontier.Nodes.Count && nodes.Zip(frontier.Nodes).All(pair => pair.First.AsSpan().SequenceEqual(pair.Second))
            && MerkleProofs.VerifyInclusion(frontier.Size - 1, frontier.Size, frontier.LastLeafHash, frontier.LastLeafProof, CompactRange.RootOf(nodes));
        if (!same)
        {
            add(new AuditVerificationProblem(null, null, FrontierFileName, null,
                $"the saved frontier at size {frontier.Size} is not the tree of the first {frontier.Size} records (the gateway will not use it)"));
        }
    }

    private static void CheckFrontierRecord(Frontier frontier, FrameChunk chunk, int at, IReadOnlyList<(long FirstIndex, string Path)> segments, Action<AuditVerificationProblem> add)
    {
        bool same = segments[chunk.Segments[at]].FirstIndex == frontier.SegmentFirstIndex && chunk.Offsets[at] == frontier.RecordOffset
            && SegmentFormat.FrameOverhead + chunk.LeafLengths[at] == frontier.RecordLength && chunk.Hash(at).SequenceEqual(frontier.LastLeafHash);
        if (!same)
        {
            add(new AuditVerificationProblem(frontier.Size - 1, null, FrontierFileName, null,
                $"the saved frontier does not point at record {frontier.Size - 1} and its leaf hash (the gateway will not use it)"));
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static string? CheckRecord(ReadOnlySpan<byte> leaf, ReadOnlySpan<byte> computed, ReadOnlySpan<byte> stored, long expectedIndex, ReadOnlySpan<byte> previous, AuditDataKey? key)
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
