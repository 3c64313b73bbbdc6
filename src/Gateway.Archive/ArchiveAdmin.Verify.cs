using System.Buffers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Gateway.Archive.Crypto;
using Gateway.Archive.Index;
using Gateway.Archive.Keys;
using Gateway.Archive.Verification;
using Microsoft.Data.Sqlite;

namespace Gateway.Archive;

public sealed partial class ArchiveAdmin
{
    private const int VerifyPageSize = 2048;
    private const int MaxUnknownFiles = 1000;

    /// <summary>
    /// Reads every object the index references to its end through the archive's own decrypting reader, so each chunk's
    /// AES-GCM tag, the object id, the SOP Instance UID binding and the length are checked, and reports every object that
    /// fails (altered, truncated, swapped, missing) and every file under <c>archive/objects</c> that is no indexed object.
    /// </summary>
    /// <remarks>
    /// Works beside a running gateway: objects are written once and never rewritten, so reading them needs no lock; an
    /// object purged by retention during the scan is not reported. Nothing is decrypted to disk; plaintext buffers are
    /// zeroed.
    /// </remarks>
    /// <param name="progress">Receives progress after each object (optional).</param>
    /// <param name="cancellationToken">Stops the scan.</param>
    /// <exception cref="ArchiveKeyException">The archive's keys are not at hand (the key-encryption key is needed to check tags).</exception>
    public async Task<ArchiveVerificationReport> VerifyObjectsAsync(IProgress<ArchiveVerifyProgress>? progress, CancellationToken cancellationToken)
    {
        KeyRing ring = _keys?.Ring ?? throw new ArchiveKeyException(
            "the archive keys are not at hand (key-encryption key or index key missing or not this archive's): objects cannot be verified");
        (long objectsTotal, long bytesTotal) = CountObjects();
        var problems = new List<ArchiveObjectProblem>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        long objectsDone = 0;
        long bytesDone = 0;
        string? after = string.Empty;
        while (after is not null)
        {
            IReadOnlyList<VerifyRow> page = ReadVerifyPage(after);
            after = page.Count == VerifyPageSize ? page[^1].ObjectName : null;
            foreach (VerifyRow row in page)
            {
                names.Add(row.ObjectName);
            }

            await Parallel.ForEachAsync(
                page,
                new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
                async (row, ct) =>
                {
                    string? failure = await VerifyObjectAsync(ring, row, ct).ConfigureAwait(false);
                    if (failure is not null)
                    {
                        lock (problems)
                        {
                            problems.Add(new ArchiveObjectProblem(row.ObjectName, row.SopInstanceUid, row.Id, failure));
                        }
                    }

                    long done = Interlocked.Increment(ref objectsDone);
                    long bytes = Interlocked.Add(ref bytesDone, row.DataSetOffset + row.Size);
                    progress?.Report(new ArchiveVerifyProgress(done, objectsTotal, bytes, bytesTotal));
                }).ConfigureAwait(false);
        }

        problems.Sort((a, b) => string.CompareOrdinal(a.ObjectName, b.ObjectName));
        return new ArchiveVerificationReport
        {
            ObjectsChecked = objectsDone,
            BytesChecked = bytesDone,
            Problems = problems,
            UnknownFiles = FindUnknownFiles(names),
        };
    }

    private (long Objects, long Bytes) CountObjects()
    {
        using SqliteConnection reader = _db.OpenReader();
        using SqliteCommand command = ArchiveDatabase.Command(
            reader,
            null,
            "SELECT count(*), coalesce(sum(size + dataset_offset), 0) FROM instances WHERE object_name IS NOT NULL AND wrapped_key IS NOT NULL");
        using SqliteDataReader r = command.ExecuteReader();
        r.Read();
        return (r.GetInt64(0), r.GetInt64(1));
    }

