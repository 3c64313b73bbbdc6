using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Gateway.Archive;
using Gateway.Archive.Verification;
using Gateway.Audit;
using Gateway.Audit.Verification;
using Gateway.Backup.Manifest;
using Gateway.Backup.Storage;

namespace Gateway.Backup;

/// <summary>
/// Restores a snapshot into a directory and proves it: the manifest's signature and Merkle root, every file's SHA-256
/// and size as it is written, every archive object's AES-GCM tags through the archive's own reader, and the audit log's
/// hash chain, Merkle roots and checkpoint signatures through the audit library's verifier.
/// </summary>
/// <remarks>
/// A file counts as restored only once its bytes hash to the manifest's value; a tampered blob stops the restore with
/// <see cref="SnapshotIntegrityException"/> naming the file (the target then holds only what verified).
/// </remarks>
public static class SnapshotRestorer
{
    private const int CopyBufferSize = 1024 * 1024;
    private const int MaxReportedProblems = 5;

    /// <summary>Restores and verifies.</summary>
    /// <exception cref="SnapshotIntegrityException">The snapshot, a file, an object or the audit chain failed its check.</exception>
    /// <exception cref="BackupException">The target is not empty, or the archive keys are not at hand.</exception>
    public static async Task<RestoreResult> RestoreAsync(BackupRepository repository, RestoreRequest request, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        SnapshotManifest manifest = repository.ReadSnapshot(request.SnapshotId, request.Verifier);
        string target = Path.GetFullPath(request.Target);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new BackupException($"restore target {target} is not empty");
        }

        ImmutableFiles.CreateDirectory(target);
        await RestoreFilesAsync(repository, manifest, manifest.Files, target, progress, cancellationToken).ConfigureAwait(false);
        CopyKeys(request.KeyDirectory, Path.Combine(target, "keys"));
        TimeSpan copied = clock.Elapsed;

        // The sync (the disk's work) and the object check (the CPU's, on pages the copy left in memory) overlap; the
        // restore returns only when both are done.
        Task<TimeSpan> sync = Task.Run(() =>
        {
            long from = Stopwatch.GetTimestamp();
            ImmutableFiles.SyncFileSystem(target);
            return Stopwatch.GetElapsedTime(from);
        }, CancellationToken.None);
        long objects;
        TimeSpan objectsElapsed;
        TimeSpan syncElapsed;
        try
        {
            objects = await VerifyObjectsAsync(target, request, progress, cancellationToken).ConfigureAwait(false);
            objectsElapsed = clock.Elapsed - copied;
        }
        finally
        {
            // Never leave the sync running behind a failed check; a failed sync fails the restore.
            syncElapsed = await sync.ConfigureAwait(false);
        }

