using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gateway.Archive;
using Gateway.Archive.Index;
using Gateway.Audit;
using Gateway.Audit.Checkpoints;
using Gateway.Backup.Manifest;
using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Services;

namespace Gateway.Backup.Drill;

/// <summary>
/// A restore drill: restores a snapshot into an isolated scratch directory (every file, object and the audit chain
/// verified), starts a throw-away gateway on it bound to a loopback port, queries (C-FIND) and retrieves (C-GET) a
/// random sample of studies over DIMSE with the gateway's own network library, compares them with the index, the
/// manifest and the archive's verified plaintext, measures RTO and RPO against their targets, and writes a signed report
/// and an audit record.
/// </summary>
/// <remarks>
/// The throw-away gateway is the archive and the DIMSE server of the gateway's libraries, in this process, serving the
/// restored archive (<see cref="ArchiveQueryRetrieveService"/>): the production host relays Q/R to PACS and serves
/// nothing from its own archive over DIMSE, so starting it would prove only that it starts. It accepts only the drill's
/// own AE title and is stopped, and the scratch copy deleted, when the drill ends.
/// </remarks>
public static class DrillRunner
{
    private const string DrillAE = "DRILL";
    private const string GatewayAE = "DRILL-GATEWAY";

    /// <summary>Runs the drill and stores its signed report in the repository.</summary>
    /// <exception cref="BackupException">No snapshot to drill, or the repository is in use.</exception>
    /// <exception cref="AuditLogException">The audit record could not be made durable (the report is not published).</exception>
    public static async Task<DrillReport> RunAsync(BackupRepository repository, DrillOptions options, IAuditLog audit, IProgress<BackupProgress>? progress, TimeProvider? timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(audit);
        TimeProvider time = timeProvider ?? TimeProvider.System;
        NoteSigner signer = BackupSigningKey.LoadOrCreate(BackupSigningKey.DirectoryOf(options.DataDirectory));
        string snapshotId = options.SnapshotId ?? repository.ListSnapshots().LastOrDefault() ?? throw new BackupException("the repository holds no snapshot to drill");
        SnapshotManifest manifest = repository.ReadSnapshot(snapshotId, options.Verifier);
        DateTimeOffset started = time.GetUtcNow();
        string id = SnapshotId.New(started);
        string scratch = Path.Combine(Path.GetFullPath(options.ScratchDirectory), "drill-" + id);
        var checks = new List<DrillCheck>();
        var sample = new List<string>();
        TimeSpan rto = TimeSpan.MaxValue;
        var clock = Stopwatch.StartNew();
        try
        {
            string data = Path.Combine(scratch, "data");
            RestoreResult restored;
            try
            {
                restored = await SnapshotRestorer.RestoreAsync(
                    repository,
                    new RestoreRequest { SnapshotId = snapshotId, Verifier = options.Verifier, Target = data, KeyDirectory = options.KeyDirectory, KekSecret = options.KekSecret, IndexKeySecret = options.IndexKeySecret },
                    progress,
                    cancellationToken).ConfigureAwait(false);
            }
            catch (BackupException ex)
            {
                checks.Add(new DrillCheck("restore verified", false, ex.Message));
                return await FinishAsync(repository, options, audit, signer, manifest, id, started, rto, sample, checks, time, cancellationToken).ConfigureAwait(false);
            }

            checks.Add(new DrillCheck("restore verified", true, string.Create(CultureInfo.InvariantCulture,
                $"{manifest.Files.Count} files ({manifest.TotalBytes} bytes) match the signed manifest; {restored.ObjectsVerified} objects GCM-verified; {restored.AuditRecords} audit records chain-verified")));
            await using ArchiveStore store = ArchiveStore.Open(new ArchiveOptions
            {
                DataDirectory = data,
                KekSecret = options.KekSecret,
                IndexKeySecret = options.IndexKeySecret,
                CreateIfMissing = false,
                MinimumFreeBytes = 0,
            });
            var service = new ArchiveQueryRetrieveService(store);
            await using var server = new DicomServer(
                new DicomServerOptions { BindAddress = IPAddress.Loopback, Port = 0 },
                new AssociationAcceptancePolicy
                {
                    AETitle = GatewayAE,
                    RequireCalledAE = true,
                    // PS3.8 9.3.4: reason 3, calling AE title not recognised. Only the drill itself may use this throw-away gateway.
                    Screen = (request, _) => request.CallingAE.Trim() == DrillAE ? null : new AssociateRejectPdu(RejectResult.Permanent, RejectSource.ServiceUser, 3),
                    AbstractSyntaxes = new Dictionary<string, IReadOnlyList<DicomTransferSyntax>>
                    {
                        [DicomUids.Verification.Value] = [DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.ImplicitVRLittleEndian],
                        [DicomUids.StudyRootQueryRetrieveInformationModelFind.Value] = [DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.ImplicitVRLittleEndian],
                        [DicomUids.StudyRootQueryRetrieveInformationModelGet.Value] = [DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.ImplicitVRLittleEndian],
                    },
                    AcceptAllStorage = true,
                },
                () => new DimseServiceDispatcher(null, service, service));
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
            int port = server.LocalEndPoint!.Port;
            bool serving = await EchoAsync(port, cancellationToken).ConfigureAwait(false);
            rto = clock.Elapsed;
            checks.Add(new DrillCheck("serving", serving, string.Create(CultureInfo.InvariantCulture, $"C-ECHO on 127.0.0.1:{port} answered after {rto.TotalSeconds:0.000} s")));

            IReadOnlyList<ArchivedStudy> studies = await store.FindStudiesAsync(new ArchiveStudyQuery { Limit = 100_000 }, cancellationToken).ConfigureAwait(false);
            sample.AddRange(studies.Select(s => s.StudyInstanceUid).OrderBy(_ => RandomNumberGenerator.GetInt32(int.MaxValue)).Take(Math.Max(1, options.SampleSize)));
            var manifestPaths = new HashSet<string>(manifest.Files.Select(f => f.Path), StringComparer.Ordinal);
            foreach (string study in sample)
            {
                checks.Add(await CheckStudyAsync(store, port, study, Path.Combine(data, "archive", "index.db"), manifestPaths, cancellationToken).ConfigureAwait(false));
            }

            if (sample.Count == 0)
            {
                checks.Add(new DrillCheck("sample", studies.Count == 0, "the snapshot's archive holds no study"));
            }
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }

        return await FinishAsync(repository, options, audit, signer, manifest, id, started, rto, sample, checks, time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The drill reports in the repository, oldest first, each checked against its signature.</summary>
    /// <returns>Each report, or the reason it could not be read or verified.</returns>
    public static IReadOnlyList<(string Id, DrillReport? Report, string? Problem)> History(BackupRepository repository, NoteVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(verifier);
        var history = new List<(string, DrillReport?, string?)>();
        foreach (string id in repository.ListDrills())
        {
            try
            {
                string directory = Path.Combine(repository.DrillsDirectory, id);
                byte[] json = File.ReadAllBytes(Path.Combine(directory, "report.json"));
                DrillReport report = DrillReportFormat.Parse(json);
                string note = File.ReadAllText(Path.Combine(directory, "report.sig"));
                string sha = Convert.ToHexStringLower(SHA256.HashData(json));
                SnapshotSignature.Verify(note, verifier, SnapshotSignature.DrillKind, id, json, sha, report.StartedAt);
                history.Add((id, report, null));
            }
            catch (Exception ex) when (ex is SnapshotIntegrityException or IOException)
            {
                history.Add((id, null, ex.Message));
            }
        }

        return history;
    }

    private static async Task<DrillReport> FinishAsync(
        BackupRepository repository,
        DrillOptions options,
        IAuditLog audit,
        NoteSigner signer,
        SnapshotManifest manifest,
        string id,
        DateTimeOffset started,
        TimeSpan rto,
        List<string> sample,
        List<DrillCheck> checks,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        TimeSpan rpo = started - manifest.CreatedAt;
        checks.Add(new DrillCheck("RTO within target", rto <= options.RtoTarget, rto == TimeSpan.MaxValue
            ? "never served"
            : string.Create(CultureInfo.InvariantCulture, $"{rto.TotalSeconds:0.000} s of {options.RtoTarget.TotalSeconds:0} s")));
        checks.Add(new DrillCheck("RPO within target", rpo <= options.RpoTarget, string.Create(CultureInfo.InvariantCulture, $"{rpo.TotalSeconds:0} s of {options.RpoTarget.TotalSeconds:0} s")));
        var report = new DrillReport
        {
            Id = id,
            SnapshotId = manifest.Id,
            SnapshotCreatedAt = manifest.CreatedAt,
            StartedAt = started,
            Rto = rto == TimeSpan.MaxValue ? TimeSpan.Zero : rto,
            Rpo = rpo,
            RtoTarget = options.RtoTarget,
            RpoTarget = options.RpoTarget,
            Sample = sample,
            Checks = checks,
        };
        byte[] json = DrillReportFormat.ToJson(report);

        // The report is bound to itself: its hash stands in for a Merkle root, its start time for a retention date.
        string sha = Convert.ToHexStringLower(SHA256.HashData(json));
        string note = SnapshotSignature.Sign(signer, SnapshotSignature.DrillKind, id, json, sha, started);
        await audit.AppendAsync(BackupAuditRecords.Drill(options.SourceId, manifest, id, report.Passed, report.Rto, rpo, time.GetUtcNow(), options.RequestedBy), cancellationToken).ConfigureAwait(false);
        using (repository.LockForWriting())
        {
            repository.PublishFiles(repository.DrillsDirectory, id, [("report.json", json), ("report.md", Encoding.UTF8.GetBytes(DrillReportFormat.ToMarkdown(report))), ("report.sig", Encoding.UTF8.GetBytes(note))], signer);
        }

        return report;
    }

    private static async Task<bool> EchoAsync(int port, CancellationToken cancellationToken)
    {
        AssociationRequest request = Request([DicomUids.Verification.Value], []);
        await using DicomAssociation association = await DicomClient.ConnectAsync(new DicomClientOptions { Host = "127.0.0.1", Port = port }, request, cancellationToken: cancellationToken).ConfigureAwait(false);
        DimseStatus status = await association.EchoAsync(cancellationToken).ConfigureAwait(false);
        await association.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        return status == DimseStatus.Success;
    }

    private static async Task<DrillCheck> CheckStudyAsync(ArchiveStore store, int port, string studyUid, string indexPath, HashSet<string> manifestPaths, CancellationToken cancellationToken)
    {
        string name = "study " + studyUid;
        try
        {
            // What the restored archive says the study holds, with each data set's hash through the verifying reader.
            var expected = new Dictionary<string, string>(StringComparer.Ordinal);
            var classes = new HashSet<string>(StringComparer.Ordinal);
            var syntaxes = new HashSet<string>(StringComparer.Ordinal) { DicomTransferSyntax.ExplicitVRLittleEndian.Uid.Value };
            foreach (ArchivedSeries series in await store.ListSeriesAsync(studyUid, includePurged: false, cancellationToken).ConfigureAwait(false))
            {
                foreach (ArchivedInstanceInfo info in await store.ListInstancesAsync(series.SeriesInstanceUid, includePurged: false, cancellationToken).ConfigureAwait(false))
                {
                    if (info.IsConflict)
                    {
                        continue;
                    }

                    ArchivedInstance instance = await store.OpenDataSetAsync(info.SopInstanceUid, cancellationToken).ConfigureAwait(false)
                        ?? throw new BackupException($"instance {info.SopInstanceUid} is indexed but not readable");
                    await using (instance.ConfigureAwait(false))
                    {
                        expected[info.SopInstanceUid] = Convert.ToHexStringLower(await SHA256.HashDataAsync(instance.Stream, cancellationToken).ConfigureAwait(false));
                    }

                    classes.Add(info.SopClassUid);
                    syntaxes.Add(info.TransferSyntaxUid);
                }
            }

            IReadOnlyList<string> objects = ArchiveFiles.ListStudyObjects(indexPath, studyUid);
            int unlisted = objects.Count(o => !manifestPaths.Contains(o));

            var received = new HashingStoreService();
            AssociationRequest request = Request(
                [DicomUids.StudyRootQueryRetrieveInformationModelFind.Value, DicomUids.StudyRootQueryRetrieveInformationModelGet.Value, .. classes],
                classes,
                syntaxes);
            await using DicomAssociation association = await DicomClient.ConnectAsync(
                new DicomClientOptions { Host = "127.0.0.1", Port = port }, request, new DimseServiceDispatcher(received), cancellationToken: cancellationToken).ConfigureAwait(false);
            var identifier = new DicomDataset();
            identifier.SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, "STUDY");
            identifier.SetString(DicomTags.StudyInstanceUID, DicomVR.UI, studyUid);
            identifier.SetString(DicomTags.NumberOfStudyRelatedInstances, DicomVR.IS);
            var matches = new List<DicomDataset>();
            await foreach (DimseResponse response in association.FindAsync(DicomUids.StudyRootQueryRetrieveInformationModelFind.Value, identifier, cancellationToken).ConfigureAwait(false))
            {
                if (response.DataSet is { } match)
                {
                    matches.Add(match);
                }
            }

            DimseResponse? final = null;
            var get = new DicomDataset();
            get.SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, "STUDY");
            get.SetString(DicomTags.StudyInstanceUID, DicomVR.UI, studyUid);
            await foreach (DimseResponse response in association.GetAsync(DicomUids.StudyRootQueryRetrieveInformationModelGet.Value, get, cancellationToken).ConfigureAwait(false))
            {
                final = response;
            }

            await association.ReleaseAsync(cancellationToken).ConfigureAwait(false);
            int found = matches.Count == 1 && int.TryParse(matches[0].GetString(DicomTags.NumberOfStudyRelatedInstances)?.Trim(), CultureInfo.InvariantCulture, out int n) ? n : -1;
            int same = expected.Count(e => received.Received.TryGetValue(e.Key, out string? h) && h == e.Value);
            bool passed = matches.Count == 1 && found == expected.Count && unlisted == 0 && final?.Status == DimseStatus.Success
                && same == expected.Count && received.Received.Count == expected.Count && expected.Count > 0;
            return new DrillCheck(name, passed, string.Create(CultureInfo.InvariantCulture,
                $"C-FIND {matches.Count} match(es), {found} instance(s) of {expected.Count} indexed; C-GET {received.Received.Count} received, {same} identical to the archive's verified data sets; {objects.Count - unlisted} of {objects.Count} objects in the signed manifest"));
        }
        catch (Exception ex) when (ex is BackupException or ArchiveIntegrityException or DicomAssociationRejectedException or DicomAssociationAbortedException or IOException or TimeoutException or System.Net.Sockets.SocketException or Microsoft.Data.Sqlite.SqliteException)
        {
            return new DrillCheck(name, false, ex.GetType().Name + ": " + ex.Message);
        }
    }

