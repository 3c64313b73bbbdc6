using System.Text;
using Gateway.Audit.Export;
using Gateway.Backup;
using Gateway.Backup.Manifest;
using Gateway.Dicom;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Pdus;
using Gateway.DicomWeb.Json;
using Gateway.DicomWeb.Multipart;
using Gateway.Policy.Loading;

namespace Gateway.Fuzz.Targets;

/// <summary>
/// The fuzz targets: the parsers that read what a peer, a client or an operator's file can put in front of the gateway.
/// Each catches only its parser's documented rejection (the exception type a caller handles); anything else escapes.
/// </summary>
public static class FuzzTargets
{
    /// <summary>The boundary of the multipart bodies the <c>multipart</c> target reads.</summary>
    public const string MultipartBoundary = "gwfuzz";

    /// <summary>Every target, by name.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("dataset", Dataset),
        new("pdu", Pdu),
        new("dimse-command", DimseCommandSet),
        new("multipart", Multipart),
        new("policy", Policy),
        new("audit-bundle", AuditBundle),
        new("dicom-json", DicomJson),
        new("backup-manifest", BackupManifest),
        new("audit-log", AuditLogFiles, SmokeMutations: 300),
    ];

    /// <summary>The target named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such target.</exception>
    public static FuzzTarget Get(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"unknown fuzz target '{name}'; known: {string.Join(", ", All.Select(t => t.Name))}", nameof(name));

    /// <summary>
    /// The data-set reader as the archive and the gateway use it: a Part 10 file, a file without preamble or a bare data
    /// set, read whole into a <see cref="DicomDataset"/>, then every string value decoded. Rejection:
    /// <see cref="DicomFormatException"/>.
    /// </summary>
    public static void Dataset(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            // Limits small enough that no input can make the harness itself slow or big.
            var options = new DicomReaderOptions { MaxValueLength = 1 << 20, MaxTotalValueBytes = 4 << 20, MaxElements = 100_000 };
            using var stream = new MemoryStream(input, writable: false);
            using DicomFileReader reader = DicomFileReader.OpenAsync(stream, options).AsTask().GetAwaiter().GetResult();
            DicomDataset dataset = reader.ReadDatasetAsync().AsTask().GetAwaiter().GetResult();
            Touch(dataset);
        }
        catch (DicomFormatException)
        {
        }
    }

    /// <summary>
    /// The Upper Layer PDU reader: the 6-byte header checked against the limits, then the body parsed. Rejection:
    /// <see cref="DicomProtocolException"/> (it becomes an A-ABORT).
    /// </summary>
    public static void Pdu(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Length < 6)
        {
            return;
        }

        try
        {
            PduLimits limits = PduLimits.Default;
            (PduType type, uint length) = PduReader.CheckHeader(input.AsSpan(0, 6), limits);
            // The network layer reads exactly the declared length; a shorter input is a truncated stream (not the
            // parser's concern), a longer one carries the next PDU.
            if (input.Length - 6 < length)
            {
                return;
            }

            Gateway.Dicom.Network.Pdus.Pdu pdu = PduReader.Parse(type, input.AsMemory(6, (int)length), limits);
            _ = pdu.ToString();
        }
        catch (DicomProtocolException)
        {
        }
    }

    /// <summary>The DIMSE command set decoder (group 0000, implicit VR little endian). Rejection: <see cref="DicomFormatException"/>.</summary>
    public static void DimseCommandSet(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            DimseCommand command = DimseCommand.DecodeAsync(input).AsTask().GetAwaiter().GetResult();
            _ = command.ToString();
        }
        catch (DicomFormatException)
        {
        }
    }

    /// <summary>
    /// The STOW-RS multipart/related reader: every part's headers and body read to the end. Rejection:
    /// <see cref="MultipartException"/>.
    /// </summary>
    public static void Multipart(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            using var body = new MemoryStream(input, writable: false);
            MultipartReader reader = MultipartReader.Create(body, $"multipart/related; type=\"application/dicom\"; boundary={MultipartBoundary}");
            byte[] buffer = new byte[4096];
            while (reader.ReadNextPartAsync().AsTask().GetAwaiter().GetResult() is { } part)
            {
                _ = part.ContentType;
                while (part.Body.ReadAsync(buffer).AsTask().GetAwaiter().GetResult() > 0)
                {
                }
            }
        }
        catch (MultipartException)
        {
        }
    }

    /// <summary>The policy loader on one YAML file. Rejections are values (<see cref="PolicyLoadResult"/> errors): it must never throw.</summary>
    public static void Policy(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        string text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetString(input);
        _ = PolicyLoader.Load([new PolicySource("fuzz.yaml", text)]);
    }

    /// <summary>
    /// The audit export bundle verifier (<c>gatewayctl audit verify-export</c>), which a compliance officer runs on a bundle
    /// from anywhere: the input is the bundle's files, <see cref="AuditBundleFiles"/> in that order, as
    /// <see cref="SplitParts"/> cuts them. Rejections are values (the report's problems): it must never throw.
    /// </summary>
    public static void AuditBundle(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        IReadOnlyList<byte[]> parts = SplitParts(input, AuditBundleFiles.Count);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (int i = 0; i < parts.Count; i++)
        {
            files[AuditBundleFiles[i]] = parts[i];
        }

        _ = AuditBundleVerifier.Verify(files, trustedKey: null);
    }

    /// <summary>
    /// The DICOM JSON reader (PS3.18 Annex F) as the bridge reads a DICOMweb origin's QIDO-RS and STOW-RS answers: an array
    /// of data sets, streamed, with bulk data references collected; every value decoded. Rejection:
    /// <see cref="DicomJsonException"/>.
    /// </summary>
    public static void DicomJson(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            var options = new DicomJsonReaderOptions { MaxDocumentBytes = 4 << 20, MaxTokenBytes = 1 << 20, MaxElements = 100_000, MaxDatasets = 1_000 };
            var bulkData = new List<DicomJsonBulkData>();
            using var stream = new MemoryStream(input, writable: false);
            IAsyncEnumerator<DicomDataset> datasets = DicomJsonReader.ReadDatasetsAsync(stream, options, bulkData).GetAsyncEnumerator();
            try
            {
                while (datasets.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                {
                    Touch(datasets.Current);
                }
            }
            finally
            {
                datasets.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        catch (DicomJsonException)
        {
        }
    }

    /// <summary>
    /// A snapshot's manifest as restore, verify and drills read it from a backup repository that an attacker may have
    /// written to. Rejection: <see cref="SnapshotIntegrityException"/>.
    /// </summary>
    public static void BackupManifest(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            _ = ManifestSerializer.Parse(input);
        }
        catch (SnapshotIntegrityException)
        {
        }
    }

    /// <summary>
    /// <c>gatewayctl audit verify</c> on a log whose segment and checkpoint files an intruder rewrote: the input is the
    /// segment and the checkpoints file (as <see cref="SplitParts"/> cuts them), written over those of a small real log
    /// (<see cref="FuzzSeeds.AuditLogTemplate"/>) and verified with its public key and data key. Rejections are values
    /// (the report's problems): it must never throw.
    /// </summary>
    public static void AuditLogFiles(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        FuzzSeeds.AuditLogFixture log = FuzzSeeds.AuditLogTemplate;
        IReadOnlyList<byte[]> parts = SplitParts(input, 2);
        File.WriteAllBytes(log.Segment, parts[0]);
        File.WriteAllBytes(log.Checkpoints, parts.Count > 1 ? parts[1] : []);
        _ = Gateway.Audit.Verification.AuditLogVerifier.Verify(log.Directory, log.Verifier, new Gateway.Audit.Verification.AuditVerifyOptions { DataKey = log.DataKey });
    }

    /// <summary>The files of an <c>audit-bundle</c> input, in order.</summary>
    public static IReadOnlyList<string> AuditBundleFiles { get; } =
        [Gateway.Audit.Export.AuditBundle.Manifest, Gateway.Audit.Export.AuditBundle.Proofs, Gateway.Audit.Export.AuditBundle.Checkpoint, Gateway.Audit.Export.AuditBundle.PublicKey, "records.jsonl"];

    /// <summary>What separates the files of a several-file input (ASCII record separators around a newline).</summary>
    public static ReadOnlySpan<byte> PartSeparator => "\u001e\n\u001e"u8;

    /// <summary>
    /// Cuts a several-file input at <see cref="PartSeparator"/> into at most <paramref name="count"/> parts, the last one
    /// taking the rest; fewer when the input has fewer separators.
    /// </summary>
    public static IReadOnlyList<byte[]> SplitParts(ReadOnlySpan<byte> input, int count)
    {
        var parts = new List<byte[]>(count);
        while (parts.Count < count - 1 && input.IndexOf(PartSeparator) is var at and >= 0)
        {
            parts.Add(input[..at].ToArray());
            input = input[(at + PartSeparator.Length)..];
        }

        parts.Add(input.ToArray());
        return parts;
    }

    /// <summary>The input <see cref="SplitParts"/> cuts back into <paramref name="parts"/>.</summary>
    public static byte[] JoinParts(IEnumerable<byte[]> parts)
    {
        var joined = new List<byte>();
        bool first = true;
        foreach (byte[] part in parts)
        {
            if (!first)
            {
                joined.AddRange(PartSeparator);
            }

            joined.AddRange(part);
            first = false;
        }

        return [.. joined];
    }

    // Decodes every value the way the archive's indexer and the JSON writer would read them.
    private static void Touch(DicomDataset dataset)
    {
        foreach (DicomItem item in dataset)
        {
            if (item is DicomElement { VR.Kind: DicomVRKind.Text or DicomVRKind.Binary })
            {
                _ = dataset.GetStrings(item.Tag);
            }
        }
    }
}
