using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Gateway.Archive;
using Gateway.Archive.Index;
using Gateway.Archive.Keys;
using Gateway.Archive.Verification;
using Gateway.Audit;
using Gateway.Audit.Checkpoints;
using Gateway.Audit.Records;
using Gateway.Backup;
using Gateway.Backup.Drill;
using Gateway.Backup.Manifest;
using Gateway.Dicom;
using Gateway.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Backup;

/// <summary>
/// Backups of the running gateway (<see cref="BackupOptions"/>): snapshots, restore drills, one study back into the
/// archive, and verification of the archive's objects, for the admin console and the <see cref="BackupScheduler"/>.
/// </summary>
/// <remarks>
/// <para>
/// Everything runs in this process against the gateway's own audit log (<see cref="IAuditLog"/>: no second lock on the
/// audit directory) and its own archive. One operation runs at a time: a request while one runs is refused at once with
/// <see cref="BackupOperationStatus.Busy"/>, never queued; only the scheduler waits for its turn. A repository writer in
/// another process (<c>gatewayctl backup</c>) is kept out by the repository's own lock and makes a snapshot fail with a
/// message that says so.
/// </para>
/// <para>
/// Every operation is audited through <see cref="BackupAuditRecords"/> with the requesting user as the requesting active
/// participant; one that fails before the library wrote its record gets a failure record (outcome 8) with the reason.
/// Audit records are written first: if the audit log refuses one, nothing is published, and the gateway stops
/// (<see cref="Audit.FailStopAuditLog"/>). Results and logs carry ids, counts, sizes and times, never PHI.
/// </para>
/// </remarks>
public sealed partial class GatewayBackups : IAsyncDisposable
{
    private const int MaxRequesterLength = 256;
    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(30);

    private readonly BackupOptions _options;
    private readonly IAuditLog _audit;
    private readonly ArchiveStore _archive;
    private readonly TimeProvider _time;
    private readonly ILogger<GatewayBackups> _logger;
    private readonly CancellationToken _stopping;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private readonly string _dataDirectory;
    private readonly string _policyDirectory;
    private readonly string? _repository;
    private readonly string _scratchDirectory;
    private readonly string? _keyDirectory;
    private readonly string? _publicKey;
    private readonly string _sourceId;
    private RunningOperation? _running;
    private long _lastSnapshotUtcTicks;
    private BackupDrillInfo? _lastDrill;
    private BackupArchiveVerification? _lastVerification;

    /// <summary>Creates the service and its instruments (meter <see cref="GatewayApplication.MeterName"/>); reads nothing yet.</summary>
    public GatewayBackups(
        IOptions<GatewayOptions> options,
        IHostEnvironment environment,
        IAuditLog audit,
        ArchiveStore archive,
        TimeProvider time,
        IMeterFactory meterFactory,
        IHostApplicationLifetime lifetime,
        ILogger<GatewayBackups> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(lifetime);
        GatewayOptions gateway = options.Value;
        string root = environment.ContentRootPath;
        _options = gateway.Backup;
        _audit = audit;
        _archive = archive;
        _time = time;
        _logger = logger;
        _stopping = lifetime.ApplicationStopping;
        _dataDirectory = Path.GetFullPath(gateway.DataDirectory, root);
        _policyDirectory = Path.GetFullPath(gateway.PolicyDirectory, root);
        _repository = string.IsNullOrWhiteSpace(_options.Repository) ? null : Path.GetFullPath(_options.Repository, root);
        _scratchDirectory = _options.ScratchDirectory is { } scratch ? Path.GetFullPath(scratch, root) : Path.GetTempPath();
        _keyDirectory = _options.KeyDirectory is { } keys ? Path.GetFullPath(keys, root) : null;
        _publicKey = _options.PublicKey is { } key ? Path.GetFullPath(key, root) : null;
        _sourceId = gateway.AETitle + "@" + Environment.MachineName;

        Meter meter = meterFactory.Create(GatewayApplication.MeterName);
        meter.CreateObservableGauge("gateway.backup.snapshot.age", ObserveSnapshotAge, "s", "Age of the latest verified snapshot in the backup repository");
        meter.CreateObservableGauge("gateway.backup.drill.rto", () => Observe(d => d.Rto.TotalSeconds), "s", "Recovery time achieved by the latest restore drill");
        meter.CreateObservableGauge("gateway.backup.drill.passed", () => Observe(d => d.Passed ? 1 : 0), description: "1 when the latest restore drill passed every check, else 0");
    }

