using Gateway.Audit.Checkpoints;
using Gateway.Audit.Merkle;
using Gateway.Audit.Records;
using Gateway.Audit.Storage;
using Microsoft.Extensions.Logging;

namespace Gateway.Audit;

/// <content>
/// Opening: keys, lock, checkpoint file, and the tree. The tree comes from the frontier saved with the latest checkpoints,
/// once checked against the signed checkpoint it claims to be, so only the records after it are read; without a usable
/// frontier, every record is read. Either way the tail after the frontier is checked and a torn tail repaired.
/// </content>
public sealed partial class AuditLog
{
    private static OpenState OpenFiles(AuditLogOptions options, ILogger logger)
    {
        NoteKeys.CheckName(options.Origin);
        var paths = new AuditLogPaths(options.Directory);
        if (!Directory.Exists(paths.Root))
        {
            if (!options.CreateIfMissing)
            {
                throw new AuditLogException($"no audit log at {paths.Root}");
            }

            FileSync.CreateOwnerOnlyDirectory(paths.Root);
        }

        FileStream lockFile;
        try
        {
            lockFile = new FileStream(paths.Lock, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new AuditLogException($"the audit log at {paths.Root} is in use by another writer", ex);
        }

        AuditDataKey? dataKey = null;
        bool ownsDataKey = options.DataKey is null;
        FileStream? checkpoints = null;
        FileStream? segment = null;
        FileStream? frontierFile = null;
        try
        {
            // Keys are made only for a new log: a missing key of an existing log is an error, never replaced silently
            // (a new signing key would orphan the published public key, a new data key would strand the old records).
            bool createKeys = options.CreateIfMissing && paths.ListSegments().Count == 0 && !File.Exists(paths.Checkpoints);
            NoteSigner signer = LoadSigner(options, paths, createKeys);
            dataKey = options.DataKey ?? AuditDataKey.Load(options.DataKeyFile ?? paths.DataKey, createKeys);
            FileSync.CreateOwnerOnlyDirectory(paths.Segments);
            FileSync.CreateOwnerOnlyDirectory(paths.CheckpointDirectory);

            var recovery = new AuditLogRecovery();
            Frontier? frontier = FrontierFile.Read(paths.Frontier, out int frontierSlot, out string? frontierProblem);
            string? checkProblem = null;
            ScanStart? start = null;
            IReadOnlyList<CheckpointStore.StoredNote> notes = [];
            long validLength = 0;
            string? tail = null;
            if (frontier is not null)
            {
                notes = CheckpointStore.ReadFrom(paths.Checkpoints, frontier.CheckpointOffset, out validLength, out tail);
                start = CheckFrontier(paths, frontier, notes, signer.Verifier, out checkProblem);
            }

            frontierProblem = frontierProblem is null ? checkProblem : checkProblem is null ? frontierProblem : frontierProblem + "; " + checkProblem;

            if (start is null)
            {
                notes = CheckpointStore.ReadAll(paths.Checkpoints, out validLength, out tail);
            }

            if (frontierProblem is not null)
            {
                AuditLogMessages.FrontierRejected(logger, frontierProblem);
                recovery = recovery with { FrontierProblem = frontierProblem };
            }

            Checkpoint? latest = ReadLatestCheckpoint(paths, notes, validLength, tail, signer, logger, ref recovery);
            ScanResult scan = ScanSegments(paths, latest, dataKey, logger, ref recovery, start ?? ScanStart.Beginning);
            if (latest is not null && scan.Tree.Size < latest.Size)
            {
                throw new AuditLogException(
                    $"the log holds {scan.Tree.Size} records but its latest signed checkpoint covers {latest.Size}: records were deleted; run 'gatewayctl audit verify'");
            }

            checkpoints = new FileStream(paths.Checkpoints, FileSync.CreateOptions(FileMode.Append, SecretFiles.OwnerOnly));
            FileSync.FlushDirectory(paths.CheckpointDirectory);
            FileStreamOptions frontierOptions = FileSync.CreateOptions(FileMode.OpenOrCreate, SecretFiles.OwnerOnly);
            frontierOptions.Access = FileAccess.ReadWrite;
            frontierFile = new FileStream(paths.Frontier, frontierOptions);
            bool hasRecords = scan.LastSegmentHasRecords;
            long segmentFirstIndex = scan.LastSegmentFirstIndex;
            if (scan.LastSegmentPath is null)
            {
                segment = CreateSegment(paths, 0);
                segmentFirstIndex = 0;
                hasRecords = false;
            }
            else
            {
                // Opened for writing at explicit offsets (not appending): the records may end before the file does.
                segment = new FileStream(scan.LastSegmentPath, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 0 });
            }

            AuditLogMessages.Opened(logger, paths.Root, scan.Tree.Size, latest?.Size ?? 0, scan.RecordsRead);
            return new OpenState(paths, lockFile, signer, dataKey, ownsDataKey, scan, segment, segmentFirstIndex, hasRecords, checkpoints, frontierFile, frontierSlot, latest, recovery);
        }
        catch
        {
            segment?.Dispose();
            checkpoints?.Dispose();
            frontierFile?.Dispose();
            if (ownsDataKey)
            {
                dataKey?.Dispose();
            }

            lockFile.Dispose();
            throw;
        }
    }

