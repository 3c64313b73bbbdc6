using Gateway.Archive;
using Gateway.Archive.Tests.Support;
using Gateway.Audit;
using Gateway.Backup.Storage;

namespace Gateway.Backup.Tests.Support;

/// <summary>
/// A gateway data directory with a small archive and an audit log, and a backup repository beside it; every directory is
/// removed on dispose (immutable attributes cleared first).
/// </summary>
internal sealed class BackupHarness : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "gw-backup-" + Guid.NewGuid().ToString("N")[..12]);

    public BackupHarness()
    {
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(PolicyDirectory);
        File.WriteAllText(Path.Combine(PolicyDirectory, "site.yaml"), "flows: []\n");
    }

    public string DataDirectory => Path.Combine(_root, "data");

    public string RepositoryDirectory => Path.Combine(_root, "repo");

    public string PolicyDirectory => Path.Combine(_root, "policies");

    public string KeyDirectory => Path.Combine(DataDirectory, "keys");

    public List<TestInstance> Instances { get; } = [];

    public AuditLog? Audit { get; private set; }

    public string Scratch(string name) => Path.Combine(_root, name);

    public ArchiveOptions ArchiveOptions(string? data = null) => new() { DataDirectory = data ?? DataDirectory, MinimumFreeBytes = 0 };

    /// <summary>Stores <paramref name="count"/> instances in <paramref name="studies"/> studies, and opens the audit log.</summary>
    public async Task<BackupHarness> PopulateAsync(int count, int studies = 2, long pixelBytes = 20_000)
    {
        string[] studyUids = [.. Enumerable.Range(0, studies).Select(_ => TestUids.New())];
        await using (ArchiveStore store = ArchiveStore.Open(ArchiveOptions()))
        {
            for (int i = 0; i < count; i++)
            {
                var instance = new TestInstance { StudyUid = studyUids[i % studies], InstanceNumber = i + 1, PixelBytes = pixelBytes, Seed = i + 1 };
                await store.StoreAsync(instance.Request(), instance.Open(), CancellationToken.None);
                Instances.Add(instance);
            }
        }

        Audit = await AuditLog.OpenAsync(new AuditLogOptions { Directory = Path.Combine(DataDirectory, "audit"), Origin = "test.local/audit" });
        return this;
    }

    public BackupRepository Repository() => BackupRepository.Open(RepositoryDirectory, create: true);

    public Task<SnapshotResult> SnapshotAsync(TimeProvider? time = null, TimeSpan? retention = null) =>
        new SnapshotWriter(
            Repository(),
            new SnapshotOptions { DataDirectory = DataDirectory, PolicyDirectory = PolicyDirectory, SourceId = "test", Retention = retention ?? TimeSpan.FromDays(7) },
            Audit!,
            time).CreateAsync(null, CancellationToken.None);

    public Gateway.Audit.Checkpoints.NoteVerifier Verifier() =>
        BackupSigningKey.ReadPublic(Path.Combine(BackupSigningKey.DirectoryOf(DataDirectory), BackupSigningKey.PublicFileName));

    public IReadOnlyList<string> ObjectFiles() =>
        [.. Directory.GetFiles(Path.Combine(DataDirectory, "archive", "objects"), "*.obj", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

    public static async Task<byte[]> ReadAllAsync(ArchivedInstance? instance)
    {
        Assert.NotNull(instance);
        await using (instance)
        {
            using var buffer = new MemoryStream();
            await instance.Stream.CopyToAsync(buffer);
            return buffer.ToArray();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Audit is not null)
        {
            await Audit.DisposeAsync();
        }

        foreach (string entry in Directory.EnumerateFileSystemEntries(_root, "*", SearchOption.AllDirectories).Reverse())
        {
            ImmutableFiles.Unseal(entry);
        }

        Directory.Delete(_root, recursive: true);
    }
}
