using System.Text;
using Gateway.Audit;
using Gateway.Audit.Export;
using Gateway.Audit.Records;
using Gateway.Backup;
using Gateway.Backup.Manifest;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Pdus;

namespace Gateway.Fuzz.Targets;

/// <summary>
/// The seed corpus of each target, from the repository's test data where it has some (the codec's corpus, the example
/// site's policy) and otherwise encoded by the gateway's own writers (PDUs, DIMSE command sets, STOW bodies).
/// </summary>
public static class FuzzSeeds
{
    private const string Implicit = "1.2.840.10008.1.2";
    private const string Explicit = "1.2.840.10008.1.2.1";
    private const string Verification = "1.2.840.10008.1.1";
    private const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";

    /// <summary>The seeds of <paramref name="target"/>, read under the repository root <paramref name="repository"/>.</summary>
    /// <exception cref="ArgumentException">No such target.</exception>
    public static IReadOnlyList<byte[]> For(string target, string repository) => target switch
    {
        "dataset" => DicomFiles(repository),
        "pdu" => Pdus(),
        "dimse-command" => CommandSets(),
        "multipart" => MultipartBodies(repository),
        "policy" => [.. Directory.GetFiles(Path.Combine(repository, "policies"), "*.yaml").Order(StringComparer.Ordinal).Select(File.ReadAllBytes)],
        "audit-bundle" => AuditBundles(),
        "dicom-json" => DicomJsonDocuments(repository),
        "backup-manifest" => BackupManifests(),
        "audit-log" => [AuditLogTemplate.Seed],
        _ => throw new ArgumentException($"unknown fuzz target '{target}'", nameof(target)),
    };