    private static NoteSigner LoadSigner(AuditLogOptions options, AuditLogPaths paths, bool create)
    {
        string keyFile = options.SigningKeyFile ?? paths.SigningKey;
        string text = create
            ? SecretFiles.ReadOrCreate(keyFile, () => NoteSigner.Generate(options.Origin).Encode()).Text
            : SecretFiles.Read(keyFile);
        NoteSigner signer;
        try
        {
            signer = NoteSigner.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new AuditLogException($"{keyFile}: {ex.Message}", ex);
        }

        if (signer.Name != options.Origin)
        {
            throw new AuditLogException($"the signing key {keyFile} is for log '{signer.Name}', not '{options.Origin}'");
        }

        string publicKey = signer.Verifier.Encode() + "\n";
        if (!File.Exists(paths.PublicKey) || File.ReadAllText(paths.PublicKey) != publicKey)
        {
            FileSync.CreateOwnerOnlyDirectory(paths.Keys);
            FileSync.WriteAtomically(paths.PublicKey, System.Text.Encoding.UTF8.GetBytes(publicKey),
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        return signer;
    }

    // Where the saved frontier lets the scan start, or null (with the reason) when it does not check out: its checkpoint
    // must be a note at the saved offset that verifies with the signing key, at the same size, whose root the saved nodes
    // make; the saved chain head must be proven in that tree, and be the hash of the record stored where the frontier says.
    private static ScanStart? CheckFrontier(AuditLogPaths paths, Frontier frontier, IReadOnlyList<CheckpointStore.StoredNote> notes, NoteVerifier verifier, out string? problem)
    {
        problem = null;
        string Reject(string why)
        {
            return $"the saved frontier at size {frontier.Size} was not used: {why}; the whole log was read instead";
        }

        if (notes.Count == 0 || notes[0].Offset != frontier.CheckpointOffset)
        {
            problem = Reject("there is no checkpoint at its offset in the checkpoint file");
            return null;
        }

        Checkpoint checkpoint;
        try
        {
            checkpoint = CheckpointFormat.Parse(SignedNote.Open(notes[0].Text ?? throw new FormatException("not UTF-8"), verifier));
        }
        catch (FormatException ex)
        {
            problem = Reject("the checkpoint at its offset does not verify: " + ex.Message);
            return null;
        }

        CompactRange tree;
        try
        {
            tree = CompactRange.Restore(frontier.Size, frontier.Nodes, frontier.LastLeafProof);
        }
        catch (ArgumentException ex)
        {
            problem = Reject(ex.Message);
            return null;
        }

        if (checkpoint.Size != frontier.Size || !tree.Root().AsSpan().SequenceEqual(checkpoint.Root))
        {
            problem = Reject($"its tree does not match the signed checkpoint at size {checkpoint.Size}");
            return null;
        }

        if (!MerkleProofs.VerifyInclusion(frontier.Size - 1, frontier.Size, frontier.LastLeafHash, frontier.LastLeafProof, checkpoint.Root))
        {
            problem = Reject("its last leaf hash is not proven in the signed tree");
            return null;
        }

        IReadOnlyList<(long FirstIndex, string Path)> segments = paths.ListSegments();
        int s = segments.Count - 1;
        while (s >= 0 && segments[s].FirstIndex != frontier.SegmentFirstIndex)
        {
            s--;
        }

        if (s < 0)
        {
            problem = Reject($"segment {frontier.SegmentFirstIndex} does not exist");
            return null;
        }

        using (SegmentReader? reader = SegmentReader.Open(segments[s].Path, out string? headerError))
        {
            if (reader is null || reader.FirstIndex != frontier.SegmentFirstIndex || frontier.RecordOffset + frontier.RecordLength > reader.Length)
            {
                problem = Reject($"its last record is not in segment {frontier.SegmentFirstIndex} ({headerError ?? "too short"})");
                return null;
            }

            reader.Seek(frontier.RecordOffset);
            if (reader.Next(out SegmentFrame frame) != SegmentFrameStatus.Complete || frame.EndOffset != frontier.RecordOffset + frontier.RecordLength
                || AuditLeaf.Validate(frame.Leaf, out long index, out _) is not null || index != frontier.Size - 1
                || !MerkleHasher.HashLeaf(frame.Leaf).AsSpan().SequenceEqual(frontier.LastLeafHash) || !frame.StoredHash.AsSpan().SequenceEqual(frontier.LastLeafHash))
            {
                problem = Reject($"the record at its position is not record {frontier.Size - 1} with its leaf hash");
                return null;
            }
        }

        return new ScanStart(s, frontier.RecordOffset + frontier.RecordLength, tree, frontier.LastLeafHash, (frontier.SegmentFirstIndex, frontier.RecordOffset, frontier.RecordLength));
    }

    // The latest checkpoint of the notes read; cuts a torn last frame. The latest must verify: it is what new checkpoints
    // extend, and what the records are checked against.
    private static Checkpoint? ReadLatestCheckpoint(AuditLogPaths paths, IReadOnlyList<CheckpointStore.StoredNote> notes, long validLength, string? tail, NoteSigner signer, ILogger logger, ref AuditLogRecovery recovery)
    {
        if (tail is not null)
        {
            // Only the last frame can be torn: everything before it was fsynced before the next one was written.
            long cut = new FileInfo(paths.Checkpoints).Length - validLength;
            Truncate(paths.Checkpoints, validLength);
            AuditLogMessages.TruncatedCheckpoint(logger, cut);
            recovery = recovery with { TruncatedCheckpointBytes = cut };
        }

        if (notes.Count == 0)
        {
            return null;
        }

        CheckpointStore.StoredNote last = notes[^1];
        try
        {
            return CheckpointFormat.Parse(SignedNote.Open(last.Text ?? throw new FormatException("not UTF-8"), signer.Verifier));
        }
        catch (FormatException ex)
        {
            throw new AuditLogException($"the latest checkpoint (at offset {last.Offset} of the checkpoint file) does not verify with the signing key: {ex.Message}; run 'gatewayctl audit verify'", ex);
        }
    }

    private static ScanResult ScanSegments(AuditLogPaths paths, Checkpoint? latest, AuditDataKey dataKey, ILogger logger, ref AuditLogRecovery recovery, ScanStart start)
    {
        CompactRange tree = start.Tree;
        byte[] previous = start.PreviousLeafHash;
        (long Segment, long Offset, int Length) lastRecord = start.LastRecord;
        IReadOnlyList<(long FirstIndex, string Path)> segments = paths.ListSegments();
        string? lastPath = null;
        long lastFirst = 0;
        bool lastHasRecords = false;
        long lastEnd = SegmentFormat.HeaderSize;
        long read = 0;
        long checkpointSize = latest?.Size ?? 0;
        if (latest is not null && tree.Size > latest.Size)
        {
            throw Damaged($"the saved frontier covers {tree.Size} records, more than the latest signed checkpoint ({latest.Size})");
        }

        for (int s = start.SegmentIndex; s < segments.Count; s++)
        {
            (long first, string path) = segments[s];
            bool isLast = s == segments.Count - 1;
            bool resumed = s == start.SegmentIndex && start.Position > SegmentFormat.HeaderSize;
            if (!resumed && first != tree.Size)
            {
                throw Damaged($"segment {Path.GetFileName(path)} starts at record {first}, expected {tree.Size}");
            }

            using SegmentReader? reader = SegmentReader.Open(path, out string? headerError);
            if (reader is null)
            {
                if (isLast && new FileInfo(path).Length <= SegmentFormat.HeaderSize)
                {
                    // A crash while starting a segment: it holds no record.
                    File.Delete(path);
                    FileSync.FlushDirectory(paths.Segments);
                    AuditLogMessages.RemovedTornSegment(logger, path);
                    recovery = recovery with { RemovedTornSegment = true };
                    continue;
                }

                throw Damaged($"segment {Path.GetFileName(path)}: {headerError}");
            }

            if (reader.FirstIndex != first)
            {
                throw Damaged($"segment {Path.GetFileName(path)} header says it starts at {reader.FirstIndex}");
            }

            lastPath = path;
            lastFirst = first;
            lastHasRecords = resumed;
            if (resumed)
            {
                reader.Seek(start.Position);
            }

            while (true)
            {
                long frameStart = reader.Position;
                SegmentFrameStatus status = reader.Next(out SegmentFrame frame);
                lastEnd = frameStart;
                if (status == SegmentFrameStatus.End)
                {
                    break;
                }

                if (status == SegmentFrameStatus.Padding && isLast && reader.IsZeroFrom(frameStart))
                {
                    // The zero-filled space the writer keeps ahead of its appends (left by a crash; an orderly close cuts
                    // it): the records end here, and the writer goes on filling it.
                    break;
                }

                (string? problem, bool tornLike) = status switch
                {
                    SegmentFrameStatus.Incomplete => ("incomplete record", true),
                    SegmentFrameStatus.BadLength => ("record length out of range", true),
                    // Zeros, then something else: a batch written after one that a crash lost (neither was acknowledged).
                    SegmentFrameStatus.Padding => (isLast ? "zeros followed by other bytes" : "zeros where a record should be (only the last segment may end in zeros)", true),
                    _ => CheckFrame(frame, tree.Size, previous, deep: tree.Size >= checkpointSize, dataKey),
                };
                if (problem is null)
                {
                    tree.Append(frame.StoredHash);
                    previous = frame.StoredHash;
                    lastRecord = (first, frameStart, (int)(frame.EndOffset - frameStart));
                    lastHasRecords = true;
                    read++;
                    if (latest is not null && tree.Size == latest.Size && !tree.Root().AsSpan().SequenceEqual(latest.Root))
                    {
                        throw Damaged($"the records before index {latest.Size} do not match the latest signed checkpoint");
                    }

                    continue;
                }

                // One write carries a whole batch, and a crash can persist some of its pages and not others: the torn
                // region starts at the first frame that does not hash (or frame) right and runs to the end of the last
                // segment. None of it was acknowledged, since acknowledgement follows the fsync of the whole batch.
                if (!tornLike || !isLast)
                {
                    throw Damaged($"record {tree.Size} in {Path.GetFileName(path)} at offset {frameStart}: {problem}");
                }

                if (tree.Size < checkpointSize)
                {
                    throw Damaged($"record {tree.Size} is covered by a signed checkpoint but is damaged ({problem})");
                }

                long cut = reader.Length - frameStart;
                reader.Dispose();
                Truncate(path, frameStart);
                AuditLogMessages.TruncatedTail(logger, cut, path, tree.Size);
                recovery = recovery with { TruncatedSegmentBytes = cut, TruncatedRecordIndex = tree.Size };
                break;
            }
        }

        return new ScanResult(tree, previous, lastPath, lastFirst, lastHasRecords, lastEnd, lastRecord, read);
    }

    // Cheap checks for every record (structure, index, chain); for records no checkpoint covers yet, also the leaf hash and
    // the GCM tag: a record appended behind the gateway's back must not be signed into the next checkpoint.
    private static (string? Problem, bool TornLike) CheckFrame(SegmentFrame frame, long expectedIndex, byte[] previous, bool deep, AuditDataKey dataKey)
    {
        // A torn write leaves a frame whose bytes do not hash to the stored trailer; a complete frame that hashes right but
        // fails other checks was written that way on purpose, and is damage, not a torn tail.
        bool hashMatches = !deep || MerkleHasher.HashLeaf(frame.Leaf).AsSpan().SequenceEqual(frame.StoredHash);
        if (!hashMatches)
        {
            return ("leaf hash does not match", true);
        }

        AuditLeaf? leaf = AuditLeaf.Parse(frame.Leaf, out string? error);
        if (leaf is null)
        {
            return (error, false);
        }

        if (leaf.Index != expectedIndex)
        {
            return ($"index {leaf.Index}, expected {expectedIndex}", false);
        }

        if (!leaf.PreviousLeafHash.SequenceEqual(previous))
        {
            return ("hash chain broken (previous-record hash does not match)", false);
        }

        if (deep)
        {
            try
            {
                _ = AuditRecordSerializer.Deserialize(leaf.Decrypt(dataKey));
            }
            catch (Exception ex) when (ex is AuditLogException or FormatException)
            {
                return (ex.Message, false);
            }
        }

        return (null, false);
    }

    private static FileStream CreateSegment(AuditLogPaths paths, long firstIndex)
    {
        string path = paths.Segment(firstIndex);
        var segment = new FileStream(path, FileSync.CreateOptions(FileMode.CreateNew, SecretFiles.OwnerOnly));
        try
        {
            segment.Write(SegmentFormat.Header(firstIndex));
            segment.Flush(flushToDisk: true);
            FileSync.FlushDirectory(paths.Segments);
            return segment;
        }
        catch
        {
            segment.Dispose();
            throw;
        }
    }

    private static void Truncate(string path, long length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        stream.SetLength(length);
        stream.Flush(flushToDisk: true);
    }

    private static AuditLogException Damaged(string what) =>
        new($"the audit log is damaged: {what}; the gateway will not append to it. Run 'gatewayctl audit verify' and restore from backup");

    /// <summary>Where the scan of the segments starts: a segment (position in the list), an offset in it, and the tree up to there.</summary>
    private sealed record ScanStart(int SegmentIndex, long Position, CompactRange Tree, byte[] PreviousLeafHash, (long Segment, long Offset, int Length) LastRecord)
    {
        public static ScanStart Beginning => new(0, SegmentFormat.HeaderSize, new CompactRange(), new byte[AuditLeaf.HashSize], default);
    }

    private sealed record ScanResult(
        CompactRange Tree,
        byte[] LastLeafHash,
        string? LastSegmentPath,
        long LastSegmentFirstIndex,
        bool LastSegmentHasRecords,
        long LastSegmentEnd,
        (long Segment, long Offset, int Length) LastRecord,
        long RecordsRead);

    private sealed record OpenState(
        AuditLogPaths Paths,
        FileStream Lock,
        NoteSigner Signer,
        AuditDataKey DataKey,
        bool OwnsDataKey,
        ScanResult Scan,
        FileStream Segment,
        long SegmentFirstIndex,
        bool SegmentHasRecords,
        FileStream Checkpoints,
        FileStream FrontierFile,
        int FrontierSlot,
        Checkpoint? LatestCheckpoint,
        AuditLogRecovery Recovery);
}
