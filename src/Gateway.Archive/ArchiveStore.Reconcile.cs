using System.Text.RegularExpressions;
using Gateway.Archive.Index;
using Gateway.Archive.Keys;
using Gateway.Archive.Storage;
using Microsoft.Data.Sqlite;

namespace Gateway.Archive;

public sealed partial class ArchiveStore
{
    /// <summary>
    /// Crash recovery at open (under the archive lock, before any store): removes temporary files and object files no row
    /// references, reports rows whose object is missing, releases leases of the previous run, removes key files no row uses.
    /// </summary>
    private ArchiveOpenReport Reconcile(bool created)
    {
        int temps = 0;
        int unknown = 0;
        foreach (string path in Directory.EnumerateFileSystemEntries(_options.TempDirectory))
        {
            if (File.Exists(path))
            {
                File.Delete(path);
                temps++;
            }
            else
            {
                unknown++;
                ArchiveMessages.UnknownFile(_logger, path);
            }
        }

        if (temps > 0)
        {
            FileSync.FlushDirectory(_options.TempDirectory);
        }

        int orphans = 0;
        var missing = new List<string>();
        using (SqliteConnection reader = _db.OpenReader())
        {
            foreach (string entry in Directory.EnumerateFileSystemEntries(_options.ObjectsDirectory).Order(StringComparer.Ordinal))
            {
                string prefix = Path.GetFileName(entry);
                if (!Directory.Exists(entry) || !FanOutName().IsMatch(prefix))
                {
                    unknown++;
                    ArchiveMessages.UnknownFile(_logger, entry);
                    continue;
                }

                _objectDirectories[entry] = true;
                (int o, int u) = ReconcileDirectory(reader, entry, prefix, missing);
                orphans += o;
                unknown += u;
            }

            // Rows whose fan-out directory is gone altogether.
            using SqliteCommand command = ArchiveDatabase.Command(reader, null, "SELECT object_name, sop_instance_uid FROM instances WHERE object_name IS NOT NULL");
            using SqliteDataReader r = command.ExecuteReader();
            while (r.Read())
            {
                string name = r.GetString(0);
                if (!Directory.Exists(Path.Combine(_options.ObjectsDirectory, name[..2])))
                {
                    missing.Add(name);
                    ArchiveMessages.MissingObject(_logger, name, r.GetString(1));
                }
            }
        }

        long now = NowMs();
        int leases = _db.WithWriter(c => ArchiveDatabase.Execute(c, "UPDATE outbox SET state = 0, next_attempt_at = $p0, lease_token = NULL WHERE state = 1", null, now));

        List<int> retired = RetireUnusedKeyFiles();
        ArchiveKeyStatus status = GetKeyStatus();
        var missingKeys = new List<int>();
        foreach (KeyVersionStatus v in status.Versions.Where(v => v.InUse && !_keys.Ring.Has(v.Version)))
        {
            missingKeys.Add(v.Version);
            ArchiveMessages.MissingKeyVersion(_logger, v.Version, v.DataKeys);
        }

        var report = new ArchiveOpenReport
        {
            Created = created,
            TempFilesRemoved = temps,
            OrphanObjectsRemoved = orphans,
            MissingObjects = missing,
            LeasesReleased = leases,
            RetiredKeyVersions = retired,
            MissingKeyVersions = missingKeys,
            UnknownFiles = unknown,
        };
        if (report.RepairedAnything)
        {
            ArchiveMessages.Reconciled(_logger, temps, orphans, leases, retired.Count);
        }

        return report;
    }

    private (int Orphans, int Unknown) ReconcileDirectory(SqliteConnection reader, string directory, string prefix, List<string> missing)
    {
        // One fan-out directory at a time: memory is bounded by its share of the objects, not by the whole archive.
        var referenced = new Dictionary<string, string>(StringComparer.Ordinal);
        using (SqliteCommand command = ArchiveDatabase.Command(
            reader,
            null,
            "SELECT object_name, sop_instance_uid FROM instances WHERE object_name >= $p0 AND object_name < $p1",
            prefix,
            prefix[..1] + (char)(prefix[1] + 1)))
        using (SqliteDataReader r = command.ExecuteReader())
        {
            while (r.Read())
            {
                referenced[r.GetString(0)] = r.GetString(1);
            }
        }

        int orphans = 0;
        int unknown = 0;
        var present = new HashSet<string>(StringComparer.Ordinal);
        bool changed = false;
        foreach (string path in Directory.GetFileSystemEntries(directory))
        {
            string file = Path.GetFileName(path);
            Match slot = SlotFileName().Match(file);
            if (slot.Success && File.Exists(path) && file.StartsWith(prefix, StringComparison.Ordinal))
            {
                // A slot: unused (delete), or written and committed while its rename was lost in a crash (roll forward).
                string slotName = slot.Groups[1].Value;
                string final = Path.Combine(directory, slotName + ".obj");
                if (referenced.ContainsKey(slotName) && !File.Exists(final))
                {
                    File.Move(path, final);
                    present.Add(slotName);
                    ArchiveMessages.RolledForward(_logger, slotName);
                }
                else
                {
                    File.Delete(path);
                }

                changed = true;
                continue;
            }

            Match m = ObjectFileName().Match(file);
            if (!m.Success || !File.Exists(path) || !file.StartsWith(prefix, StringComparison.Ordinal))
            {
                unknown++;
                ArchiveMessages.UnknownFile(_logger, path);
                continue;
            }

            string name = m.Groups[1].Value;
            if (referenced.ContainsKey(name))
            {
                present.Add(name);
                continue;
            }

            // Written and renamed, but its transaction never committed (or a purge committed and the delete was lost).
            File.Delete(path);
            orphans++;
        }

        if (orphans > 0 || changed)
        {
            FileSync.FlushDirectory(directory);
        }

        foreach ((string name, string uid) in referenced)
        {
            if (!present.Contains(name))
            {
                missing.Add(name);
                ArchiveMessages.MissingObject(_logger, name, uid);
            }
        }

        return (orphans, unknown);
    }

    [GeneratedRegex("^[0-9a-f]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex FanOutName();

    [GeneratedRegex("^([0-9a-f]{32})\\.obj$", RegexOptions.CultureInvariant)]
    private static partial Regex ObjectFileName();

    [GeneratedRegex("^([0-9a-f]{32})\\.slot$", RegexOptions.CultureInvariant)]
    private static partial Regex SlotFileName();
}
