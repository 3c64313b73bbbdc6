using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gateway.Audit.Checkpoints;
using Gateway.Backup.Manifest;
using Gateway.Backup.Storage;

namespace Gateway.Backup;

/// <summary>
/// A backup repository: a directory (by default on another volume) written once. Every file of every snapshot is a
/// content-addressed blob (named by the SHA-256 of its bytes, archive objects as ciphertext), so a file already there is
/// never copied again; each snapshot is a signed manifest naming its blobs.
/// </summary>
/// <remarks>
/// <code>
/// REPO/
///   lock                          flock of the one writer (snapshot, prune, drill)
///   blobs/ab/&lt;sha256&gt;             0444 + immutable attribute
///   snapshots/&lt;id&gt;/manifest.json   0444 + immutable; the directory too
///   snapshots/&lt;id&gt;/manifest.sig    signed note (<see cref="SnapshotSignature"/>)
///   drills/&lt;id&gt;/report.json|md|sig  drill reports, signed, immutable
///   keys/&lt;key id&gt;.pub              public keys that signed here (a convenience: pin your own)
///   tmp/                          files being written
/// </code>
/// </remarks>
public sealed class BackupRepository
{
    private const int CopyBufferSize = 1024 * 1024;
    private const long MaxSignatureBytes = 64 * 1024;
    private readonly Lock _publishGate = new();

    private BackupRepository(string directory)
    {
        Root = directory;
    }

    /// <summary>The repository directory.</summary>
    public string Root { get; }

    internal string BlobsDirectory => Path.Combine(Root, "blobs");

    internal string SnapshotsDirectory => Path.Combine(Root, "snapshots");

    internal string DrillsDirectory => Path.Combine(Root, "drills");

    internal string KeysDirectory => Path.Combine(Root, "keys");

    internal string TempDirectory => Path.Combine(Root, "tmp");

    /// <summary>Opens the repository at <paramref name="directory"/>, creating its layout when <paramref name="create"/> is set.</summary>
    /// <exception cref="BackupException">There is no repository there (without create).</exception>
    public static BackupRepository Open(string directory, bool create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string root = Path.GetFullPath(directory);
        var repository = new BackupRepository(root);
        if (!Directory.Exists(repository.SnapshotsDirectory))
        {
            if (!create)
            {
                throw new BackupException($"no backup repository at {root}");
            }

            foreach (string d in new[] { repository.BlobsDirectory, repository.SnapshotsDirectory, repository.DrillsDirectory, repository.KeysDirectory, repository.TempDirectory })
            {
                ImmutableFiles.CreateDirectory(d);
            }
        }

        return repository;
    }

    /// <summary>Takes the repository's writer lock (snapshot, prune, drill report); readers need none.</summary>
    /// <exception cref="BackupException">Another writer holds it.</exception>
    public IDisposable LockForWriting()
    {
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = ImmutableFiles.OwnerOnlyFile;
            }

