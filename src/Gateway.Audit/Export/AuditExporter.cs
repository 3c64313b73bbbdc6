using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Gateway.Audit.Checkpoints;
using Gateway.Audit.Merkle;
using Gateway.Audit.Records;
using Gateway.Audit.Storage;

namespace Gateway.Audit.Export;

/// <summary>
/// Writes export bundles (see <see cref="AuditBundle"/>). Exporting is itself audited: an Audit Log Used record (110101)
/// is appended first, and the export is refused when that append fails.
/// </summary>
public static class AuditExporter
{
    /// <summary>Records the export, signs a checkpoint covering it, and writes the bundle.</summary>
    /// <exception cref="AuditLogException">The export could not be audited, or the log could not be read.</exception>
    /// <exception cref="IOException">The output exists and is not an empty directory, or cannot be written.</exception>
    public static async Task<AuditExportResult> ExportAsync(AuditLog log, AuditExportRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(request);
        string output = Path.GetFullPath(request.OutputPath);
        bool zip = output.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);
        CheckOutput(output, zip);

        AuditRecord used = AuditLogUsed(log, request);
        long auditIndex = await log.AppendAsync(used, cancellationToken).ConfigureAwait(false);
        Checkpoint checkpoint = await log.CheckpointAsync(cancellationToken).ConfigureAwait(false);
        var reader = new AuditLogReader(log.Paths);
        string note = NoteFor(reader, log.Verifier, checkpoint);

