using System.Globalization;
using System.IO.Compression;
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

        var files = await Task.Run(() => BuildFiles(reader, log, request, checkpoint, note), cancellationToken).ConfigureAwait(false);
        if (zip)
        {
            WriteZip(output, files.Files);
        }
        else
        {
            WriteDirectory(output, files.Files);
        }

        return new AuditExportResult(files.Count, checkpoint, auditIndex, output);
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

    private static (Dictionary<string, byte[]> Files, int Count) BuildFiles(AuditLogReader reader, AuditLog log, AuditExportRequest request, Checkpoint checkpoint, string note)
    {
        var selected = AuditSearch.SearchLeaves(reader, log.DataKey, request.Filter, checkpoint.Size).ToList();
        var tree = new MerkleTree(reader.LeafHashes(checkpoint.Size));
        if (!tree.Root(checkpoint.Size).AsSpan().SequenceEqual(checkpoint.Root))
        {
            throw new AuditLogException("the log does not match its latest checkpoint; run 'gatewayctl audit verify'");
        }

        var proofs = new StringBuilder();
        foreach ((AuditLeaf leaf, _) in selected)
        {
            byte[] recordKey = leaf.RecordKey(log.DataKey);
            proofs.Append(ProofLine(leaf, recordKey, tree.InclusionProof(leaf.Index, checkpoint.Size))).Append('\n');
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(recordKey);
        }

        var records = selected.Select(s => (s.Leaf.Index, s.Record)).ToList();
        string recordsFile = AuditRecordRenderer.FileName(request.Format);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [AuditBundle.Readme] = Encoding.UTF8.GetBytes(Readme(recordsFile, records.Count, checkpoint)),
            [AuditBundle.Manifest] = Manifest(request, recordsFile, records.Count, checkpoint),
            [recordsFile] = AuditRecordRenderer.Render(request.Format, records),
            [AuditBundle.Proofs] = Encoding.UTF8.GetBytes(proofs.ToString()),
            [AuditBundle.Checkpoint] = Encoding.UTF8.GetBytes(note),
            [AuditBundle.PublicKey] = Encoding.UTF8.GetBytes(log.Verifier.Encode() + "\n"),
        };
        return (files, records.Count);
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

    private static void WriteDirectory(string output, Dictionary<string, byte[]> files)
    {
        Directory.CreateDirectory(output);
        foreach ((string name, byte[] content) in files)
        {
            using var stream = new FileStream(Path.Combine(output, name), FileSync.CreateOptions(FileMode.CreateNew, SecretFiles.OwnerOnly));
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        FileSync.FlushDirectory(output);
    }

    private static void WriteZip(string output, Dictionary<string, byte[]> files)
    {
        using (var stream = new FileStream(output, FileSync.CreateOptions(FileMode.CreateNew, SecretFiles.OwnerOnly)))
        {
            using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach ((string name, byte[] content) in files)
                {
                    ZipArchiveEntry entry = archive.CreateEntry(name, CompressionLevel.Optimal);
                    entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
                    using Stream entryStream = entry.Open();
                    entryStream.Write(content);
                }
            }

            stream.Flush(flushToDisk: true);
        }

        FileSync.FlushDirectory(Path.GetDirectoryName(output)!);
    }
}