            return new FileStream(Path.Combine(Root, "lock"), options);
        }
        catch (IOException ex)
        {
            throw new BackupException($"the backup repository {Root} is in use by another snapshot, prune or drill", ex);
        }
    }

    /// <summary>The snapshot ids in the repository, oldest first.</summary>
    public IReadOnlyList<string> ListSnapshots() => ListIds(SnapshotsDirectory);

    /// <summary>The drill report ids in the repository, oldest first.</summary>
    public IReadOnlyList<string> ListDrills() => ListIds(DrillsDirectory);

    /// <summary>
    /// Reads a snapshot's manifest and checks it: signature by <paramref name="verifier"/> over its exact bytes, format,
    /// limits, paths, and Merkle root. Its blobs are checked only when restored.
    /// </summary>
    /// <exception cref="SnapshotIntegrityException">The manifest or its signature is missing, malformed, or altered.</exception>
    public SnapshotManifest ReadSnapshot(string id, NoteVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        if (!SnapshotId.IsValid(id))
        {
            throw new SnapshotIntegrityException("not a snapshot id (yyyyMMddTHHmmssZ-xxxxxxxx)");
        }

        string directory = Path.Combine(SnapshotsDirectory, id);
        byte[] manifestBytes = ReadBounded(Path.Combine(directory, "manifest.json"), ManifestSerializer.MaxManifestBytes, $"snapshot {id}");
        string note = Encoding.UTF8.GetString(ReadBounded(Path.Combine(directory, "manifest.sig"), MaxSignatureBytes, $"snapshot {id}"));
        SnapshotManifest manifest = ManifestSerializer.Parse(manifestBytes);
        if (manifest.Id != id)
        {
            throw new SnapshotIntegrityException($"snapshot {id} holds the manifest of snapshot {manifest.Id}");
        }

        SnapshotSignature.Verify(note, verifier, SnapshotSignature.SnapshotKind, id, manifestBytes, manifest.MerkleRoot, manifest.RetainUntil);
        return manifest;
    }

    /// <summary>
    /// True when snapshot <paramref name="id"/>'s directory, manifest and signature all carry the immutable attribute
    /// (else they are read-only only: the file system or the process cannot set it).
    /// </summary>
    public bool IsSnapshotImmutable(string id)
    {
        if (!SnapshotId.IsValid(id))
        {
            return false;
        }

        string directory = Path.Combine(SnapshotsDirectory, id);
        return ImmutableFiles.IsImmutable(directory)
            && ImmutableFiles.IsImmutable(Path.Combine(directory, "manifest.json"))
            && ImmutableFiles.IsImmutable(Path.Combine(directory, "manifest.sig"));
    }

    /// <summary>
    /// The key to check this repository's signatures with when none is given: the data directory's
    /// <c>backup/signing.pub</c> when present, else the one key stored in the repository's <c>keys/</c>.
    /// </summary>
    /// <param name="dataDirectory">The gateway's data directory, if at hand.</param>
    /// <param name="pinned">True when the key came from the data directory, not from the repository itself.</param>
    /// <exception cref="BackupException">No key is at hand, or the repository holds several.</exception>
    public NoteVerifier DefaultVerifier(string? dataDirectory, out bool pinned)
    {
        if (dataDirectory is not null)
        {
            string local = Path.Combine(BackupSigningKey.DirectoryOf(dataDirectory), BackupSigningKey.PublicFileName);
            if (File.Exists(local))
            {
                pinned = true;
                return BackupSigningKey.ReadPublic(local);
            }
        }

        string[] stored = Directory.Exists(KeysDirectory) ? Directory.GetFiles(KeysDirectory, "*.pub") : [];
        if (stored.Length != 1)
        {
            throw new BackupException(stored.Length == 0
                ? $"no backup public key: give --public-key (the escrowed signing.pub)"
                : $"the repository holds {stored.Length} signing keys: give --public-key to choose");
        }

        pinned = false;
        return BackupSigningKey.ReadPublic(stored[0]);
    }

    /// <summary>True when the blob <paramref name="sha256"/> is stored with length <paramref name="size"/>.</summary>
    internal bool HasBlob(string sha256, long size)
    {
        var info = new FileInfo(BlobPath(sha256));
        return info.Exists && info.Length == size;
    }

    internal string BlobPath(string sha256) => Path.Combine(BlobsDirectory, sha256[..2], sha256);

    /// <summary>
    /// Copies <paramref name="source"/> into a new blob while hashing it; a blob already stored under that hash is kept
    /// and the copy dropped. New blobs are read-only and immutable; they are durable after <see cref="Sync"/>.
    /// </summary>
    /// <returns>The hash, the length, and whether a new blob was written.</returns>
    internal async Task<(string Sha256, long Size, bool Added)> AddBlobAsync(Stream source, Action<long>? progress, CancellationToken cancellationToken)
    {
        string temp = Path.Combine(TempDirectory, Guid.NewGuid().ToString("N"));
        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            await using (var target = new FileStream(temp, ImmutableFiles.NewPrivateFile()))
            {
                int n;
                while ((n = await source.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                    await target.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                    size += n;
                    progress?.Invoke(n);
                }
            }

            string sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            return (sha, size, PublishBlob(temp, sha, size));
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

    /// <summary>
    /// Moves a hashed temporary file into place as blob <paramref name="sha"/> unless that blob is stored already, and seals it.
    /// </summary>
    /// <remarks>
    /// Serialised: two files with the same bytes (empty files, say) are copied at once, and <see cref="File.Move(string, string, bool)"/>
    /// is not atomic everywhere (where the kernel or file system lacks <c>RENAME_NOREPLACE</c> it checks, then renames), so
    /// a second writer could replace the first one's blob between its move and its seal, and the seal of the second then
    /// fails on the first one's immutable attribute (seen in CI). Other processes are kept out by the repository's lock.
    /// </remarks>
    /// <returns>True when this call added the blob.</returns>
    private bool PublishBlob(string temp, string sha, long size)
    {
        lock (_publishGate)
        {
            if (HasBlob(sha, size))
            {
                return false;
            }

            string path = BlobPath(sha);
            ImmutableFiles.CreateOwnerOnly(Path.GetDirectoryName(path)!);
            try
            {
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException) when (HasBlob(sha, size))
            {
                return false;
            }

            ImmutableFiles.Seal(path);
            return true;
        }
    }

    /// <summary>Opens a blob for reading.</summary>
    /// <exception cref="SnapshotIntegrityException">The blob is missing.</exception>
    internal FileStream OpenBlob(string sha256)
    {
        try
        {
            return new FileStream(BlobPath(sha256), FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SnapshotIntegrityException($"blob {sha256} is missing from the repository", ex);
        }
    }

    /// <summary>Makes every blob written so far durable (one <c>syncfs</c>), before a manifest naming them is published.</summary>
    internal void Sync() => ImmutableFiles.SyncFileSystem(Root);

    /// <summary>Publishes a snapshot: its manifest and signature written once, then the directory sealed.</summary>
    /// <returns>True when the immutable attribute could be set.</returns>
    internal bool Publish(string id, byte[] manifest, string signature, NoteSigner signer) =>
        PublishFiles(SnapshotsDirectory, id, [("manifest.json", manifest), ("manifest.sig", Encoding.UTF8.GetBytes(signature))], signer);

    /// <summary>Publishes a set of files under <paramref name="parent"/>/<paramref name="id"/>, written once and sealed.</summary>
    internal bool PublishFiles(string parent, string id, IReadOnlyList<(string Name, byte[] Content)> files, NoteSigner signer)
    {
        string directory = Path.Combine(parent, id);
        ImmutableFiles.CreateDirectory(directory);
        bool immutable = true;
        foreach ((string name, byte[] content) in files)
        {
            immutable &= ImmutableFiles.WriteOnce(Path.Combine(directory, name), content);
        }

        immutable &= ImmutableFiles.Seal(directory);
        ImmutableFiles.FlushDirectory(parent);
        string keyFile = Path.Combine(KeysDirectory, NoteKeys.Hex(signer.KeyId) + ".pub");
        if (!File.Exists(keyFile))
        {
            ImmutableFiles.WriteOnce(keyFile, Encoding.ASCII.GetBytes(signer.Verifier.Encode() + "\n"));
        }

        return immutable;
    }

    /// <summary>
    /// Deletes snapshots past their retention date (<paramref name="id"/>: only that one), then every blob no remaining
    /// snapshot names. A snapshot still under retention is never deleted.
    /// </summary>
    /// <exception cref="RetentionException"><paramref name="id"/> is still under retention.</exception>
    /// <exception cref="SnapshotIntegrityException">A snapshot's manifest cannot be verified (nothing is deleted then).</exception>
    public PruneResult Prune(NoteVerifier verifier, DateTimeOffset now, string? id)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        using IDisposable writer = LockForWriting();
        var manifests = ListSnapshots().Select(s => ReadSnapshot(s, verifier)).ToList();
        if (id is not null)
        {
            SnapshotManifest target = manifests.FirstOrDefault(m => m.Id == id) ?? throw new BackupException($"no snapshot {id}");
            if (target.RetainUntil > now)
            {
                throw new RetentionException($"snapshot {id} is retained until {ManifestSerializer.Time(target.RetainUntil)}; it cannot be deleted before");
            }
        }

        List<SnapshotManifest> expired = [.. manifests.Where(m => m.RetainUntil <= now && (id is null || m.Id == id))];
        var kept = new HashSet<string>(manifests.Except(expired).SelectMany(m => m.Files.Select(f => f.Sha256)), StringComparer.Ordinal);
        foreach (SnapshotManifest m in expired)
        {
            DeleteSealedDirectory(Path.Combine(SnapshotsDirectory, m.Id));
        }

        long blobs = 0, bytes = 0;
        foreach (string sha in expired.SelectMany(m => m.Files.Select(f => f.Sha256)).Distinct(StringComparer.Ordinal).Where(s => !kept.Contains(s)))
        {
            string path = BlobPath(sha);
            if (File.Exists(path))
            {
                bytes += new FileInfo(path).Length;
                ImmutableFiles.Unseal(path);
                File.Delete(path);
                blobs++;
            }
        }

        Sync();
        return new PruneResult([.. expired.Select(m => m.Id)], blobs, bytes);
    }

    private static void DeleteSealedDirectory(string directory)
    {
        ImmutableFiles.Unseal(directory);
        foreach (string file in Directory.GetFiles(directory))
        {
            ImmutableFiles.Unseal(file);
            File.Delete(file);
        }

        Directory.Delete(directory);
    }

    private static byte[] ReadBounded(string path, long max, string what)
    {
        FileInfo info;
        try
        {
            info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new SnapshotIntegrityException($"{what}: {Path.GetFileName(path)} is missing");
            }
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new SnapshotIntegrityException($"{what}: {Path.GetFileName(path)} cannot be read", ex);
        }

        if (info.Length > max)
        {
            throw new SnapshotIntegrityException(string.Create(CultureInfo.InvariantCulture, $"{what}: {Path.GetFileName(path)} is larger than {max} bytes"));
        }

        return File.ReadAllBytes(path);
    }

    private static List<string> ListIds(string directory) =>
        Directory.Exists(directory)
            ? [.. Directory.GetDirectories(directory).Select(d => Path.GetFileName(d)).Where(SnapshotId.IsValid).Order(StringComparer.Ordinal)]
            : [];
}
