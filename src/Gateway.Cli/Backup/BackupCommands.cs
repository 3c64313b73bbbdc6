using System.CommandLine;
using System.Globalization;
using Gateway.Archive;
using Gateway.Archive.Index;
using Gateway.Archive.Keys;
using Gateway.Archive.Rebuild;
using Gateway.Archive.Verification;
using Gateway.Audit;
using Gateway.Audit.Checkpoints;
using Gateway.Audit.Storage;
using Gateway.Backup;
using Gateway.Backup.Drill;
using Gateway.Backup.Manifest;

namespace Gateway.Cli.Backup;

/// <summary>
/// <c>gatewayctl backup snapshot|list|show|prune|restore</c> and <c>gatewayctl archive verify</c>.
/// </summary>
/// <remarks>
/// Exit codes: 0 success; 1 usage; 2 bad input (no repository, no such snapshot, target not empty, keys missing);
/// 4 damage (a snapshot or restored file failed its check, archive objects failed verification, objects changed since the
/// last snapshot); 5 in use (the gateway holds the audit log, or another writer holds the repository); 6 retention.
/// </remarks>
internal static class BackupCommands
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var backup = new Command("backup", "Immutable, signed snapshots of the data directory; verified restore.");
        backup.Subcommands.Add(CreateSnapshot(stdout, stderr));
        backup.Subcommands.Add(CreateList(stdout, stderr));
        backup.Subcommands.Add(CreateShow(stdout, stderr));
        backup.Subcommands.Add(CreatePrune(stdout, stderr));
        backup.Subcommands.Add(CreateRestore(stdout, stderr));
        backup.Subcommands.Add(CreateDrill(stdout, stderr));
        return backup;
    }

    public static Command CreateArchive(TextWriter stdout, TextWriter stderr)
    {
        var data = DataOption();
        var keyDir = new Option<string?>("--key-dir") { Description = "The archive key directory (default DATA/keys)." };
        var verify = new Command("verify", "Read every archive object and check its GCM tags; report every damaged one and raise a Security Alert audit record (exit 4).") { data, keyDir };
        verify.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            string dir = result.GetValue(data)!;
            ArchiveOptions options = ArchiveOptions.FromEnvironment(dir) with { KeyDirectory = result.GetValue(keyDir), CreateIfMissing = false, MinimumFreeBytes = 0 };
            ArchiveVerificationReport report;
            using (var admin = ArchiveAdmin.Open(options))
            {
                report = await ProgressWriter.RunAsync(stdout, progress => admin.VerifyObjectsAsync(BackupProgress.ForArchiveVerify(progress, "verify"), ct)).ConfigureAwait(false);
            }

            foreach (ArchiveObjectProblem p in report.Problems)
            {
                await stdout.WriteLineAsync($"DAMAGED {p.ObjectName} {p.SopInstanceUid}: {p.Reason}").ConfigureAwait(false);
            }

            foreach (string unknown in report.UnknownFiles)
            {
                await stdout.WriteLineAsync("UNKNOWN " + unknown).ConfigureAwait(false);
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"verified {report.ObjectsChecked} object(s), {ProgressWriter.Bytes(report.BytesChecked)}: {report.Problems.Count} damaged, {report.UnknownFiles.Count} unknown file(s)")).ConfigureAwait(false);
            if (report.IsValid)
            {
                return ExitCodes.Success;
            }

            await AppendAuditAsync(dir, BackupAuditRecords.DamagedObjects(Source(), Path.Combine(Path.GetFullPath(dir), "archive"), report, DateTimeOffset.UtcNow), ct).ConfigureAwait(false);
            await stdout.WriteLineAsync("security alert recorded in the audit log").ConfigureAwait(false);
            return BackupExitCodes.Damaged;
        }));
        return new Command("archive", "The encrypted archive: verify every object, or rebuild a lost index from the objects.") { verify, CreateRebuildIndex(stdout, stderr) };
    }

    private static Command CreateRebuildIndex(TextWriter stdout, TextWriter stderr)
    {
        var data = DataOption();
        var keyDir = new Option<string?>("--key-dir") { Description = "The archive key directory (default DATA/keys)." };
        var force = new Option<bool>("--force") { Description = "Replace an existing archive index (default: refused)." };
        var requeue = new Option<string[]>("--requeue")
        {
            Description = "Queue every rebuilt instance for this forwarding destination (the name under Gateway:Upstreams, or an AE title), as a store would; repeat for several. Default: none, because what was delivered before is unknown.",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command(
            "rebuild-index",
            "Rebuild a lost or damaged archive index from the objects alone: read every object (GCM tags checked), index it as a store would, list those that fail (exit 4 and a Security Alert). The outbox starts empty unless --requeue names destinations. Stop the gateway first.")
        {
            data, keyDir, force, requeue,
        };
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            string dir = result.GetValue(data)!;
            string archive = Path.Combine(Path.GetFullPath(dir), "archive");
            ArchiveOptions options = ArchiveOptions.FromEnvironment(dir) with { KeyDirectory = result.GetValue(keyDir), CreateIfMissing = false, MinimumFreeBytes = 0 };
            string[] destinations = [.. (result.GetValue(requeue) ?? []).Distinct(StringComparer.Ordinal)];
            if (destinations.FirstOrDefault(d => !ArchiveStore.IsAETitle(d)) is { } bad)
            {
                throw new CliInputException($"--requeue {bad}: a destination is named like an AE title (1-16 characters, no backslash or control characters)");
            }

            IndexRebuildReport report;

            // The audit log first: a rebuild that cannot be recorded is not put in place (fail-closed).
            await using (AuditLog log = await OpenAuditAsync(dir, ct).ConfigureAwait(false))
            {
                var rebuild = new IndexRebuildOptions
                {
                    Force = result.GetValue(force),
                    RequeueDestinations = destinations,
                    BeforePublish = async (r, token) =>
                    {
                        DateTimeOffset now = DateTimeOffset.UtcNow;
                        if (r.FailedObjects > 0)
                        {
                            await log.AppendAsync(BackupAuditRecords.DamagedObjects(Source(), archive, [.. r.Failures.Select(f => f.ObjectName)], r.FailedObjects, "could not be indexed (GCM tag, key or header)", now), token).ConfigureAwait(false);
                        }

                        await log.AppendAsync(BackupAuditRecords.IndexRebuilt(Source(), archive, r, now), token).ConfigureAwait(false);
                    },
                };
                report = await ProgressWriter.RunAsync(stdout, progress => ArchiveAdmin.RebuildIndexAsync(options, rebuild, BackupProgress.ForArchiveVerify(progress, "rebuild"), cancellationToken: ct)).ConfigureAwait(false);
            }

            foreach (IndexRebuildFailure f in report.Failures)
            {
                await stdout.WriteLineAsync($"NOT INDEXED {f.ObjectName}: {f.Reason}").ConfigureAwait(false);
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"rebuilt the index from {report.ObjectsScanned} object(s), {ProgressWriter.Bytes(report.Bytes)} in {report.Elapsed.TotalSeconds:0.00} s: {report.InstancesIndexed} instance(s), {report.Conflicts} conflict copy(ies), {report.Duplicates} duplicate(s), {report.FailedObjects} not indexed; {report.KeysFromJournal} key(s) from the rewrap journal")).ConfigureAwait(false);
            await stdout.WriteLineAsync(destinations.Length == 0
                ? "the outbox is empty (what was delivered was in the lost index): nothing is forwarded again; audit record written"
                : string.Create(CultureInfo.InvariantCulture, $"{report.Requeued} outbox item(s) queued for {string.Join(", ", destinations)}: the gateway forwards them when it starts; audit record written")).ConfigureAwait(false);
            if (report.FailedObjects == 0)
            {
                return ExitCodes.Success;
            }

            await stdout.WriteLineAsync("security alert recorded in the audit log").ConfigureAwait(false);
            return BackupExitCodes.Damaged;
        }));
        return command;
    }

    private static Command CreateSnapshot(TextWriter stdout, TextWriter stderr)
    {
        var data = DataOption();
        var repo = RepoOption();
        var policy = new Option<string?>("--policy") { Description = "The policy directory in force (its files go into the snapshot)." };
        var retention = new Option<int>("--retention-days") { Description = "Keep the snapshot at least this many days (default 30; it can never be shortened).", DefaultValueFactory = _ => 30 };
        var command = new Command("snapshot", "Take a snapshot of the data directory into the repository (incremental; consistent while the gateway runs).") { data, repo, policy, retention };
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            string dir = result.GetValue(data)!;
            SnapshotResult snapshot;
            await using (AuditLog log = await OpenAuditAsync(dir, ct).ConfigureAwait(false))
            {
                var writer = new SnapshotWriter(
                    BackupRepository.Open(result.GetValue(repo)!, create: true),
                    new SnapshotOptions { DataDirectory = dir, PolicyDirectory = result.GetValue(policy), Retention = TimeSpan.FromDays(result.GetValue(retention)), SourceId = Source() },
                    log);
                snapshot = await ProgressWriter.RunAsync(stdout, progress => writer.CreateAsync(progress, ct)).ConfigureAwait(false);
            }

            SnapshotManifest m = snapshot.Manifest;
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"snapshot {m.Id}: {m.Files.Count} file(s), {ProgressWriter.Bytes(m.TotalBytes)}; read {snapshot.FilesRead}, new {snapshot.NewBlobs} blob(s) {ProgressWriter.Bytes(snapshot.NewBytes)}; {snapshot.Elapsed.TotalSeconds:0.00} s")).ConfigureAwait(false);
            await stdout.WriteLineAsync($"root {m.MerkleRoot}; retained until {ManifestSerializer.Time(m.RetainUntil)}; {(snapshot.Immutable ? "immutable" : "read-only (the immutable attribute is not available here)")}").ConfigureAwait(false);
            if (m.ChangedObjects.Count > 0)
            {
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"WARNING: {m.ChangedObjects.Count} archive object(s) changed since the previous snapshot (objects are write-once): run 'gatewayctl archive verify'; security alert recorded")).ConfigureAwait(false);
                return BackupExitCodes.Damaged;
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateList(TextWriter stdout, TextWriter stderr)
    {
        var repo = RepoOption();
        var data = new Option<string?>("--data") { Description = "The data directory whose backup/signing.pub pins the signing key." };
        var publicKey = PublicKeyOption();
        var command = new Command("list", "List the snapshots, each checked against its signature.") { repo, data, publicKey };
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            BackupRepository repository = BackupRepository.Open(result.GetValue(repo)!, create: false);
            NoteVerifier verifier = Verifier(repository, result.GetValue(publicKey), result.GetValue(data), stderr);
            await stdout.WriteLineAsync($"{"SNAPSHOT",-26} {"FILES",8} {"SIZE",11} {"RETAINED UNTIL",-24} STATUS").ConfigureAwait(false);
            int bad = 0;
            foreach (string id in repository.ListSnapshots())
            {
                try
                {
                    SnapshotManifest m = repository.ReadSnapshot(id, verifier);
                    await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{id,-26} {m.Files.Count,8} {ProgressWriter.Bytes(m.TotalBytes),11} {ManifestSerializer.Time(m.RetainUntil),-24} {(m.ChangedObjects.Count > 0 ? "signed, objects changed" : "signed")}")).ConfigureAwait(false);
                }
                catch (SnapshotIntegrityException ex)
                {
                    bad++;
                    await stdout.WriteLineAsync($"{id,-26} {"?",8} {"?",11} {"?",-24} BAD: {ex.Message}").ConfigureAwait(false);
                }
            }

            return bad == 0 ? ExitCodes.Success : BackupExitCodes.Damaged;
        }));
        return command;
    }

    private static Command CreateShow(TextWriter stdout, TextWriter stderr)
    {
        var repo = RepoOption();
        var id = new Argument<string>("snapshot") { Description = "The snapshot id." };
        var data = new Option<string?>("--data") { Description = "The data directory whose backup/signing.pub pins the signing key." };
        var publicKey = PublicKeyOption();
        var files = new Option<bool>("--files") { Description = "List every file with its SHA-256 and size." };
        var command = new Command("show", "Show one snapshot: id, time, retention, root, and what it holds.") { id, repo, data, publicKey, files };
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            BackupRepository repository = BackupRepository.Open(result.GetValue(repo)!, create: false);
            SnapshotManifest m = repository.ReadSnapshot(result.GetValue(id)!, Verifier(repository, result.GetValue(publicKey), result.GetValue(data), stderr));
            await stdout.WriteLineAsync($"snapshot {m.Id} (signature and Merkle root verified)").ConfigureAwait(false);
            await stdout.WriteLineAsync($"taken {ManifestSerializer.Time(m.CreatedAt)} on {m.Host}; retained until {ManifestSerializer.Time(m.RetainUntil)}").ConfigureAwait(false);
            await stdout.WriteLineAsync($"root {m.MerkleRoot}").ConfigureAwait(false);
            foreach (IGrouping<string, ManifestEntry> group in m.Files.GroupBy(f => f.Path.Split('/')[0]))
            {
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {group.Key + "/",-10} {group.Count(),8} file(s) {ProgressWriter.Bytes(group.Sum(f => f.Size)),11}")).ConfigureAwait(false);
            }

            if (m.ChangedObjects.Count > 0)
            {
                await stdout.WriteLineAsync("changed objects: " + string.Join(", ", m.ChangedObjects)).ConfigureAwait(false);
            }

            if (result.GetValue(files))
            {
                foreach (ManifestEntry f in m.Files)
                {
                    await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{f.Sha256} {f.Size,12} {f.Path}")).ConfigureAwait(false);
                }
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreatePrune(TextWriter stdout, TextWriter stderr)
    {
        var repo = RepoOption();
        var data = new Option<string?>("--data") { Description = "The data directory whose backup/signing.pub pins the signing key." };
        var publicKey = PublicKeyOption();
        var id = new Option<string?>("--id") { Description = "Delete only this snapshot (refused before its retention date, exit 6)." };
        var command = new Command("prune", "Delete snapshots past their retention date and the blobs no other snapshot names; recorded in the audit log of --data (a deletion refused before retention as a Security Alert).") { repo, data, publicKey, id };
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            BackupRepository repository = BackupRepository.Open(result.GetValue(repo)!, create: false);
            string? dir = result.GetValue(data);
            PruneResult pruned;
            try
            {
                pruned = repository.Prune(Verifier(repository, result.GetValue(publicKey), dir, stderr), DateTimeOffset.UtcNow, result.GetValue(id));
            }
            catch (RetentionException ex) when (dir is not null)
            {
                await AppendAuditAsync(dir, BackupAuditRecords.PruneRefused(Source(), repository.Root, result.GetValue(id) ?? "(all)", ex.Message, DateTimeOffset.UtcNow, Environment.UserName), ct).ConfigureAwait(false);
                throw;
            }

            if (dir is null)
            {
                await stderr.WriteLineAsync("warning: no --data: this prune is not recorded in an audit log").ConfigureAwait(false);
            }
            else if (pruned.DeletedSnapshots.Count > 0)
            {
                await AppendAuditAsync(dir, BackupAuditRecords.Pruned(Source(), repository.Root, pruned, DateTimeOffset.UtcNow, Environment.UserName), ct).ConfigureAwait(false);
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"pruned {pruned.DeletedSnapshots.Count} snapshot(s) {string.Join(" ", pruned.DeletedSnapshots)}; {pruned.DeletedBlobs} blob(s), {ProgressWriter.Bytes(pruned.FreedBytes)} freed")).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateRestore(TextWriter stdout, TextWriter stderr)
    {
        var repo = RepoOption();
        var snapshot = new Option<string?>("--snapshot") { Description = "The snapshot id (default: the latest)." };
        var to = new Option<string?>("--to") { Description = "Restore the whole gateway into this directory (missing or empty)." };
        var study = new Option<string?>("--study") { Description = "Restore one study (Study Instance UID) back into the archive of --data (the gateway stopped: the archive is opened through its API)." };
        var keyDir = new Option<string?>("--key-dir") { Description = $"The escrowed archive keys (kek-N.key, index.key), copied into TARGET/keys; else {ArchiveOptions.KekEnvironmentVariable} and {ArchiveOptions.IndexKeyEnvironmentVariable}." };
        var data = new Option<string?>("--data") { Description = "The data directory whose backup/signing.pub pins the signing key." };
        var publicKey = PublicKeyOption();
        var command = new Command("restore", "Restore a snapshot into a directory; every file is checked against the signed manifest, every object's GCM tags and the audit chain are verified; or one study back into the archive.") { repo, snapshot, to, study, keyDir, data, publicKey };
        command.Validators.Add(r =>
        {
            if ((r.GetValue(to) is null) == (r.GetValue(study) is null))
            {
                r.AddError("give exactly one of --to DIR and --study UID");
            }

            if (r.GetValue(study) is not null && r.GetValue(data) is null)
            {
                r.AddError("--study needs --data (the archive to restore into)");
            }
        });
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            BackupRepository repository = BackupRepository.Open(result.GetValue(repo)!, create: false);
            string id = result.GetValue(snapshot) ?? repository.ListSnapshots().LastOrDefault() ?? throw new CliInputException("the repository holds no snapshot");
            if (result.GetValue(study) is { } studyUid)
            {
                string dir = result.GetValue(data)!;
                ArchiveOptions live = ArchiveOptions.FromEnvironment(dir) with { KeyDirectory = result.GetValue(keyDir), CreateIfMissing = false, MinimumFreeBytes = 0 };
                StudyRestoreResult one;
                await using (AuditLog log = await OpenAuditAsync(dir, ct).ConfigureAwait(false))
                await using (ArchiveStore archive = ArchiveStore.Open(live))
                {
                    one = await ProgressWriter.RunAsync(stdout, progress => StudyRestorer.RestoreStudyAsync(
                        repository,
                        new StudyRestoreRequest
                        {
                            SnapshotId = id,
                            Verifier = Verifier(repository, result.GetValue(publicKey), dir, stderr),
                            StudyInstanceUid = studyUid,
                            ScratchDirectory = Path.GetTempPath(),
                            KeyDirectory = result.GetValue(keyDir) ?? Path.Combine(dir, "keys"),
                            KekSecret = live.KekSecret,
                            IndexKeySecret = live.IndexKeySecret,
                            SourceId = Source(),
                        },
                        archive,
                        log,
                        progress,
                        ct)).ConfigureAwait(false);
                }

                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"restored study {studyUid} from snapshot {id}: {one.Instances} instance(s) verified; {one.Stored} stored, {one.Duplicates} already present, {one.Conflicts} kept as conflict copies")).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            RestoreResult restored = await ProgressWriter.RunAsync(stdout, progress => SnapshotRestorer.RestoreAsync(
                repository,
                new RestoreRequest
                {
                    SnapshotId = id,
                    Verifier = Verifier(repository, result.GetValue(publicKey), result.GetValue(data), stderr),
                    Target = result.GetValue(to)!,
                    KeyDirectory = result.GetValue(keyDir),
                    KekSecret = Environment.GetEnvironmentVariable(ArchiveOptions.KekEnvironmentVariable) is { Length: > 0 } kek ? kek : null,
                    IndexKeySecret = Environment.GetEnvironmentVariable(ArchiveOptions.IndexKeyEnvironmentVariable) is { Length: > 0 } ik ? ik : null,
                },
                progress,
                ct)).ConfigureAwait(false);
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"restored snapshot {id} to {restored.Target}: {restored.Manifest.Files.Count} file(s), {ProgressWriter.Bytes(restored.Manifest.TotalBytes)}, {restored.ObjectsVerified} object(s) and {restored.AuditRecords} audit record(s) verified; {restored.Elapsed.TotalSeconds:0.00} s (copy and hash {restored.CopyElapsed.TotalSeconds:0.00} s; then at once, sync {restored.SyncElapsed.TotalSeconds:0.00} s and objects {restored.ObjectVerifyElapsed.TotalSeconds:0.00} s; audit {restored.AuditVerifyElapsed.TotalSeconds:0.00} s)")).ConfigureAwait(false);
            await stdout.WriteLineAsync("policy files are in TARGET/policy; point the gateway's PolicyDirectory there or copy them back").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateDrill(TextWriter stdout, TextWriter stderr)
    {
        var data = DataOption();
        var repo = RepoOption();
        var snapshot = new Option<string?>("--snapshot") { Description = "The snapshot to drill (default: the latest)." };
        var scratch = new Option<string?>("--scratch") { Description = "Where the isolated scratch copy goes (default the system temp directory; removed afterwards)." };
        var keyDir = new Option<string?>("--key-dir") { Description = "The escrowed archive keys (default DATA/keys); else the environment." };
        var sample = new Option<int>("--sample") { Description = "Studies to query and retrieve (default 5).", DefaultValueFactory = _ => 5 };
        var rto = new Option<int>("--rto-target-seconds") { Description = "Recovery time objective (default 3600).", DefaultValueFactory = _ => 3600 };
        var rpo = new Option<int>("--rpo-target-seconds") { Description = "Recovery point objective (default 86400).", DefaultValueFactory = _ => 86400 };
        var publicKey = PublicKeyOption();
        var report = new Option<bool>("--report") { Description = "Show the history of drills instead of running one." };
        var command = new Command("drill", "Restore a snapshot into scratch, serve it on loopback, C-FIND and C-GET a random sample over DIMSE, measure RTO and RPO; write a signed report and an audit record (exit 4 when it fails).")
        {
            data, repo, snapshot, scratch, keyDir, sample, rto, rpo, publicKey, report,
        };
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            string dir = result.GetValue(data)!;
            BackupRepository repository = BackupRepository.Open(result.GetValue(repo)!, create: false);
            NoteVerifier verifier = Verifier(repository, result.GetValue(publicKey), dir, stderr);
            if (result.GetValue(report))
            {
                await stdout.WriteLineAsync($"{"DRILL",-26} {"SNAPSHOT",-26} {"RTO s",8} {"RPO s",10} RESULT").ConfigureAwait(false);
                foreach ((string id, DrillReport? r, string? problem) in DrillRunner.History(repository, verifier))
                {
                    await stdout.WriteLineAsync(r is null
                        ? $"{id,-26} BAD: {problem}"
                        : string.Create(CultureInfo.InvariantCulture, $"{id,-26} {r.SnapshotId,-26} {r.Rto.TotalSeconds,8:0.000} {r.Rpo.TotalSeconds,10:0} {(r.Passed ? "passed" : "FAILED")}")).ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }

            DrillReport drill;
            await using (AuditLog log = await OpenAuditAsync(dir, ct).ConfigureAwait(false))
            {
                drill = await ProgressWriter.RunAsync(stdout, progress => DrillRunner.RunAsync(
                    repository,
                    new DrillOptions
                    {
                        DataDirectory = dir,
                        SnapshotId = result.GetValue(snapshot),
                        Verifier = verifier,
                        ScratchDirectory = result.GetValue(scratch) ?? Path.GetTempPath(),
                        KeyDirectory = result.GetValue(keyDir) ?? (Directory.Exists(Path.Combine(dir, "keys")) ? Path.Combine(dir, "keys") : null),
                        KekSecret = Environment.GetEnvironmentVariable(ArchiveOptions.KekEnvironmentVariable) is { Length: > 0 } kek ? kek : null,
                        IndexKeySecret = Environment.GetEnvironmentVariable(ArchiveOptions.IndexKeyEnvironmentVariable) is { Length: > 0 } ik ? ik : null,
                        SampleSize = result.GetValue(sample),
                        RtoTarget = TimeSpan.FromSeconds(result.GetValue(rto)),
                        RpoTarget = TimeSpan.FromSeconds(result.GetValue(rpo)),
                        SourceId = Source(),
                    },
                    log,
                    progress,
                    null,
                    ct)).ConfigureAwait(false);
            }

            foreach (DrillCheck check in drill.Checks)
            {
                await stdout.WriteLineAsync($"{(check.Passed ? "pass" : "FAIL")} {check.Name}: {check.Detail}").ConfigureAwait(false);
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"drill {drill.Id} {(drill.Passed ? "PASSED" : "FAILED")}: RTO {drill.Rto.TotalSeconds:0.000} s, RPO {drill.Rpo.TotalSeconds:0} s; signed report in {Path.Combine(repository.Root, "drills", drill.Id)}")).ConfigureAwait(false);
            return drill.Passed ? ExitCodes.Success : BackupExitCodes.Damaged;
        }));
        return command;
    }

    private static Option<string> DataOption() => new("--data")
    {
        Description = "The gateway's data directory (default ./data).",
        DefaultValueFactory = _ => "data",
    };

    private static Option<string> RepoOption() => new("--repo") { Description = "The backup repository directory (by default on another volume).", Required = true };

    private static Option<string?> PublicKeyOption() => new("--public-key")
    {
        Description = "The escrowed backup public key (signing.pub) to check signatures with; default DATA/backup/signing.pub, else the repository's own.",
    };

    private static NoteVerifier Verifier(BackupRepository repository, string? publicKey, string? data, TextWriter stderr)
    {
        if (publicKey is not null)
        {
            return BackupSigningKey.ReadPublic(publicKey);
        }

        NoteVerifier verifier = repository.DefaultVerifier(data, out bool pinned);
        if (!pinned)
        {
            stderr.WriteLine($"warning: signatures checked against the key stored in the repository ({verifier.Name}); pin the escrowed key with --public-key");
        }

        return verifier;
    }

    private static async Task<AuditLog> OpenAuditAsync(string data, CancellationToken ct)
    {
        var paths = new AuditLogPaths(Path.Combine(data, "audit"));
        if (!File.Exists(paths.PublicKey))
        {
            throw new CliInputException($"no audit log at {paths.Root}");
        }

        string origin = NoteVerifier.Parse(File.ReadAllText(paths.PublicKey).Trim()).Name;
        return await AuditLog.OpenAsync(new AuditLogOptions { Directory = paths.Root, Origin = origin, CreateIfMissing = false }, cancellationToken: ct).ConfigureAwait(false);
    }

    private static async Task AppendAuditAsync(string data, Gateway.Audit.Records.AuditRecord record, CancellationToken ct)
    {
        await using AuditLog log = await OpenAuditAsync(data, ct).ConfigureAwait(false);
        await log.AppendAsync(record, ct).ConfigureAwait(false);
    }

    private static string Source() => "gatewayctl@" + Environment.MachineName.ToLowerInvariant();

    private static async Task<int> RunGuardedAsync(TextWriter stderr, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (RetentionException ex)
        {
            await stderr.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return BackupExitCodes.Retained;
        }
        catch (SnapshotIntegrityException ex)
        {
            await stderr.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return BackupExitCodes.Damaged;
        }
        catch (AuditLogException ex) when (ex.Message.Contains("in use", StringComparison.Ordinal))
        {
            await stderr.WriteLineAsync("error: " + ex.Message + " (the running gateway holds it: this command records to the audit log, so stop the gateway first)").ConfigureAwait(false);
            return BackupExitCodes.InUse;
        }
        catch (ArchiveInUseException ex)
        {
            await stderr.WriteLineAsync("error: " + ex.Message + " (stop the gateway first)").ConfigureAwait(false);
            return BackupExitCodes.InUse;
        }
        catch (BackupException ex) when (ex.Message.Contains("in use", StringComparison.Ordinal))
        {
            await stderr.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return BackupExitCodes.InUse;
        }
        catch (Exception ex) when (ex is CliInputException or BackupException or AuditLogException or ArchiveKeyException or ArchiveIndexException
            or ArchiveIntegrityException or IOException or UnauthorizedAccessException or FormatException or Microsoft.Data.Sqlite.SqliteException)
        {
            await stderr.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
    }
}
