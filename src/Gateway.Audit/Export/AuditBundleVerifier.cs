using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Gateway.Audit.Checkpoints;
using Gateway.Audit.Merkle;
using Gateway.Audit.Records;
using Gateway.Audit.Storage;

namespace Gateway.Audit.Export;

/// <summary>
/// Checks an export bundle with nothing but the bundle (and optionally a trusted public key): the checkpoint's signature,
/// each record's inclusion proof, each leaf's decryption with its one-time key, and that the records file is exactly the
/// rendering of those decrypted records.
/// </summary>
public static class AuditBundleVerifier
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>Verifies the bundle at <paramref name="bundlePath"/> (a directory or a zip).</summary>
    /// <param name="bundlePath">The bundle.</param>
    /// <param name="trustedKey">The log's verifier key from a trusted source; null uses the bundle's own copy.</param>
    /// <exception cref="IOException">The bundle cannot be read at all.</exception>
    public static AuditBundleReport Verify(string bundlePath, NoteVerifier? trustedKey = null)
    {
        ArgumentNullException.ThrowIfNull(bundlePath);
        Dictionary<string, byte[]> files;
        try
        {
            files = ReadFiles(bundlePath);
        }
        catch (InvalidDataException ex)
        {
            throw new IOException($"{bundlePath} is not a readable bundle: {ex.Message}", ex);
        }

        return Verify(files, trustedKey);
    }

    /// <summary>Verifies a bundle whose files (by name) are already read; every problem is reported, none thrown.</summary>
    internal static AuditBundleReport Verify(IReadOnlyDictionary<string, byte[]> files, NoteVerifier? trustedKey)
    {
        var problems = new List<string>();

        AuditBundleReport Fail(string problem, Checkpoint? checkpoint = null)
        {
            problems.Add(problem);
            return new AuditBundleReport { VerifiedRecords = 0, Checkpoint = checkpoint, KeyTrusted = trustedKey is not null, Problems = problems };
        }

        foreach (string required in new[] { AuditBundle.Manifest, AuditBundle.Proofs, AuditBundle.Checkpoint, AuditBundle.PublicKey })
        {
            if (!files.ContainsKey(required))
            {
                return Fail($"the bundle has no {required}");
            }
        }

        NoteVerifier verifier;
        try
        {
            verifier = trustedKey ?? NoteVerifier.Parse(Text(files[AuditBundle.PublicKey]));
        }
        catch (FormatException ex)
        {
            return Fail($"{AuditBundle.PublicKey}: {ex.Message}");
        }

        if (trustedKey is not null && TryText(files[AuditBundle.PublicKey])?.Trim() != trustedKey.Encode())
        {
            problems.Add($"{AuditBundle.PublicKey} is not the trusted key (checked with the trusted key regardless)");
        }

        Checkpoint checkpoint;
        try
        {
            checkpoint = CheckpointFormat.Parse(SignedNote.Open(Text(files[AuditBundle.Checkpoint]), verifier));
        }
        catch (FormatException ex)
        {
            return Fail($"{AuditBundle.Checkpoint}: {ex.Message}");
        }

        (AuditExportFormat format, string recordsFile, int declaredCount)? manifest = ReadManifest(files[AuditBundle.Manifest], out string? manifestError);
        if (manifest is null)
        {
            return Fail($"{AuditBundle.Manifest}: {manifestError}", checkpoint);
        }

        if (!files.TryGetValue(manifest.Value.recordsFile, out byte[]? recordsBytes))
        {
            return Fail($"the bundle has no {manifest.Value.recordsFile}", checkpoint);
        }

        if (TryText(files[AuditBundle.Proofs]) is not { } proofsText)
        {
            return Fail($"{AuditBundle.Proofs}: not UTF-8", checkpoint);
        }

        var records = new List<(long Index, AuditRecord Record)>();
        string[] lines = proofsText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        long previousIndex = -1;
        foreach (string line in lines)
        {
            string? problem = VerifyProofLine(line, checkpoint, out long index, out AuditRecord? record);
            if (problem is not null)
            {
                problems.Add(index >= 0 ? $"record {index}: {problem}" : problem);
                continue;
            }

            if (index <= previousIndex)
            {
                problems.Add($"record {index}: out of order or repeated in {AuditBundle.Proofs}");
                continue;
            }

            previousIndex = index;
            records.Add((index, record!));
        }

        if (records.Count != manifest.Value.declaredCount || lines.Length != manifest.Value.declaredCount)
        {
            problems.Add($"the manifest lists {manifest.Value.declaredCount} records, {AuditBundle.Proofs} proves {records.Count} of {lines.Length}");
        }

        byte[] expected = AuditRecordRenderer.Render(manifest.Value.format, records);
        if (!expected.AsSpan().SequenceEqual(recordsBytes))
        {
            problems.Add($"{manifest.Value.recordsFile} is not the rendering of the proven records: " + FirstDifference(manifest.Value.format, expected, recordsBytes, records));
        }

        return new AuditBundleReport
        {
            VerifiedRecords = problems.Count == 0 ? records.Count : 0,
            Checkpoint = checkpoint,
            KeyTrusted = trustedKey is not null,
            Problems = problems,
        };
    }

    private static string? VerifyProofLine(string line, Checkpoint checkpoint, out long index, out AuditRecord? record)
    {
        index = -1;
        record = null;
        if (Encoding.UTF8.GetByteCount(line) > AuditBundle.MaxProofLineBytes)
        {
            return "proof line too long";
        }

        byte[] leafBytes;
        byte[] recordKey;
        string leafHashHex;
        var proof = new List<byte[]>();
        try
        {
            using JsonDocument doc = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 4 });
            JsonElement root = doc.RootElement;
            index = root.GetProperty("index").GetInt64();
            leafHashHex = root.GetProperty("leafHash").GetString() ?? string.Empty;
            leafBytes = Convert.FromBase64String(root.GetProperty("leaf").GetString() ?? string.Empty);
            recordKey = Convert.FromBase64String(root.GetProperty("recordKey").GetString() ?? string.Empty);
            JsonElement hashes = root.GetProperty("inclusionProof");
            if (hashes.GetArrayLength() > AuditBundle.MaxProofHashes)
            {
                return "inclusion proof too long";
            }

            foreach (JsonElement hash in hashes.EnumerateArray())
            {
                proof.Add(Convert.FromHexString(hash.GetString() ?? string.Empty));
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            return "malformed proof line: " + ex.Message;
        }

        AuditLeaf? leaf = AuditLeaf.Parse(leafBytes, out string? leafError);
        if (leaf is null)
        {
            return "malformed leaf: " + leafError;
        }

        if (leaf.Index != index)
        {
            return $"the leaf carries index {leaf.Index}";
        }

        byte[] leafHash = MerkleHasher.HashLeaf(leafBytes);
        if (!string.Equals(Convert.ToHexStringLower(leafHash), leafHashHex, StringComparison.Ordinal))
        {
            return "the leaf does not hash to the listed leaf hash (leaf altered)";
        }

        if (!MerkleProofs.VerifyInclusion(index, checkpoint.Size, leafHash, proof, checkpoint.Root))
        {
            return $"not included in the signed log: the inclusion proof does not lead to the checkpoint root at size {checkpoint.Size}";
        }

        try
        {
            record = AuditRecordSerializer.Deserialize(leaf.DecryptWithRecordKey(recordKey));
        }
        catch (Exception ex) when (ex is AuditLogException or FormatException)
        {
            return "does not decrypt to a valid record with its key: " + ex.Message;
        }

        return null;
    }

    private static (AuditExportFormat, string, int)? ReadManifest(byte[] bytes, out string? error)
    {
        error = null;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 4 });
            JsonElement root = doc.RootElement;
            if (root.GetProperty("bundle").GetString() != "gateway-audit-export v1")
            {
                error = "not a gateway-audit-export v1 bundle";
                return null;
            }

            if (!AuditRecordRenderer.TryParseFormat(root.GetProperty("format").GetString() ?? string.Empty, out AuditExportFormat format))
            {
                error = "unknown format";
                return null;
            }

            string recordsFile = root.GetProperty("recordsFile").GetString() ?? string.Empty;
            if (recordsFile != AuditRecordRenderer.FileName(format))
            {
                error = "records file name does not match the format";
                return null;
            }

            return (format, recordsFile, root.GetProperty("recordCount").GetInt32());
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            error = ex.Message;
            return null;
        }
    }

    private static string FirstDifference(AuditExportFormat format, byte[] expected, byte[] actual, List<(long Index, AuditRecord Record)> records)
    {
        if (format is AuditExportFormat.Jsonl or AuditExportFormat.Csv)
        {
            string[] want = Encoding.UTF8.GetString(expected).Split('\n');
            string[] got = Encoding.UTF8.GetString(actual).Split('\n');
            int skip = format == AuditExportFormat.Csv ? 1 : 0;
            for (int i = 0; i < Math.Max(want.Length, got.Length); i++)
            {
                if (i >= want.Length || i >= got.Length || want[i] != got[i])
                {
                    int recordPosition = i - skip;
                    return recordPosition >= 0 && recordPosition < records.Count
                        ? $"first difference in the line of record {records[recordPosition].Index}"
                        : $"first difference at line {i + 1}";
                }
            }
        }

        int at = expected.AsSpan().CommonPrefixLength(actual);
        return $"first difference at byte {at}";
    }

    private static string Text(byte[] bytes) => TryText(bytes) ?? throw new FormatException("not UTF-8");

    // Null when the bytes are not UTF-8.
    private static string? TryText(byte[] bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static Dictionary<string, byte[]> ReadFiles(string bundlePath)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (Directory.Exists(bundlePath))
        {
            foreach (string path in Directory.EnumerateFiles(bundlePath).Take(AuditBundle.MaxFiles + 1))
            {
                if (files.Count == AuditBundle.MaxFiles)
                {
                    throw new InvalidDataException("too many files");
                }

                if (new FileInfo(path).Length > AuditBundle.MaxFileBytes)
                {
                    throw new InvalidDataException($"{Path.GetFileName(path)} is too large");
                }

                files[Path.GetFileName(path)] = File.ReadAllBytes(path);
            }

            return files;
        }

        using ZipArchive archive = ZipFile.OpenRead(bundlePath);
        if (archive.Entries.Count > AuditBundle.MaxFiles)
        {
            throw new InvalidDataException("too many files");
        }

        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            if (entry.Length > AuditBundle.MaxFileBytes || entry.FullName.Contains('/', StringComparison.Ordinal) || entry.FullName.Contains('\\', StringComparison.Ordinal))
            {
                throw new InvalidDataException($"unexpected entry {entry.FullName}");
            }

            using Stream stream = entry.Open();
            using var copy = new MemoryStream();
            // The declared length is checked above; the copy is bounded again in case the entry lies about it.
            byte[] buffer = new byte[81920];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                if (copy.Length + read > AuditBundle.MaxFileBytes)
                {
                    throw new InvalidDataException($"{entry.FullName} is too large");
                }

                copy.Write(buffer, 0, read);
            }

            files[entry.FullName] = copy.ToArray();
        }

        return files;
    }
}