    private static AssociationRequest Request(IReadOnlyList<string> abstractSyntaxes, IEnumerable<string> scpRoles, IEnumerable<string>? storageSyntaxes = null)
    {
        DicomTransferSyntax[] query = [DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.ImplicitVRLittleEndian];
        var contexts = new List<PresentationContextProposal>();
        byte next = 1;
        foreach (string syntax in abstractSyntaxes.Distinct(StringComparer.Ordinal))
        {
            if (scpRoles.Contains(syntax, StringComparer.Ordinal) && storageSyntaxes is not null)
            {
                // One context per transfer syntax the archive holds: the gateway then sends each instance as it was
                // stored, byte for byte, instead of converting it to whichever syntax one shared context settled on.
                foreach (string ts in storageSyntaxes)
                {
                    contexts.Add(new PresentationContextProposal(next, syntax, [ts]));
                    next += 2;
                }

                continue;
            }

            contexts.Add(new PresentationContextProposal(next, syntax, [.. query.Select(t => t.Uid.Value)]));
            next += 2;
        }

        return new AssociationRequest
        {
            CallingAE = DrillAE,
            CalledAE = GatewayAE,
            PresentationContexts = contexts,

            // PS3.4 C.4.3: the C-GET requester takes the SCP role of each storage class it retrieves.
            RoleSelections = [.. scpRoles.Select(c => new RoleSelection(c, false, true))],
        };
    }
}