    /// <summary>True when a backup repository is configured (<c>Gateway:Backup:Repository</c>).</summary>
    public bool IsConfigured => _repository is not null;

    /// <summary>The latest archive verification since start (<see cref="VerifyArchiveAsync"/>), or null.</summary>
    public BackupArchiveVerification? LastArchiveVerification => Volatile.Read(ref _lastVerification);

    /// <summary>When the latest verified snapshot was taken, as far as this process knows (after <see cref="LoadStateAsync"/>).</summary>
    internal DateTimeOffset? LastSnapshotAt => Interlocked.Read(ref _lastSnapshotUtcTicks) is > 0 and long ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>The latest verified drill, as far as this process knows (after <see cref="LoadStateAsync"/>).</summary>
    internal BackupDrillInfo? LastDrill => Volatile.Read(ref _lastDrill);

    /// <summary>The snapshots in the repository, oldest first, each read from its manifest and checked against its signature.</summary>
    /// <remarks>Takes no lock (the repository's readers need none) and runs beside any operation. Empty when not configured.</remarks>
    public Task<IReadOnlyList<BackupSnapshotInfo>> ListSnapshotsAsync(CancellationToken cancellationToken = default)
    {
        if (_repository is null || !RepositoryExists())
        {
            return Task.FromResult<IReadOnlyList<BackupSnapshotInfo>>([]);
        }

        return Task.Run<IReadOnlyList<BackupSnapshotInfo>>(
            () =>
            {
                BackupRepository repository = BackupRepository.Open(_repository, create: false);
                (NoteVerifier? verifier, bool pinned, string? problem) = TryVerifier(repository);
                DateTimeOffset now = _time.GetUtcNow();
                var list = new List<BackupSnapshotInfo>();
                foreach (string id in repository.ListSnapshots())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    list.Add(Describe(repository, id, verifier, pinned, problem, now));
                }

                return list;
            },
            cancellationToken);
    }

    /// <summary>The drills in the repository, oldest first, each read from its report and checked against its signature.</summary>
    /// <remarks>Takes no lock and runs beside any operation. Empty when not configured.</remarks>
    public Task<IReadOnlyList<BackupDrillInfo>> ListDrillsAsync(CancellationToken cancellationToken = default)
    {
        if (_repository is null || !RepositoryExists())
        {
            return Task.FromResult<IReadOnlyList<BackupDrillInfo>>([]);
        }

        return Task.Run<IReadOnlyList<BackupDrillInfo>>(
            () =>
            {
                BackupRepository repository = BackupRepository.Open(_repository, create: false);
                (NoteVerifier? verifier, _, string? problem) = TryVerifier(repository);
                if (verifier is null)
                {
                    return [.. repository.ListDrills().Select(id => new BackupDrillInfo { Id = id, Problem = problem })];
                }

                return [.. DrillRunner.History(repository, verifier).Select(h => h.Report is { } r ? BackupDrillInfo.From(r) : new BackupDrillInfo { Id = h.Id, Problem = h.Problem })];
            },
            cancellationToken);
    }

    /// <summary>
    /// Takes a snapshot now (incremental; consistent while the gateway runs), audited as an Export with
    /// <paramref name="requestedBy"/> as the requestor.
    /// </summary>
    /// <param name="requestedBy">The authenticated user who asked (for the audit log).</param>
    /// <param name="cancellationToken">Stops the snapshot; nothing is published then.</param>
    /// <exception cref="ArgumentException"><paramref name="requestedBy"/> is empty, longer than 256 characters, or holds control characters.</exception>
    public Task<BackupOperationResult<BackupSnapshotResult>> SnapshotNowAsync(string requestedBy, CancellationToken cancellationToken = default)
    {
        CheckRequester(requestedBy);
        return SnapshotAsync(requestedBy, wait: false, cancellationToken);
    }

    /// <summary>
    /// Runs a restore drill of the latest snapshot: restored into a fresh scratch directory (never over live data),
    /// served on a loopback port, sampled studies queried and retrieved, RTO and RPO measured; a signed report goes into the
    /// repository and an audit record (Application Activity) names <paramref name="requestedBy"/>.
    /// </summary>
    /// <param name="requestedBy">The authenticated user who asked.</param>
    /// <param name="cancellationToken">Stops the drill; no report is published then.</param>
    /// <exception cref="ArgumentException"><paramref name="requestedBy"/> is empty, longer than 256 characters, or holds control characters.</exception>
    public Task<BackupOperationResult<BackupDrillInfo>> RunDrillAsync(string requestedBy, CancellationToken cancellationToken = default)
    {
        CheckRequester(requestedBy);
        return DrillAsync(requestedBy, wait: false, cancellationToken);
    }

    /// <summary>
    /// Brings one study back from a snapshot into the running archive through <see cref="IInstanceArchive"/>: each instance
    /// is checked against the signed manifest and its GCM tags, then stored as any C-STORE is (indexed, deduplicated,
    /// conflicts kept); nothing is forwarded. Audited as an Import with <paramref name="requestedBy"/> as the requestor.
    /// </summary>
    /// <param name="studyInstanceUid">The Study Instance UID.</param>
    /// <param name="snapshotId">The snapshot; the latest when null.</param>
    /// <param name="requestedBy">The authenticated user who asked.</param>
    /// <param name="cancellationToken">Stops the restore between instances.</param>
    /// <exception cref="ArgumentException"><paramref name="requestedBy"/> is empty, longer than 256 characters, or holds control characters.</exception>
    public async Task<BackupOperationResult<BackupStudyRestoreResult>> RestoreStudyAsync(string studyInstanceUid, string? snapshotId, string requestedBy, CancellationToken cancellationToken = default)
    {
        CheckRequester(requestedBy);
        if (string.IsNullOrEmpty(studyInstanceUid) || !new DicomUid(studyInstanceUid).IsValid)
        {
            return Result<BackupStudyRestoreResult>(BackupOperationStatus.Failed, "not a Study Instance UID (PS3.5 9.1: digits and dots, at most 64 characters)");
        }

        if (snapshotId is not null && !SnapshotId.IsValid(snapshotId))
        {
            return Result<BackupStudyRestoreResult>(BackupOperationStatus.Failed, "not a snapshot id (yyyyMMddTHHmmssZ-xxxxxxxx)");
        }

        return await RunExclusiveAsync(
            "study restore",
            BackupAuditRecords.RestoreType,
            requestedBy,
            wait: false,
            async ct =>
            {
                var clock = Stopwatch.StartNew();
                BackupRepository repository = OpenRepository(create: false);
                string id = snapshotId ?? repository.ListSnapshots().LastOrDefault() ?? throw new BackupException("the repository holds no snapshot");
                ArchiveOptions live = _archive.Options;
                StudyRestoreResult restored = await StudyRestorer.RestoreStudyAsync(
                    repository,
                    new StudyRestoreRequest
                    {
                        SnapshotId = id,
                        Verifier = Verifier(repository, out _),
                        StudyInstanceUid = studyInstanceUid,
                        ScratchDirectory = Scratch(),
                        KeyDirectory = live.KeyDirectory ?? Path.Combine(_dataDirectory, "keys"),
                        KekSecret = live.KekSecret,
                        IndexKeySecret = live.IndexKeySecret,
                        SourceId = _sourceId,
                        RequestedBy = requestedBy,
                    },
                    _archive,
                    _audit,
                    null,
                    ct).ConfigureAwait(false);
                var result = new BackupStudyRestoreResult
                {
                    StudyInstanceUid = studyInstanceUid,
                    SnapshotId = id,
                    Instances = restored.Instances,
                    Restored = restored.Stored,
                    AlreadyPresent = restored.Duplicates,
                    Conflicts = restored.Conflicts,
                    Elapsed = clock.Elapsed,
                };
                return (result, string.Create(CultureInfo.InvariantCulture,
                    $"study restored from snapshot {id}: {result.Instances} instance(s) verified; {result.Restored} restored, {result.AlreadyPresent} already present, {result.Conflicts} kept as conflict copies"));
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads every object of the running archive through its decrypting reader (GCM tag of every chunk, UID binding,
    /// length) and reports every damaged or unknown one (<see cref="ArchiveAdmin.VerifyObjectsAsync"/>, which works beside
    /// the running store: objects are written once). Audited as an Application Activity, plus a Security Alert when
    /// objects are damaged. Needs no repository.
    /// </summary>
    /// <param name="requestedBy">The authenticated user who asked.</param>
    /// <param name="cancellationToken">Stops the scan.</param>
    /// <exception cref="ArgumentException"><paramref name="requestedBy"/> is empty, longer than 256 characters, or holds control characters.</exception>
    public Task<BackupOperationResult<BackupArchiveVerification>> VerifyArchiveAsync(string requestedBy, CancellationToken cancellationToken = default)
    {
        CheckRequester(requestedBy);
        return RunExclusiveAsync(
            "archive verification",
            BackupAuditRecords.VerifyType,
            requestedBy,
            wait: false,
            async ct =>
            {
                DateTimeOffset started = _time.GetUtcNow();
                var clock = Stopwatch.StartNew();
                ArchiveVerificationReport report;
                using (ArchiveAdmin admin = ArchiveAdmin.Open(_archive.Options with { CreateIfMissing = false }, _time, _logger))
                {
                    report = await admin.VerifyObjectsAsync(null, ct).ConfigureAwait(false);
                }

                string archive = Path.Combine(_dataDirectory, "archive");
                DateTimeOffset now = _time.GetUtcNow();
                await _audit.AppendAsync(BackupAuditRecords.Verification(_sourceId, archive, report, now, requestedBy), ct).ConfigureAwait(false);
                if (!report.IsValid)
                {
                    await _audit.AppendAsync(BackupAuditRecords.DamagedObjects(_sourceId, archive, report, now, requestedBy), ct).ConfigureAwait(false);
                    LogDamaged(_logger, report.Problems.Count, report.ObjectsChecked);
                }

                var verification = new BackupArchiveVerification
                {
                    StartedUtc = started.ToUniversalTime(),
                    Elapsed = clock.Elapsed,
                    RequestedBy = requestedBy,
                    ObjectsChecked = report.ObjectsChecked,
                    BytesChecked = report.BytesChecked,
                    Damaged = report.Problems,
                    UnknownFiles = report.UnknownFiles,
                };
                Volatile.Write(ref _lastVerification, verification);
                return (verification, string.Create(CultureInfo.InvariantCulture,
                    $"verified {report.ObjectsChecked} object(s), {report.BytesChecked} bytes: {report.Problems.Count} damaged, {report.UnknownFiles.Count} unknown file(s){(report.IsValid ? string.Empty : "; security alert recorded")}"));
            },
            cancellationToken,
            needsRepository: false);
    }

    /// <summary>
    /// Reads what the repository already holds (the latest verified snapshot and drill) for the instruments; failures are
    /// logged only.
    /// </summary>
    internal Task LoadStateAsync(CancellationToken cancellationToken)
    {
        if (_repository is null || !RepositoryExists())
        {
            return Task.CompletedTask;
        }

        return Task.Run(
            () =>
            {
                try
                {
                    BackupRepository repository = BackupRepository.Open(_repository, create: false);
                    NoteVerifier verifier = Verifier(repository, out _);
                    foreach (string id in repository.ListSnapshots().Reverse())
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        try
                        {
                            NoteSnapshot(repository.ReadSnapshot(id, verifier).CreatedAt);
                            break;
                        }
                        catch (SnapshotIntegrityException)
                        {
                        }
                    }

                    if (DrillRunner.History(repository, verifier).LastOrDefault(h => h.Report is not null).Report is { } drill)
                    {
                        NoteDrill(BackupDrillInfo.From(drill));
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Only the instruments wait for this: the gateway and the schedule go on without it.
                    LogStateUnreadable(_logger, Describe(ex));
                }
            },
            cancellationToken);
    }

    /// <summary>The scheduled snapshot: waits for a running operation instead of being refused; the gateway is the requestor.</summary>
    internal Task<BackupOperationResult<BackupSnapshotResult>> ScheduledSnapshotAsync(CancellationToken cancellationToken) =>
        SnapshotAsync(null, wait: true, cancellationToken);

    /// <summary>The scheduled drill: waits for a running operation instead of being refused; the gateway is the requestor.</summary>
    internal Task<BackupOperationResult<BackupDrillInfo>> ScheduledDrillAsync(CancellationToken cancellationToken) =>
        DrillAsync(null, wait: true, cancellationToken);

    /// <summary>Cancels a running operation and waits (briefly) for it to end, before the archive and audit log it uses are disposed.</summary>
    public async ValueTask DisposeAsync()
    {
        await _disposing.CancelAsync().ConfigureAwait(false);
        if (await _gate.WaitAsync(DisposeWait).ConfigureAwait(false))
        {
            _gate.Release();
        }

        _disposing.Dispose();
    }

    private Task<BackupOperationResult<BackupSnapshotResult>> SnapshotAsync(string? requestedBy, bool wait, CancellationToken cancellationToken) =>
        RunExclusiveAsync(
            "snapshot",
            BackupAuditRecords.SnapshotType,
            requestedBy,
            wait,
            async ct =>
            {
                BackupRepository repository = OpenRepository(create: true);
                var writer = new SnapshotWriter(
                    repository,
                    new SnapshotOptions
                    {
                        DataDirectory = _dataDirectory,
                        PolicyDirectory = Directory.Exists(_policyDirectory) ? _policyDirectory : null,
                        Retention = _options.Retention,
                        SourceId = _sourceId,
                        RequestedBy = requestedBy,
                    },
                    _audit,
                    _time);
                SnapshotResult taken = await writer.CreateAsync(null, ct).ConfigureAwait(false);
                SnapshotManifest m = taken.Manifest;
                NoteSnapshot(m.CreatedAt);
                NoteVerifier verifier = Verifier(repository, out bool pinned);
                string pruned = await PruneExpiredAsync(repository, verifier, requestedBy, ct).ConfigureAwait(false);
                var result = new BackupSnapshotResult
                {
                    Snapshot = Describe(repository, m.Id, verifier, pinned, null, _time.GetUtcNow()),
                    FilesRead = taken.FilesRead,
                    NewBlobs = taken.NewBlobs,
                    NewBytes = taken.NewBytes,
                    Elapsed = taken.Elapsed,
                };
                if (m.ChangedObjects.Count > 0)
                {
                    LogChangedObjects(_logger, m.Id, m.ChangedObjects.Count);
                }

                string message = string.Create(CultureInfo.InvariantCulture,
                    $"snapshot {m.Id}: {m.Files.Count} file(s), {m.TotalBytes} bytes ({taken.NewBlobs} new blob(s), {taken.NewBytes} bytes); retained until {ManifestSerializer.Time(m.RetainUntil)}; {(taken.Immutable ? "immutable" : "read-only (no immutable attribute here)")}{pruned}");
                return (result, m.ChangedObjects.Count == 0 ? message : string.Create(CultureInfo.InvariantCulture,
                    $"{message}; WARNING: {m.ChangedObjects.Count} archive object(s) changed since the previous snapshot (objects are write-once): verify the archive; security alert recorded"));
            },
            cancellationToken);

    private Task<BackupOperationResult<BackupDrillInfo>> DrillAsync(string? requestedBy, bool wait, CancellationToken cancellationToken) =>
        RunExclusiveAsync(
            "drill",
            BackupAuditRecords.DrillType,
            requestedBy,
            wait,
            async ct =>
            {
                BackupRepository repository = OpenRepository(create: false);
                ArchiveOptions live = _archive.Options;
                string liveKeys = live.KeyDirectory ?? Path.Combine(_dataDirectory, "keys");
                DrillReport report = await DrillRunner.RunAsync(
                    repository,
                    new DrillOptions
                    {
                        DataDirectory = _dataDirectory,
                        Verifier = Verifier(repository, out _),
                        ScratchDirectory = Scratch(),
                        KeyDirectory = _keyDirectory ?? (Directory.Exists(liveKeys) ? liveKeys : null),
                        KekSecret = _keyDirectory is null ? live.KekSecret : null,
                        IndexKeySecret = _keyDirectory is null ? live.IndexKeySecret : null,
                        SampleSize = _options.DrillSampleStudies,
                        RtoTarget = _options.RtoTarget,
                        RpoTarget = _options.RpoTarget,
                        SourceId = _sourceId,
                        RequestedBy = requestedBy,
                    },
                    _audit,
                    null,
                    _time,
                    ct).ConfigureAwait(false);
                BackupDrillInfo drill = BackupDrillInfo.From(report);
                NoteDrill(drill);
                if (!drill.Passed)
                {
                    LogDrillFailed(_logger, drill.Id, string.Join("; ", report.Checks.Where(c => !c.Passed).Select(c => c.Name)));
                }

                return (drill, string.Create(CultureInfo.InvariantCulture,
                    $"drill {drill.Id} of snapshot {drill.SnapshotId} {(drill.Passed ? "passed" : "FAILED")}: RTO {drill.Rto.TotalSeconds:0.000} s (target {drill.RtoTarget.TotalSeconds:0} s), RPO {drill.Rpo.TotalSeconds:0} s (target {drill.RpoTarget.TotalSeconds:0} s); {drill.StudiesOk} of {drill.StudiesSampled} sampled studies identical"));
            },
            cancellationToken);

    // The one place operations run: the gate, cancellation on shutdown, failures as values (logged and audited).
    private async Task<BackupOperationResult<T>> RunExclusiveAsync<T>(
        string operation,
        AuditCode eventType,
        string? requestedBy,
        bool wait,
        Func<CancellationToken, Task<(T Value, string Message)>> body,
        CancellationToken cancellationToken,
        bool needsRepository = true)
        where T : class
    {
        if (needsRepository && _repository is null)
        {
            return Result<T>(BackupOperationStatus.NotConfigured, "backups are not configured (Gateway:Backup:Repository)");
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping, _disposing.Token);
        CancellationToken ct = linked.Token;
        if (wait)
        {
            await _gate.WaitAsync(ct).ConfigureAwait(false);
        }
        else if (!await _gate.WaitAsync(0, ct).ConfigureAwait(false))
        {
            RunningOperation? running = Volatile.Read(ref _running);
            string message = running is null
                ? "a backup operation is running; try again when it has finished"
                : string.Create(CultureInfo.InvariantCulture,
                    $"a backup operation is running ({running.Name} requested by {running.RequestedBy ?? "the schedule"} at {running.Since.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}); try again when it has finished");
            LogBusy(_logger, operation, running?.Name ?? "?");
            return Result<T>(BackupOperationStatus.Busy, message);
        }

        try
        {
            Volatile.Write(ref _running, new RunningOperation(operation, requestedBy, _time.GetUtcNow()));
            LogStarted(_logger, operation, requestedBy ?? "the schedule");
            try
            {
                // Off the caller's thread: the library reads SQLite and manifests synchronously before its first await.
                (T value, string message) = await Task.Run(() => body(ct), ct).ConfigureAwait(false);
                LogCompleted(_logger, operation, message);
                return Result(BackupOperationStatus.Completed, message, value);
            }
            catch (AuditLogException ex)
            {
                // Fail closed: nothing was published; the audit log is poisoned and the gateway stops (FailStopAuditLog).
                LogAuditRefused(_logger, ex, operation);
                return Result<T>(BackupOperationStatus.Failed, $"{operation} refused: the audit log could not record it, so nothing was published");
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                string problem = Describe(ex);
                LogFailed(_logger, ex, operation);
                await AuditFailureAsync(eventType, $"{operation} failed: {problem}", requestedBy).ConfigureAwait(false);
                return Result<T>(BackupOperationStatus.Failed, $"{operation} failed: {problem}");
            }
        }
        finally
        {
            Volatile.Write(ref _running, null);
            _gate.Release();
        }
    }

    private async Task AuditFailureAsync(AuditCode eventType, string problem, string? requestedBy)
    {
        try
        {
            await _audit.AppendAsync(BackupAuditRecords.Failed(_sourceId, eventType, problem, _time.GetUtcNow(), requestedBy), _stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AuditLogException or OperationCanceledException)
        {
            LogAuditRefused(_logger, ex, "the failure record");
        }
    }

    // Library and I/O errors carry ids, paths and counts; anything else is a bug whose text is not for the console.
    private static string Describe(Exception ex) => ex switch
    {
        BackupException or SnapshotIntegrityException or ArchiveKeyException or ArchiveIndexException or ArchiveIntegrityException
            or ArchiveFullException or IOException or UnauthorizedAccessException => ex.Message,
        _ => ex.GetType().Name + " (see the gateway log)",
    };

    private static BackupOperationResult<T> Result<T>(BackupOperationStatus status, string message, T? value = null)
        where T : class => new() { Status = status, Message = message, Value = value };

    private static void CheckRequester(string requestedBy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(requestedBy);
        if (requestedBy.Length > MaxRequesterLength || requestedBy.Any(char.IsControl))
        {
            throw new ArgumentException($"a requesting user is at most {MaxRequesterLength} characters without control characters", nameof(requestedBy));
        }
    }

    private BackupSnapshotInfo Describe(BackupRepository repository, string id, NoteVerifier? verifier, bool pinned, string? keyProblem, DateTimeOffset now)
    {
        DateTimeOffset created = DateTimeOffset.ParseExact(id[..16], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        try
        {
            SnapshotManifest m = repository.ReadSnapshot(id, verifier ?? throw new SnapshotIntegrityException(keyProblem ?? "no key to verify with"));
            return new BackupSnapshotInfo
            {
                Id = id,
                CreatedUtc = m.CreatedAt.ToUniversalTime(),
                Age = now - m.CreatedAt,
                TotalBytes = m.TotalBytes,
                FileCount = m.Files.Count,
                RetainUntilUtc = m.RetainUntil.ToUniversalTime(),
                Immutable = repository.IsSnapshotImmutable(id),
                SignedBy = verifier.Name,
                SignedByKeyId = verifier.KeyId.ToString("x8", CultureInfo.InvariantCulture),
                KeyPinned = pinned,
                ChangedObjects = m.ChangedObjects.Count,
            };
        }
        catch (Exception ex) when (ex is SnapshotIntegrityException or IOException or UnauthorizedAccessException)
        {
            return new BackupSnapshotInfo { Id = id, CreatedUtc = created, Age = now - created, Problem = ex.Message };
        }
    }

    // Snapshots past their signed retention date go, with the blobs no other snapshot names; a failure never fails the snapshot.
    // Deletes snapshots past retention after a snapshot; the deletion is an audit record of its own.
    private async Task<string> PruneExpiredAsync(BackupRepository repository, NoteVerifier verifier, string? requestedBy, CancellationToken ct)
    {
        try
        {
            PruneResult pruned = repository.Prune(verifier, _time.GetUtcNow(), null);
            if (pruned.DeletedSnapshots.Count == 0)
            {
                return string.Empty;
            }

            LogPruned(_logger, pruned.DeletedSnapshots.Count, pruned.DeletedBlobs, pruned.FreedBytes);
            await _audit.AppendAsync(BackupAuditRecords.Pruned(_sourceId, repository.Root, pruned, _time.GetUtcNow(), requestedBy), ct).ConfigureAwait(false);
            return string.Create(CultureInfo.InvariantCulture, $"; pruned {pruned.DeletedSnapshots.Count} snapshot(s) past retention, {pruned.FreedBytes} bytes freed");
        }
        catch (Exception ex) when (ex is SnapshotIntegrityException or BackupException or IOException or UnauthorizedAccessException)
        {
            LogPruneFailed(_logger, ex.Message);
            return "; prune of expired snapshots skipped: " + ex.Message;
        }
    }

    private (NoteVerifier? Verifier, bool Pinned, string? Problem) TryVerifier(BackupRepository repository)
    {
        try
        {
            return (Verifier(repository, out bool pinned), pinned, null);
        }
        catch (BackupException ex)
        {
            return (null, false, ex.Message);
        }
    }

    private NoteVerifier Verifier(BackupRepository repository, out bool pinned)
    {
        if (_publicKey is not null)
        {
            pinned = true;
            return BackupSigningKey.ReadPublic(_publicKey);
        }

        return repository.DefaultVerifier(_dataDirectory, out pinned);
    }

    private bool RepositoryExists() => Directory.Exists(Path.Combine(_repository!, "snapshots"));

    private BackupRepository OpenRepository(bool create) => BackupRepository.Open(_repository!, create);

    // Owner-only when created here: a drill copies the archive keys below it while it runs.
    private string Scratch()
    {
        if (!Directory.Exists(_scratchDirectory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(_scratchDirectory);
            }
            else
            {
                Directory.CreateDirectory(_scratchDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        return _scratchDirectory;
    }

    // The latest wins, whichever of the start-up read and a new snapshot or drill comes last.
    private void NoteSnapshot(DateTimeOffset createdAt)
    {
        long ticks = createdAt.UtcTicks;
        long seen;
        do
        {
            seen = Interlocked.Read(ref _lastSnapshotUtcTicks);
            if (ticks <= seen)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _lastSnapshotUtcTicks, ticks, seen) != seen);
    }

    private void NoteDrill(BackupDrillInfo drill)
    {
        BackupDrillInfo? seen;
        do
        {
            seen = Volatile.Read(ref _lastDrill);
            if (seen is not null && drill.StartedUtc < seen.StartedUtc)
            {
                return;
            }
        }
        while (!ReferenceEquals(Interlocked.CompareExchange(ref _lastDrill, drill, seen), seen));
    }

    private IEnumerable<Measurement<double>> ObserveSnapshotAge()
    {
        if (LastSnapshotAt is { } at)
        {
            yield return new Measurement<double>((_time.GetUtcNow() - at).TotalSeconds);
        }
    }

    private IEnumerable<Measurement<double>> Observe(Func<BackupDrillInfo, double> value)
    {
        if (Volatile.Read(ref _lastDrill) is { } drill)
        {
            yield return new Measurement<double>(value(drill));
        }
    }

    [LoggerMessage(EventId = 2601, Level = LogLevel.Information, Message = "Backup {Operation} started (requested by {RequestedBy})")]
    private static partial void LogStarted(ILogger logger, string operation, string requestedBy);

    [LoggerMessage(EventId = 2602, Level = LogLevel.Information, Message = "Backup {Operation} completed: {Summary}")]
    private static partial void LogCompleted(ILogger logger, string operation, string summary);

    [LoggerMessage(EventId = 2603, Level = LogLevel.Error, Message = "Backup {Operation} failed; a failure record is in the audit log")]
    private static partial void LogFailed(ILogger logger, Exception exception, string operation);

    [LoggerMessage(EventId = 2604, Level = LogLevel.Warning, Message = "Backup {Operation} refused: a {Running} is running")]
    private static partial void LogBusy(ILogger logger, string operation, string running);

    [LoggerMessage(EventId = 2605, Level = LogLevel.Critical, Message = "Backup {Operation}: the audit log refused the record, nothing was published")]
    private static partial void LogAuditRefused(ILogger logger, Exception exception, string operation);

    [LoggerMessage(EventId = 2606, Level = LogLevel.Warning, Message = "Snapshot {SnapshotId}: {Count} archive object(s) changed since the previous snapshot (objects are write-once); verify the archive")]
    private static partial void LogChangedObjects(ILogger logger, string snapshotId, int count);

    [LoggerMessage(EventId = 2607, Level = LogLevel.Warning, Message = "Restore drill {DrillId} failed these checks: {Checks}")]
    private static partial void LogDrillFailed(ILogger logger, string drillId, string checks);

    [LoggerMessage(EventId = 2608, Level = LogLevel.Error, Message = "Archive verification: {Damaged} of {Checked} object(s) damaged; security alert recorded")]
    private static partial void LogDamaged(ILogger logger, int damaged, long @checked);

    [LoggerMessage(EventId = 2609, Level = LogLevel.Warning, Message = "The backup repository could not be read for the latest snapshot and drill: {Problem}")]
    private static partial void LogStateUnreadable(ILogger logger, string problem);

    [LoggerMessage(EventId = 2610, Level = LogLevel.Information, Message = "Pruned {Snapshots} snapshot(s) past their retention date: {Blobs} blob(s), {Bytes} bytes freed")]
    private static partial void LogPruned(ILogger logger, int snapshots, long blobs, long bytes);

    [LoggerMessage(EventId = 2611, Level = LogLevel.Warning, Message = "Expired snapshots were not pruned: {Problem}")]
    private static partial void LogPruneFailed(ILogger logger, string problem);

    private sealed record RunningOperation(string Name, string? RequestedBy, DateTimeOffset Since);
}
