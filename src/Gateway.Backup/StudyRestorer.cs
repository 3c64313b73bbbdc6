using Gateway.Archive;
using Gateway.Archive.Index;
using Gateway.Audit;
using Gateway.Audit.Records;
using Gateway.Backup.Manifest;

namespace Gateway.Backup;

/// <summary>
/// Brings one study back from a snapshot into a running archive through the archive's own API: the snapshot's index and
/// the study's objects are staged (each checked against the signed manifest), each instance is read through the
/// archive's verifying reader (GCM tags) and stored into the target with <see cref="IInstanceArchive.StoreAsync"/>, so the
/// target indexes, deduplicates and keeps conflicts as it does for any C-STORE. No destination is queued.
/// </summary>
public static class StudyRestorer
{
    /// <summary>Restores the study.</summary>
    /// <exception cref="SnapshotIntegrityException">The snapshot or one of the study's files failed its check.</exception>
    /// <exception cref="BackupException">The snapshot holds no such study, or the keys are not at hand.</exception>
    /// <exception cref="AuditLogException">The audit record could not be made durable (nothing was stored).</exception>
    public static async Task<StudyRestoreResult> RestoreStudyAsync(BackupRepository repository, StudyRestoreRequest request, IInstanceArchive target, IAuditLog audit, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(audit);
        SnapshotManifest manifest = repository.ReadSnapshot(request.SnapshotId, request.Verifier);
        ManifestEntry index = manifest.Files.FirstOrDefault(f => f.Path == ArchiveFiles.IndexPath)
            ?? throw new BackupException($"snapshot {manifest.Id} holds no archive index");
        string scratch = Path.Combine(Path.GetFullPath(request.ScratchDirectory), "study-" + SnapshotId.New(DateTimeOffset.UtcNow));
        string data = Path.Combine(scratch, "data");
        try
        {
            Storage.ImmutableFiles.CreateDirectory(data);
            await SnapshotRestorer.RestoreFilesAsync(repository, manifest, [index], data, null, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<string> objects = ArchiveFiles.ListStudyObjects(Path.Combine(data, "archive", "index.db"), request.StudyInstanceUid);
            if (objects.Count == 0)
            {
                throw new BackupException($"snapshot {manifest.Id} holds no object of study {request.StudyInstanceUid}");
            }

            var byPath = manifest.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
            List<ManifestEntry> entries = [.. objects.Select(o => byPath.TryGetValue(o, out ManifestEntry? e) ? e : throw new SnapshotIntegrityException($"snapshot {manifest.Id}: {o} is indexed but not in the manifest"))];
            await SnapshotRestorer.RestoreFilesAsync(repository, manifest, entries, data, progress, cancellationToken).ConfigureAwait(false);
            SnapshotRestorer.CopyKeys(request.KeyDirectory, Path.Combine(data, "keys"));

            await using ArchiveStore staged = ArchiveStore.Open(new ArchiveOptions
            {
                DataDirectory = data,
                KekSecret = request.KekSecret,
                IndexKeySecret = request.IndexKeySecret,
                CreateIfMissing = false,
                MinimumFreeBytes = 0,
            });
            var instances = new List<ArchivedInstanceInfo>();
            foreach (ArchivedSeries series in await staged.ListSeriesAsync(request.StudyInstanceUid, includePurged: false, cancellationToken).ConfigureAwait(false))
            {
                instances.AddRange((await staged.ListInstancesAsync(series.SeriesInstanceUid, includePurged: false, cancellationToken).ConfigureAwait(false)).Where(i => !i.IsConflict));
            }

            // Fail closed: the record is durable before anything is stored.
            AuditRecord record = BackupAuditRecords.Restore(request.SourceId, manifest, "archive", success: true, $"restoring {instances.Count} instance(s) of one study", DateTimeOffset.UtcNow, request.RequestedBy);
            await audit.AppendAsync(record with { ParticipantObjects = [.. record.ParticipantObjects, AuditRecords.Study(request.StudyInstanceUid)] }, cancellationToken).ConfigureAwait(false);

            int stored = 0, duplicates = 0, conflicts = 0;
            foreach (ArchivedInstanceInfo info in instances)
            {
                ArchivedInstance instance = await staged.OpenDataSetAsync(info.SopInstanceUid, cancellationToken).ConfigureAwait(false)
                    ?? throw new SnapshotIntegrityException($"instance {info.SopInstanceUid} is indexed in the snapshot but has no object");
                await using (instance.ConfigureAwait(false))
                {
                    bool present = await IsReadableAsync(target, instance.SopInstanceUid, cancellationToken).ConfigureAwait(false);
                    ArchiveStoreResult result = await target.StoreAsync(
                        new ArchiveStoreRequest { SopClassUid = instance.SopClassUid, SopInstanceUid = instance.SopInstanceUid, TransferSyntax = instance.TransferSyntax, CallingAE = instance.CallingAE },
                        instance.Stream,
                        cancellationToken).ConfigureAwait(false);
                    switch (result.Outcome)
                    {
                        case ArchiveStoreOutcome.Stored: stored++; break;

                        // Same bytes as a row whose object was purged (or lost): the archive keeps the object under that row again.
                        case ArchiveStoreOutcome.Duplicate when !present: stored++; break;
                        case ArchiveStoreOutcome.Duplicate: duplicates++; break;
                        default: conflicts++; break;
                    }
                }
            }

            return new StudyRestoreResult(instances.Count, stored, duplicates, conflicts);
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    private static async Task<bool> IsReadableAsync(IInstanceArchive target, string sopInstanceUid, CancellationToken cancellationToken)
    {
        ArchivedInstance? existing = await target.OpenDataSetAsync(sopInstanceUid, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            return false;
        }

        await existing.DisposeAsync().ConfigureAwait(false);
        return true;
    }
}
