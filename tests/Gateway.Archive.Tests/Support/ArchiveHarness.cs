using Gateway.Archive.Index;
using Microsoft.Data.Sqlite;

namespace Gateway.Archive.Tests.Support;

/// <summary>A temp data directory, a manual clock, a log, and helpers to open, fill and inspect an archive.</summary>
internal sealed class ArchiveHarness : IDisposable
{
    private readonly TempDirectory _directory = new();

    public string DataDirectory => _directory.Path;

    public ManualTimeProvider Time { get; } = new();

    public ListLogger Logger { get; } = new();

    public ArchiveOptions Options(Func<ArchiveOptions, ArchiveOptions>? configure = null)
    {
        var options = new ArchiveOptions { DataDirectory = DataDirectory, MinimumFreeBytes = 0 };
        return configure is null ? options : configure(options);
    }

    public ArchiveStore Open(Func<ArchiveOptions, ArchiveOptions>? configure = null) => ArchiveStore.Open(Options(configure), Time, Logger);

    public string ObjectsDirectory => Path.Combine(DataDirectory, "archive", "objects");

    public string TempDirectory => Path.Combine(DataDirectory, "archive", "tmp");

    public string KeyDirectory => Path.Combine(DataDirectory, "keys");

    public IReadOnlyList<string> ObjectFiles() =>
        Directory.Exists(ObjectsDirectory) ? [.. Directory.EnumerateFiles(ObjectsDirectory, "*.obj", SearchOption.AllDirectories).Order(StringComparer.Ordinal)] : [];

    /// <summary>Object slots that hold bytes: an instance being written (or one whose store failed and left it behind).</summary>
    public IReadOnlyList<string> WrittenSlots() =>
        Directory.Exists(ObjectsDirectory) ? [.. Directory.EnumerateFiles(ObjectsDirectory, "*.slot", SearchOption.AllDirectories).Where(f => new FileInfo(f).Length > 0).Order(StringComparer.Ordinal)] : [];

    /// <summary>All object slots, empty (made ahead of need) or written.</summary>
    public IReadOnlyList<string> Slots() =>
        Directory.Exists(ObjectsDirectory) ? [.. Directory.EnumerateFiles(ObjectsDirectory, "*.slot", SearchOption.AllDirectories).Order(StringComparer.Ordinal)] : [];

    /// <summary>The object file of an instance, from the index.</summary>
    public string ObjectFileOf(string sopInstanceUid, bool conflict = false)
    {
        string name = (string)Query("SELECT object_name FROM instances WHERE sop_instance_uid = $p0 AND conflict = $p1", sopInstanceUid, conflict ? 1 : 0)!;
        return Path.Combine(ObjectsDirectory, name[..2], name + ".obj");
    }

    /// <summary>A scalar from the index, through a separate connection.</summary>
    public object? Query(string sql, params object?[] parameters)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "archive", "index.db")};Pooling=False");
        connection.Open();
        return ArchiveDatabase.Scalar(connection, sql, null, parameters);
    }

    /// <summary>Runs a statement on the index, through a separate connection (to simulate tampering or old states).</summary>
    public int Execute(string sql, params object?[] parameters)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "archive", "index.db")};Pooling=False");
        connection.Open();
        return ArchiveDatabase.Execute(connection, sql, null, parameters);
    }

    public static async Task<byte[]> ReadAllAsync(ArchivedInstance? instance)
    {
        Assert.NotNull(instance);
        await using (instance)
        {
            var m = new MemoryStream();
            await instance.Stream.CopyToAsync(m);
            return m.ToArray();
        }
    }

    public void Dispose() => _directory.Dispose();
}