    /// <summary>The repository root: the nearest directory above <paramref name="start"/> holding <c>Gateway.sln</c>.</summary>
    /// <exception cref="InvalidOperationException">There is none.</exception>
    public static string FindRepository(string start)
    {
        for (DirectoryInfo? directory = new(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Gateway.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Gateway.sln above {start}");
    }

    /// <summary>
    /// A small real audit log (7 records, checkpoints every 2) in a temporary directory, made once per process, whose
    /// segment and checkpoint files the <c>audit-log</c> target overwrites; <see cref="AuditLogFixture.Seed"/> holds them as
    /// written.
    /// </summary>
    public static AuditLogFixture AuditLogTemplate => LazyAuditLog.Value;

    private static readonly Lazy<AuditLogFixture> LazyAuditLog = new(CreateAuditLog);

    private static AuditLogFixture CreateAuditLog()
    {
        string directory = Path.Combine(Path.GetTempPath(), "gateway-fuzz-audit-log-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the temporary directory's own clean-up.
            }
        };
        AuditLog log = OpenSampleLog(directory, 7);
        Gateway.Audit.Checkpoints.NoteVerifier verifier = log.Verifier;
        log.DisposeAsync().AsTask().GetAwaiter().GetResult();

        var paths = new Gateway.Audit.Storage.AuditLogPaths(directory);
        string segment = Directory.GetFiles(paths.Segments).Single();
        byte[] seed = FuzzTargets.JoinParts([File.ReadAllBytes(segment), File.ReadAllBytes(paths.Checkpoints)]);
        return new AuditLogFixture(directory, segment, paths.Checkpoints, verifier, Gateway.Audit.Storage.AuditDataKey.Load(paths.DataKey, create: false), seed);
    }

    /// <summary>The <c>audit-log</c> target's log: where its files are, its keys, and its files as written.</summary>
    public sealed record AuditLogFixture(string Directory, string Segment, string Checkpoints, Gateway.Audit.Checkpoints.NoteVerifier Verifier, Gateway.Audit.Storage.AuditDataKey DataKey, byte[] Seed);

    // A new log in directory (checkpoints every 2 records) holding that many sample records; the caller disposes it.
    private static AuditLog OpenSampleLog(string directory, int records)
    {
        AuditLog log = AuditLog.Open(new AuditLogOptions { Directory = directory, Origin = "fuzz.example/audit", CheckpointEveryRecords = 2 });
        try
        {
            for (int i = 0; i < records; i++)
            {
                log.AppendAsync(SampleRecord(i)).AsTask().GetAwaiter().GetResult();
            }

            return log;
        }
        catch
        {
            log.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    private static AuditRecord SampleRecord(int i) => new()
    {
        EventId = AuditEventId.DicomInstancesTransferred,
        Action = AuditEventAction.Create,
        EventTime = new DateTimeOffset(2026, 1, 2, 3, 4, i, TimeSpan.Zero),
        Outcome = AuditEventOutcome.Success,
        ActiveParticipants = [AuditRecords.ApplicationEntity("CT" + i, "10.1.2.3", isRequestor: true, AuditCodes.SourceRole)],
        Source = new AuditSource { SourceId = "fuzz" },
        ParticipantObjects = [AuditRecords.Patient("PID-" + i, "DOE^JANE"), AuditRecords.Study("1.2.3." + i, [new AuditSopClass(CtImageStorage, 2)])],
    };

    // Two bundles exported from a fresh log of a few records (one of a single record, one of all), in the target's layout.
    private static byte[][] AuditBundles()
    {
        string directory = Path.Combine(Path.GetTempPath(), "gateway-fuzz-audit-" + Guid.NewGuid().ToString("N"));
        try
        {
            AuditLog log = OpenSampleLog(Path.Combine(directory, "log"), 5);
            try
            {
                return [Export(log, directory, "one", new AuditFilter { PatientId = "PID-3" }), Export(log, directory, "all", new AuditFilter())];
            }
            finally
            {
                log.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        static byte[] Export(AuditLog log, string directory, string name, AuditFilter filter)
        {
            string bundle = Path.Combine(directory, name);
            AuditExporter.ExportAsync(log, new AuditExportRequest
            {
                Filter = filter,
                Format = AuditExportFormat.Jsonl,
                OutputPath = bundle,
                Requestor = new AuditActiveParticipant { UserId = "fuzz", UserIsRequestor = true },
                Source = new AuditSource { SourceId = "fuzz" },
            }).GetAwaiter().GetResult();
            return FuzzTargets.JoinParts(FuzzTargets.AuditBundleFiles.Select(file => File.ReadAllBytes(Path.Combine(bundle, file))));
        }
    }

    // The codec corpus as DICOM JSON arrays (our writer), and one answer in Orthanc's habits: "Value" before "vr", a PN as a
    // plain string, a bulk data reference, a nested sequence.
    private static byte[][] DicomJsonDocuments(string repository)
    {
        var documents = new List<byte[]>
        {
            """[{"00100010":{"Value":["DOE^JANE"],"vr":"PN"},"0020000D":{"vr":"UI","Value":["1.2.3"]},"00081199":{"vr":"SQ","Value":[{"00081150":{"vr":"UI","Value":["1.2.840.10008.5.1.4.1.1.2"]}}]},"7FE00010":{"vr":"OW","BulkDataURI":"http://pacs/bulk/1"},"00280030":{"vr":"DS","Value":["0.5",0.5]},"00201208":{"vr":"IS","Value":[3]}}]"""u8.ToArray(),
        };
        foreach (byte[] file in DicomFiles(repository).Take(12))
        {
            try
            {
                using var stream = new MemoryStream(file, writable: false);
                using Gateway.Dicom.IO.DicomFileReader reader = Gateway.Dicom.IO.DicomFileReader.OpenAsync(stream).AsTask().GetAwaiter().GetResult();
                DicomDataset dataset = reader.ReadDatasetAsync().AsTask().GetAwaiter().GetResult();
                dataset.Remove(Gateway.Dicom.DicomTags.PixelData);
                documents.Add(Encoding.UTF8.GetBytes("[" + Gateway.Dicom.Json.DicomJsonWriter.Serialize(dataset, indented: false) + "]"));
            }
            catch (Gateway.Dicom.DicomFormatException)
            {
                // The corpus holds malformed files on purpose; they make no JSON seed.
            }
        }

        return [.. documents];
    }

    // Manifests as a snapshot writes them: empty, one file, and several with a changed object.
    private static byte[][] BackupManifests()
    {
        var created = new DateTimeOffset(2026, 11, 30, 1, 2, 3, TimeSpan.Zero);
        ManifestEntry[][] fileSets =
        [
            [],
            [new ManifestEntry("audit/segments/000001.seg", new string('a', 64), 1234, created.UtcTicks)],
            [
                new ManifestEntry("archive/objects/00/0a1b.obj", new string('0', 64), 524_288, created.UtcTicks),
                new ManifestEntry("archive/objects/01/1b2c.obj", new string('f', 64), 1, created.UtcTicks - 1),
                new ManifestEntry("index/archive.db", new string('9', 64), 0, created.UtcTicks),
            ],
        ];
        return [.. fileSets.Select((files, i) => ManifestSerializer.Write(new SnapshotManifest
        {
            Id = SnapshotId.New(created.AddMinutes(i)),
            CreatedAt = created.AddMinutes(i),
            RetainUntil = created.AddDays(30),
            Host = "gateway-1",
            Files = files,
            MerkleRoot = ManifestMerkle.Root(files),
            ChangedObjects = files.Length > 2 ? [files[1].Path] : [],
        }))];
    }

    private static byte[][] DicomFiles(string repository)
    {
        string corpus = Path.Combine(repository, "tests", "Gateway.Dicom.Tests", "Corpus");
        return [.. Directory.GetFiles(corpus, "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];
    }

    private static byte[][] Pdus()
    {
        var request = new AssociateRequestPdu
        {
            CalledAE = "GATEWAY",
            CallingAE = "CT01",
            PresentationContexts =
            [
                new PresentationContextProposal(1, Verification, [Implicit]),
                new PresentationContextProposal(3, CtImageStorage, [Explicit, Implicit]),
            ],
            UserInformation = new UserInformation
            {
                MaximumLength = 16384,
                ImplementationClassUid = "1.2.826.0.1.3680043.9.1",
                ImplementationVersionName = "GW_FUZZ",
                MaxOperationsInvoked = 1,
                MaxOperationsPerformed = 1,
                RoleSelections = [new RoleSelection(CtImageStorage, false, true)],
                UserIdentity = new UserIdentityRequest(UserIdentityType.UsernameAndPasscode, true, "alice"u8.ToArray(), "secret"u8.ToArray()),
            },
        };
        byte[] command = DimseCommand.Create(DimseCommandField.CEchoRequest).Encode();
        return
        [
            PduWriter.Encode(request),
            PduWriter.Encode(new DataTransferPdu([new PresentationDataValue(1, IsCommand: true, IsLast: true, command)])),
            PduWriter.Encode(new DataTransferPdu([new PresentationDataValue(3, false, false, new byte[64]), new PresentationDataValue(3, false, true, new byte[8])])),
            PduWriter.Encode(AssociateRejectPdu.CallingAETitleNotRecognized()),
            PduWriter.Encode(new ReleaseRequestPdu()),
            PduWriter.Encode(new ReleaseResponsePdu()),
            PduWriter.Encode(new AbortPdu(AbortSource.ServiceProvider, AbortReason.UnrecognizedPdu)),
        ];
    }

    private static byte[][] CommandSets()
    {
        var echo = new DimseCommand(new DicomDataset()) { CommandField = DimseCommandField.CEchoRequest, MessageId = 1, AffectedSopClassUid = Verification };
        var store = new DimseCommand(new DicomDataset())
        {
            CommandField = DimseCommandField.CStoreRequest,
            MessageId = 7,
            AffectedSopClassUid = CtImageStorage,
            AffectedSopInstanceUid = "2.25.1234567890",
            HasDataSet = true,
            MoveOriginatorAETitle = "PACS",
            MoveOriginatorMessageId = 3,
        };
        var move = new DimseCommand(new DicomDataset()) { CommandField = DimseCommandField.CMoveRequest, MessageId = 9, MoveDestination = "VIEWER", HasDataSet = true };
        return [echo.Encode(), store.Encode(), move.Encode()];
    }

    private static byte[][] MultipartBodies(string repository)
    {
        byte[][] files = DicomFiles(repository);
        return [Body(files[0]), Body(files[0], files[^1]), Body()];
    }

    // A multipart/related body of application/dicom parts with the target's boundary.
    private static byte[] Body(params byte[][] parts)
    {
        using var body = new MemoryStream();
        body.Write("preamble\r\n"u8);
        foreach (byte[] part in parts)
        {
            body.Write(Encoding.ASCII.GetBytes($"--{FuzzTargets.MultipartBoundary}\r\nContent-Type: application/dicom\r\nContent-Location: part\r\n\r\n"));
            body.Write(part);
            body.Write("\r\n"u8);
        }

        body.Write(Encoding.ASCII.GetBytes($"--{FuzzTargets.MultipartBoundary}--\r\n"));
        return body.ToArray();
    }
}