    private List<VerifyRow> ReadVerifyPage(string after)
    {
        using SqliteConnection reader = _db.OpenReader();
        using SqliteCommand command = ArchiveDatabase.Command(
            reader,
            null,
            "SELECT id, sop_instance_uid, object_name, object_id, kek_version, wrapped_key, size, dataset_offset FROM instances " +
            "WHERE object_name IS NOT NULL AND wrapped_key IS NOT NULL AND object_name > $p0 ORDER BY object_name LIMIT $p1",
            after,
            VerifyPageSize);
        using SqliteDataReader r = command.ExecuteReader();
        var rows = new List<VerifyRow>(VerifyPageSize);
        while (r.Read())
        {
            rows.Add(new VerifyRow(r.GetInt64(0), r.GetString(1), r.GetString(2), (byte[])r[3], r.GetInt32(4), (byte[])r[5], r.GetInt64(6), r.GetInt64(7)));
        }

        return rows;
    }

    // Returns null when the object verified, else why it did not.
    private async Task<string?> VerifyObjectAsync(KeyRing ring, VerifyRow row, CancellationToken cancellationToken)
    {
        string path = Path.Combine(_options.ObjectsDirectory, row.ObjectName[..2], row.ObjectName + ".obj");
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return StillIndexed(row.Id) ? "object file is missing" : null;
        }

        byte[]? dataKey = null;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            dataKey = ring.Unwrap(row.KekVersion, row.WrappedKey);
            await using DecryptingObjectStream stream = await DecryptingObjectStream.OpenAsync(
                file, dataKey, row.ObjectId, row.SopInstanceUid, row.DataSetOffset + row.Size, cancellationToken).ConfigureAwait(false);
            while (await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
            {
            }

            return null;
        }
        catch (ArchiveIntegrityException ex)
        {
            return ex.Message;
        }
        catch (IOException ex)
        {
            return "object file cannot be read: " + ex.GetType().Name;
        }
        finally
        {
            await file.DisposeAsync().ConfigureAwait(false);
            CryptographicOperations.ZeroMemory(buffer);
            ArrayPool<byte>.Shared.Return(buffer);
            if (dataKey is not null)
            {
                CryptographicOperations.ZeroMemory(dataKey);
            }
        }
    }

    private bool StillIndexed(long id)
    {
        using SqliteConnection reader = _db.OpenReader();
        return ArchiveDatabase.Scalar(reader, "SELECT 1 FROM instances WHERE id = $p0 AND object_name IS NOT NULL", null, id) is not null;
    }

    private List<string> FindUnknownFiles(HashSet<string> names)
    {
        var unknown = new List<string>();
        if (!Directory.Exists(_options.ObjectsDirectory))
        {
            return unknown;
        }

        foreach (string entry in Directory.EnumerateFileSystemEntries(_options.ObjectsDirectory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (unknown.Count >= MaxUnknownFiles)
            {
                break;
            }

            if (Directory.Exists(entry))
            {
                continue;
            }

            Match m = VerifiedObjectFile().Match(Path.GetFileName(entry));
            bool known = m.Success && (m.Groups[2].Value == ".slot" || names.Contains(m.Groups[1].Value) || StillIndexedName(m.Groups[1].Value));
            if (!known)
            {
                unknown.Add(Path.GetRelativePath(_options.ArchiveDirectory, entry));
            }
        }

        return unknown;
    }

    // An object stored after the scan started is not in the scanned set, yet no stranger.
    private bool StillIndexedName(string name)
    {
        using SqliteConnection reader = _db.OpenReader();
        return ArchiveDatabase.Scalar(reader, "SELECT 1 FROM instances WHERE object_name = $p0", null, name) is not null;
    }

    [GeneratedRegex("^([0-9a-f]{32})(\\.obj|\\.slot)$", RegexOptions.CultureInvariant)]
    private static partial Regex VerifiedObjectFile();

    private sealed record VerifyRow(long Id, string SopInstanceUid, string ObjectName, byte[] ObjectId, int KekVersion, byte[] WrappedKey, long Size, long DataSetOffset);
}
