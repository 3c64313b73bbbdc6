using Microsoft.Data.Sqlite;

namespace Gateway.Archive;

/// <summary>
/// The archive's files as a backup sees them: where the index and the objects live under a data directory, and which
/// object files an index (a live one, or a copy made with SQLite's online backup) references.
/// </summary>
/// <remarks>Reading an index copy needs no key: object names and study UIDs are in the clear, patient data is not.</remarks>
public static class ArchiveFiles
{
    /// <summary>The index, relative to the data directory (forward slashes).</summary>
    public const string IndexPath = "archive/index.db";

    /// <summary>The directory of the objects, relative to the data directory.</summary>
    public const string ObjectsPath = "archive/objects";

    /// <summary>
    /// The directory of the rewrap journals of key rotations (<c>kek-N.journal</c>), relative to the data directory: what
    /// keeps objects readable without their index rows once a rotation retired the key version in their headers.
    /// </summary>
    public const string RewrapJournalPath = "archive/" + Keys.RewrapJournal.DirectoryName;

    /// <summary>The rewrap journal files under <paramref name="dataDirectory"/>, relative to it (forward slashes), in ordinal order.</summary>
    public static IReadOnlyList<string> ListRewrapJournals(string dataDirectory)
    {
        string directory = Path.Combine(dataDirectory, RewrapJournalPath);
        return Directory.Exists(directory)
            ? [.. Directory.GetFiles(directory, "kek-*.journal").Select(f => RewrapJournalPath + "/" + Path.GetFileName(f)).Order(StringComparer.Ordinal)]
            : [];
    }

    /// <summary>
    /// The object files <paramref name="indexFile"/> references (indexed instances and conflict copies; purged ones have
    /// none), relative to the data directory, in ordinal order.
    /// </summary>
    /// <exception cref="SqliteException">The file is not an archive index.</exception>
    public static IReadOnlyList<string> ListObjects(string indexFile) =>
        Query(indexFile, "SELECT object_name FROM instances WHERE object_name IS NOT NULL ORDER BY object_name");

    /// <summary>The object files of one study (every instance of every series, conflict copies included), as <see cref="ListObjects"/>.</summary>
    /// <exception cref="SqliteException">The file is not an archive index.</exception>
    public static IReadOnlyList<string> ListStudyObjects(string indexFile, string studyInstanceUid)
    {
        ArgumentException.ThrowIfNullOrEmpty(studyInstanceUid);
        return Query(
            indexFile,
            "SELECT i.object_name FROM instances i JOIN series s ON s.id = i.series_id JOIN studies t ON t.id = s.study_id " +
            "WHERE t.study_uid = $p0 AND i.object_name IS NOT NULL ORDER BY i.object_name",
            studyInstanceUid);
    }

    /// <summary>The path of an object file relative to the data directory, from its name.</summary>
    public static string ObjectRelativePath(string objectName) => $"{ObjectsPath}/{objectName[..2]}/{objectName}.obj";

    private static List<string> Query(string indexFile, string sql, params object[] parameters)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = indexFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        using SqliteCommand command = Index.ArchiveDatabase.Command(connection, null, sql, parameters);
        using SqliteDataReader r = command.ExecuteReader();
        var paths = new List<string>();
        while (r.Read())
        {
            string name = r.GetString(0);
            if (name.Length != 32 || !name.All(char.IsAsciiHexDigitLower))
            {
                throw new Index.ArchiveIndexException("the archive index names an object file that is not 32 lowercase hex digits");
            }

            paths.Add(ObjectRelativePath(name));
        }

        return paths;
    }
}