        TimeSpan objectsVerified = clock.Elapsed;
        long records = VerifyAudit(target);
        TimeSpan total = clock.Elapsed;
        return new RestoreResult
        {
            Manifest = manifest,
            Target = target,
            ObjectsVerified = objects,
            AuditRecords = records,
            Elapsed = total,
            CopyElapsed = copied,
            SyncElapsed = syncElapsed,
            ObjectVerifyElapsed = objectsElapsed,
            AuditVerifyElapsed = total - objectsVerified,
        };
    }

    /// <summary>Writes <paramref name="files"/> of a snapshot under <paramref name="target"/>, each checked against the manifest.</summary>
    /// <exception cref="SnapshotIntegrityException">A blob is missing or does not hash to its entry.</exception>
    internal static async Task RestoreFilesAsync(BackupRepository repository, SnapshotManifest manifest, IReadOnlyList<ManifestEntry> files, string target, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        long total = files.Sum(f => f.Size);
        long done = 0;
        var problems = new List<string>();
        progress?.Report(new BackupProgress("restore", 0, total));
        await Parallel.ForEachAsync(
            files,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount), CancellationToken = cancellationToken },
            async (entry, ct) =>
            {
                string? problem = await RestoreFileAsync(repository, entry, target, n => progress?.Report(new BackupProgress("restore", Interlocked.Add(ref done, n), total)), ct).ConfigureAwait(false);
                if (problem is not null)
                {
                    lock (problems)
                    {
                        problems.Add(problem);
                    }
                }
            }).ConfigureAwait(false);

        if (problems.Count > 0)
        {
            problems.Sort(StringComparer.Ordinal);
            throw new SnapshotIntegrityException(string.Create(CultureInfo.InvariantCulture,
                $"snapshot {manifest.Id}: {problems.Count} file(s) failed their check: {string.Join("; ", problems.Take(MaxReportedProblems))}{(problems.Count > MaxReportedProblems ? "; ..." : string.Empty)}"));
        }
    }

    private static async Task<string?> RestoreFileAsync(BackupRepository repository, ManifestEntry entry, string target, Action<long> progress, CancellationToken cancellationToken)
    {
        string destination = Path.GetFullPath(Path.Combine(target, entry.Path));
        if (!ManifestSerializer.IsSafePath(entry.Path) || !destination.StartsWith(target + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return $"{entry.Path}: path outside the target";
        }

        string directory = Path.GetDirectoryName(destination)!;

        // Safe in parallel: creating a directory that another file's restore just created is a no-op.
        ImmutableFiles.CreateDirectory(directory);

        string temp = Path.Combine(directory, "." + Path.GetFileName(destination) + ".restore");
        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            FileStream blob;
            try
            {
                blob = repository.OpenBlob(entry.Sha256);
            }
            catch (SnapshotIntegrityException)
            {
                return $"{entry.Path}: blob missing";
            }

            await using (blob.ConfigureAwait(false))
            await using (var output = new FileStream(temp, ImmutableFiles.NewPrivateFile()))
            {
                int n;
                while ((n = await blob.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    size += n;
                    if (size > entry.Size)
                    {
                        return $"{entry.Path}: longer than the manifest says";
                    }

                    hash.AppendData(buffer, 0, n);
                    await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                    progress(n);
                }
            }

            if (size != entry.Size || Convert.ToHexStringLower(hash.GetHashAndReset()) != entry.Sha256)
            {
                return $"{entry.Path}: altered (SHA-256 or size differs from the manifest)";
            }

            File.Move(temp, destination, overwrite: false);
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Copies the archive key files (kek-*.key, index.key) of a key directory into <paramref name="target"/> (0600).</summary>
    internal static void CopyKeys(string? keyDirectory, string target)
    {
        if (keyDirectory is null)
        {
            return;
        }

        string[] keys = [.. Directory.GetFiles(keyDirectory, "kek-*.key"), .. Directory.GetFiles(keyDirectory, "index.key")];
        if (keys.Length == 0)
        {
            throw new BackupException($"no archive keys (kek-N.key, index.key) in {keyDirectory}");
        }

        ImmutableFiles.CreateDirectory(target);
        foreach (string key in keys)
        {
            string copy = Path.Combine(target, Path.GetFileName(key));
            File.Copy(key, copy);
            ImmutableFiles.SetMode(copy, ImmutableFiles.OwnerOnlyFile);
        }
    }

    private static async Task<long> VerifyObjectsAsync(string target, RestoreRequest request, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(target, "archive", "index.db")))
        {
            return 0;
        }

        var options = new ArchiveOptions
        {
            DataDirectory = target,
            KekSecret = request.KekSecret,
            IndexKeySecret = request.IndexKeySecret,
            CreateIfMissing = false,
            MinimumFreeBytes = 0,
        };
        ArchiveVerificationReport report;
        try
        {
            using var admin = ArchiveAdmin.Open(options);
            report = await admin.VerifyObjectsAsync(
                BackupProgress.ForArchiveVerify(progress, "verify objects"),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Gateway.Archive.Keys.ArchiveKeyException ex)
        {
            throw new BackupException("restored files verified, but the objects cannot be checked: " + ex.Message + " (give the escrowed keys with --key-dir or the environment)", ex);
        }

        if (!report.IsValid)
        {
            throw new SnapshotIntegrityException(string.Create(CultureInfo.InvariantCulture,
                $"{report.Problems.Count} restored archive object(s) failed verification, first {report.Problems[0].ObjectName}: {report.Problems[0].Reason}"));
        }

        return report.ObjectsChecked;
    }

    private static long VerifyAudit(string target)
    {
        var paths = new Gateway.Audit.Storage.AuditLogPaths(Path.Combine(target, "audit"));
        if (!File.Exists(paths.PublicKey))
        {
            return 0;
        }

        // The audit public key came from the signed manifest, so it is the one the snapshot vouches for.
        AuditVerificationReport report;
        try
        {
            report = AuditLogVerifier.Verify(paths.Root, Gateway.Audit.Checkpoints.NoteVerifier.Parse(File.ReadAllText(paths.PublicKey).Trim()), new AuditVerifyOptions { AllowUnsignedTail = true });
        }
        catch (Exception ex) when (ex is AuditLogException or FormatException)
        {
            throw new SnapshotIntegrityException("the restored audit log cannot be verified: " + ex.Message, ex);
        }

        if (!report.IsValid)
        {
            throw new SnapshotIntegrityException(string.Create(CultureInfo.InvariantCulture,
                $"the restored audit log's chain is broken: {report.Problems.Count} problem(s), first: {report.Problems[0].Message}"));
        }

        return report.RecordCount;
    }
}