        int count = await Task.Run(
            () =>
            {
                using var bundle = new BundleWriter(output, zip);
                return WriteBundle(reader, log, request, checkpoint, note, bundle, cancellationToken);
            },
            cancellationToken).ConfigureAwait(false);
        return new AuditExportResult(count, checkpoint, auditIndex, output);
    }

    /// <summary>
    /// Records the export, signs a checkpoint covering it, and streams the bundle as a zip to <paramref name="destination"/>
    /// (a download: the decrypted records never touch the disk). <see cref="AuditExportRequest.OutputPath"/> only names it.
    /// </summary>
    /// <exception cref="AuditLogException">The export could not be audited, or the log could not be read.</exception>
    public static async Task<AuditExportResult> ExportZipAsync(AuditLog log, AuditExportRequest request, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(destination);
        long auditIndex = await log.AppendAsync(AuditLogUsed(log, request), cancellationToken).ConfigureAwait(false);
        Checkpoint checkpoint = await log.CheckpointAsync(cancellationToken).ConfigureAwait(false);
        var reader = new AuditLogReader(log.Paths);
        string note = NoteFor(reader, log.Verifier, checkpoint);

        // The bundle is written synchronously on a pool thread into a pipe of bounded size, and copied out asynchronously.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        Task<int> write = Task.Run(
            () =>
            {
                try
                {
                    int written;
                    using (Stream zip = pipe.Writer.AsStream(leaveOpen: true))
                    using (var bundle = new BundleWriter(zip))
                    {
                        written = WriteBundle(reader, log, request, checkpoint, note, bundle, cancellationToken);
                    }

                    pipe.Writer.Complete();
                    return written;
                }
                catch (Exception ex)
                {
                    pipe.Writer.Complete(ex);
                    throw;
                }
            },
            cancellationToken);
        try
        {
            await pipe.Reader.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await pipe.Reader.CompleteAsync(ex).ConfigureAwait(false);
            throw;
        }

        int count = await write.ConfigureAwait(false);
        return new AuditExportResult(count, checkpoint, auditIndex, request.OutputPath);
    }

    // The signed note of exactly this checkpoint: the writer may have signed a newer one since.
    private static string NoteFor(AuditLogReader reader, NoteVerifier verifier, Checkpoint checkpoint)
    {
        foreach (CheckpointStore.StoredNote stored in reader.ReadCheckpointNotes().Reverse())
        {
            try
            {
                Checkpoint candidate = CheckpointFormat.Parse(SignedNote.Open(stored.Text ?? string.Empty, verifier));
                if (candidate.Size == checkpoint.Size && candidate.Root.AsSpan().SequenceEqual(checkpoint.Root))
                {
                    return stored.Text!;
                }
            }
            catch (FormatException)
            {
                // Not this one; verification reports damaged checkpoints.
            }
        }

        throw new AuditLogException("the checkpoint just signed is not in the checkpoint file");
    }

    private static AuditRecord AuditLogUsed(AuditLog log, AuditExportRequest request)
    {
        // PS3.15 A.5.3.2: action R, the audit log as participant (type 2, role 13, id type URI, name "Security Audit Log").
        var objects = new List<AuditParticipantObject>
        {
            AuditRecords.AuditLog(new Uri(log.Paths.Root).AbsoluteUri) with
            {
                Query = Encoding.UTF8.GetBytes(DescribeFilter(request.Filter, request.Format)),
                Name = null,
                Description = "Security Audit Log",
            },
        };
        if (request.Filter.PatientId is { } patient)
        {
            // So that a later search by this patient finds who exported their records.
            objects.Add(AuditRecords.Patient(patient));
        }

        return new AuditRecord
        {
            EventId = AuditEventId.AuditLogUsed,
            Action = AuditEventAction.Read,
            EventTime = log.Time.GetUtcNow(),
            Outcome = AuditEventOutcome.Success,
            ActiveParticipants = [request.Requestor with { UserIsRequestor = true }],
            Source = request.Source,
            ParticipantObjects = objects,
        };
    }

    // Streams the bundle in three passes over the log, in memory bounded by the log's size / 256 (the tree above blocks
    // of 256 records), the records of one block, and a bitmap of the exported indexes: the tree (checked against the
    // checkpoint), the records file (decrypting and rendering one record at a time), then the proofs, block by block.
    private static int WriteBundle(AuditLogReader reader, AuditLog log, AuditExportRequest request, Checkpoint checkpoint, string note, BundleWriter bundle, CancellationToken cancellationToken)
    {
        BlockedMerkleTree tree = BlockedMerkleTree.Build(LeafHashes(reader, checkpoint.Size, cancellationToken));
        if (tree.Size != checkpoint.Size || !tree.Root.AsSpan().SequenceEqual(checkpoint.Root))
        {
            throw new AuditLogException("the log does not match its latest checkpoint; run 'gatewayctl audit verify'");
        }

        var selected = new IndexSet(checkpoint.Size);
        int count = 0;
        string recordsFile = AuditRecordRenderer.FileName(request.Format);
        bundle.WriteFile(recordsFile, stream =>
        {
            AuditRecordsWriter records = AuditRecordsWriter.Create(request.Format, stream);
            foreach ((AuditLeaf leaf, AuditRecord record) in AuditSearch.SearchLeaves(reader, log.DataKey, request.Filter, checkpoint.Size))
            {
                cancellationToken.ThrowIfCancellationRequested();
                records.Write(leaf.Index, record);
                selected.Add(leaf.Index);
                count++;
            }

            records.Complete();
        });
        bundle.WriteFile(AuditBundle.Proofs, stream => WriteProofs(stream, reader, tree, selected, log.DataKey, cancellationToken));
        bundle.WriteFile(AuditBundle.Readme, Encoding.UTF8.GetBytes(Readme(recordsFile, count, checkpoint)));
        bundle.WriteFile(AuditBundle.Manifest, Manifest(request, recordsFile, count, checkpoint));
        bundle.WriteFile(AuditBundle.Checkpoint, Encoding.UTF8.GetBytes(note));
        bundle.WriteFile(AuditBundle.PublicKey, Encoding.UTF8.GetBytes(log.Verifier.Encode() + "\n"));
        bundle.Complete();
        return count;
    }

    private static IEnumerable<byte[]> LeafHashes(AuditLogReader reader, long size, CancellationToken cancellationToken)
    {
        foreach ((AuditLeaf leaf, _) in reader.ReadLeaves())
        {
            if (leaf.Index >= size)
            {
                yield break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            yield return MerkleHasher.HashLeaf(leaf.Bytes);
        }
    }

    // One proof line per exported record, in index order. The leaves are read again block by block: a block holding an
    // exported record is hashed whole, since its proofs need its own subtrees.
    private static void WriteProofs(Stream output, AuditLogReader reader, BlockedMerkleTree tree, IndexSet selected, AuditDataKey key, CancellationToken cancellationToken)
    {
        byte[] hashes = new byte[BlockedMerkleTree.BlockSize * MerkleHasher.HashSize];
        var pending = new List<AuditLeaf>();
        long blockStart = -1;
        int hashed = 0;
        bool wanted = false;

        void Flush()
        {
            if (pending.Count == 0)
            {
                return;
            }

            tree.LoadBlock(blockStart, hashes[..(hashed * MerkleHasher.HashSize)]);
            foreach (AuditLeaf leaf in pending)
            {
                byte[] recordKey = leaf.RecordKey(key);
                output.Write(Encoding.UTF8.GetBytes(ProofLine(leaf, recordKey, tree.InclusionProof(leaf.Index)) + "\n"));
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(recordKey);
            }

            pending.Clear();
        }

        foreach ((AuditLeaf leaf, _) in reader.ReadLeaves())
        {
            if (leaf.Index >= tree.Size)
            {
                break;
            }

            long block = leaf.Index - (leaf.Index % BlockedMerkleTree.BlockSize);
            if (block != blockStart)
            {
                Flush();
                cancellationToken.ThrowIfCancellationRequested();
                blockStart = block;
                hashed = 0;
                wanted = selected.Any(block, Math.Min(block + BlockedMerkleTree.BlockSize, tree.Size));
            }

            if (!wanted)
            {
                continue;
            }

            MerkleHasher.HashLeaf(leaf.Bytes, hashes.AsSpan(hashed * MerkleHasher.HashSize, MerkleHasher.HashSize));
            hashed++;
            if (selected.Contains(leaf.Index))
            {
                pending.Add(leaf);
            }
        }

        Flush();
    }

    private static string ProofLine(AuditLeaf leaf, byte[] recordKey, IReadOnlyList<byte[]> proof)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("index", leaf.Index);
            w.WriteString("leafHash", Convert.ToHexStringLower(MerkleHasher.HashLeaf(leaf.Bytes)));
            w.WriteString("leaf", Convert.ToBase64String(leaf.Bytes));
            w.WriteString("recordKey", Convert.ToBase64String(recordKey));
            w.WriteStartArray("inclusionProof");
            foreach (byte[] hash in proof)
            {
                w.WriteStringValue(Convert.ToHexStringLower(hash));
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static byte[] Manifest(AuditExportRequest request, string recordsFile, int count, Checkpoint checkpoint)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("bundle", "gateway-audit-export v1");
            w.WriteString("format", AuditRecordRenderer.FormatName(request.Format));
            w.WriteString("recordsFile", recordsFile);
            w.WriteNumber("recordCount", count);
            w.WriteString("origin", checkpoint.Origin);
            w.WriteNumber("checkpointSize", checkpoint.Size);
            w.WriteString("filter", DescribeFilter(request.Filter, request.Format));
            w.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    private static string Readme(string recordsFile, int count, Checkpoint checkpoint) =>
        $"""
        Audit log export bundle (gateway-audit-export v1)

        {recordsFile} holds {count} decrypted audit records (DICOM PS3.15 A.5 vocabulary). They contain PHI:
        handle this bundle accordingly.

        Every record is shown to be in the tamper-evident audit log, unaltered, by:
          proofs.jsonl    per record: its stored (encrypted) bytes ("leaf"), its RFC 6962 leaf hash
                          SHA-256(0x00 || leaf), the one-time AES-256-GCM key that decrypts only that record, and an
                          RFC 9162 inclusion proof from the leaf hash to the root of the checkpoint;
          checkpoint.txt  the log's signed tree head at size {checkpoint.Size} (C2SP checkpoint in a C2SP signed note,
                          Ed25519): origin, tree size, base64 root, time;
          public-key.txt  the verifier key of the log (name+keyid+base64(0x01||Ed25519 public key)).

        To check it offline, with nothing but this bundle:
            gatewayctl audit verify-export BUNDLE --public-key TRUSTED-KEY-FILE
        Without --public-key the bundle's own key is used, which proves integrity but not origin: compare
        public-key.txt with the key the gateway's operators published.

        The check verifies the signature of the checkpoint, every inclusion proof, decrypts every leaf with its
        one-time key, and re-renders {recordsFile} from the decrypted records, byte for byte.
        """.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";

    private static string DescribeFilter(AuditFilter filter, AuditExportFormat format)
    {
        var parts = new List<string> { "format=" + AuditRecordRenderer.FormatName(format) };
        if (filter.From is { } from)
        {
            parts.Add("from=" + from.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        }

        if (filter.To is { } to)
        {
            parts.Add("to=" + to.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        }

        if (filter.PatientId is not null)
        {
            parts.Add("patient-id=" + filter.PatientId);
        }

        if (filter.User is not null)
        {
            parts.Add("user=" + filter.User);
        }

        if (filter.AeTitle is not null)
        {
            parts.Add("ae=" + filter.AeTitle);
        }

        if (filter.EventId is { } eventId)
        {
            parts.Add("event=" + ((int)eventId).ToString(CultureInfo.InvariantCulture));
        }

        if (filter.Outcome is { } outcome)
        {
            parts.Add("outcome=" + ((int)outcome).ToString(CultureInfo.InvariantCulture));
        }

        return string.Join(' ', parts);
    }

    private static void CheckOutput(string output, bool zip)
    {
        if (zip ? File.Exists(output) || Directory.Exists(output) : File.Exists(output) || (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any()))
        {
            throw new IOException($"{output} already exists; an export never overwrites");
        }

        string? parent = Path.GetDirectoryName(output);
        if (parent is null || !Directory.Exists(parent))
        {
            throw new IOException($"cannot write {output}: its directory does not exist");
        }
    }
}
