using Gateway.Audit.Checkpoints;

namespace Gateway.Audit.Storage;

/// <summary>
/// Reads a log directory without the writer's lock (the gateway may be appending): leaves in index order, checkpoints.
/// Structure is checked as it reads; integrity is <see cref="Verification.AuditLogVerifier"/>'s job.
/// </summary>
internal sealed class AuditLogReader
{
    public AuditLogReader(AuditLogPaths paths)
    {
        Paths = paths;
        if (!Directory.Exists(paths.Root))
        {
            throw new AuditLogException($"no audit log at {paths.Root}");
        }
    }

    public AuditLogPaths Paths { get; }

    /// <summary>The leaves from <paramref name="fromIndex"/> on, with their stored leaf hashes.</summary>
    /// <exception cref="AuditLogException">A segment is malformed (an incomplete final record of the last segment just ends the sequence).</exception>
    public IEnumerable<(AuditLeaf Leaf, byte[] StoredHash)> ReadLeaves(long fromIndex = 0)
    {
        IReadOnlyList<(long FirstIndex, string Path)> segments = Paths.ListSegments();
        long expected = segments.Count == 0 ? 0 : segments[0].FirstIndex;
        for (int s = 0; s < segments.Count; s++)
        {
            (long first, string path) = segments[s];
            bool isLast = s == segments.Count - 1;
            if (first != expected)
            {
                throw new AuditLogException($"segment {Path.GetFileName(path)} starts at record {first}, expected {expected}");
            }

            if (!isLast && segments[s + 1].FirstIndex <= fromIndex)
            {
                expected = segments[s + 1].FirstIndex;
                continue;
            }

            using SegmentReader? reader = SegmentReader.Open(path, out string? error);
            if (reader is null)
            {
                if (isLast && new FileInfo(path).Length <= SegmentFormat.HeaderSize)
                {
                    yield break;
                }

                throw new AuditLogException($"segment {Path.GetFileName(path)}: {error}");
            }

            while (true)
            {
                long offset = reader.Position;
                SegmentFrameStatus status = reader.Next(out SegmentFrame frame);
                // The last segment may end in a torn frame (a crash; opening the log cuts it) or in the zero-filled space
                // the writer keeps ahead of its appends.
                if (status == SegmentFrameStatus.End || (isLast && status is SegmentFrameStatus.Incomplete or SegmentFrameStatus.Padding))
                {
                    break;
                }

                if (status != SegmentFrameStatus.Complete)
                {
                    throw new AuditLogException($"record {expected} in {Path.GetFileName(path)} at offset {offset}: malformed frame ({status})");
                }

                AuditLeaf leaf = AuditLeaf.Parse(frame.Leaf, out string? leafError)
                    ?? throw new AuditLogException($"record {expected} in {Path.GetFileName(path)} at offset {offset}: {leafError}");
                if (leaf.Index != expected)
                {
                    throw new AuditLogException($"record at offset {offset} of {Path.GetFileName(path)} has index {leaf.Index}, expected {expected}");
                }

                expected++;
                if (leaf.Index >= fromIndex)
                {
                    yield return (leaf, frame.StoredHash);
                }
            }
        }
    }

    /// <summary>The stored signed notes, oldest first.</summary>
    public IReadOnlyList<CheckpointStore.StoredNote> ReadCheckpointNotes() =>
        CheckpointStore.ReadAll(Paths.Checkpoints, out _, out _);

    /// <summary>The latest checkpoint that verifies with <paramref name="verifier"/>.</summary>
    /// <exception cref="AuditLogException">There is none, or the latest does not verify.</exception>
    public Checkpoint LatestCheckpoint(NoteVerifier verifier)
    {
        IReadOnlyList<CheckpointStore.StoredNote> notes = ReadCheckpointNotes();
        if (notes.Count == 0)
        {
            throw new AuditLogException("the audit log has no signed checkpoint yet");
        }

        try
        {
            return CheckpointFormat.Parse(SignedNote.Open(notes[^1].Text ?? throw new FormatException("not UTF-8"), verifier));
        }
        catch (FormatException ex)
        {
            throw new AuditLogException($"the latest checkpoint does not verify: {ex.Message}", ex);
        }
    }

    /// <summary>The signed note text of the latest checkpoint.</summary>
    public string LatestCheckpointNote()
    {
        IReadOnlyList<CheckpointStore.StoredNote> notes = ReadCheckpointNotes();
        return notes.Count == 0 ? throw new AuditLogException("the audit log has no signed checkpoint yet") : notes[^1].Text ?? throw new AuditLogException("the latest checkpoint is not UTF-8");
    }

    /// <summary>The leaf hashes of records [0, size), recomputed from the leaves (not taken from the trailers).</summary>
    public byte[] LeafHashes(long size)
    {
        if (size > int.MaxValue / Merkle.MerkleHasher.HashSize)
        {
            throw new AuditLogException("the log is too large for in-memory proofs");
        }

        byte[] hashes = new byte[size * Merkle.MerkleHasher.HashSize];
        long count = 0;
        foreach ((AuditLeaf leaf, _) in ReadLeaves())
        {
            if (count == size)
            {
                break;
            }

            Merkle.MerkleHasher.HashLeaf(leaf.Bytes, hashes.AsSpan((int)(count * Merkle.MerkleHasher.HashSize), Merkle.MerkleHasher.HashSize));
            count++;
        }

        return count == size ? hashes : throw new AuditLogException($"the log holds {count} records, fewer than {size}");
    }

    /// <summary>The verifier key stored with the log (<c>keys/signing.pub</c>); an auditor should supply a trusted copy instead.</summary>
    public NoteVerifier StoredVerifier()
    {
        if (!File.Exists(Paths.PublicKey))
        {
            throw new AuditLogException($"no public key at {Paths.PublicKey}; give one with --public-key");
        }

        try
        {
            return NoteVerifier.Parse(File.ReadAllText(Paths.PublicKey));
        }
        catch (FormatException ex)
        {
            throw new AuditLogException($"{Paths.PublicKey}: {ex.Message}", ex);
        }
    }
}
