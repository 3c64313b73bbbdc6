using Gateway.Archive.Index;
using Microsoft.Data.Sqlite;

namespace Gateway.Archive.Keys;

/// <summary>Reads <see cref="ArchiveKeyStatus"/> from the index and the key directory (or secret) without unwrapping anything.</summary>
internal static class KeyStatusReader
{
    public static ArchiveKeyStatus Read(ArchiveOptions options, SqliteConnection reader)
    {
        string directory = options.ResolvedKeyDirectory;
        var available = new SortedSet<int>();
        bool fromSecret = options.KekSecret is not null;
        if (fromSecret)
        {
            using KeyRing ring = KeyRing.FromSecret(options.KekSecret!);
            available.UnionWith(ring.Versions);
        }
        else
        {
            available.UnionWith(KeyRing.ListFileVersions(directory));
        }

        var dataKeys = new Dictionary<int, long>();
        using (SqliteCommand command = ArchiveDatabase.Command(reader, null, "SELECT kek_version, COUNT(*) FROM instances WHERE wrapped_key IS NOT NULL GROUP BY kek_version"))
        using (SqliteDataReader r = command.ExecuteReader())
        {
            while (r.Read())
            {
                dataKeys[r.GetInt32(0)] = r.GetInt64(1);
            }
        }

        int? attributeVersion = ArchiveDatabase.Scalar(reader, "SELECT kek_version FROM key_wraps WHERE purpose = 'attributes'") is long v ? (int)v : null;
        var versions = new SortedSet<int>(available);
        versions.UnionWith(dataKeys.Keys);
        if (attributeVersion is { } a)
        {
            versions.Add(a);
        }

        var list = new List<KeyVersionStatus>();
        foreach (int version in versions)
        {
            string path = Path.Combine(directory, KeyRing.FileName(version));
            list.Add(new KeyVersionStatus
            {
                Version = version,
                Available = available.Contains(version),
                DataKeys = dataKeys.GetValueOrDefault(version),
                WrapsAttributeKey = attributeVersion == version,
                FileMode = !fromSecret && !OperatingSystem.IsWindows() && File.Exists(path) ? File.GetUnixFileMode(path) : null,
            });
        }

        return new ArchiveKeyStatus
        {
            Source = fromSecret ? "secret" : "files",
            KeyDirectory = directory,
            CurrentVersion = available.Count > 0 ? available.Max : 0,
            Versions = list,
            IndexKeyAvailable = options.IndexKeySecret is not null || File.Exists(Path.Combine(directory, ArchiveKeys.IndexKeyFileName)),
            DirectoryMode = !OperatingSystem.IsWindows() && Directory.Exists(directory) ? File.GetUnixFileMode(directory) : null,
        };
    }
}
