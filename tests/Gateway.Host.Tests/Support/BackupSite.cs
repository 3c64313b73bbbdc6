using Gateway.Archive;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Backup;
using Microsoft.Extensions.DependencyInjection;
using ArchiveTestInstance = Gateway.Archive.Tests.Support.TestInstance;
using TestUids = Gateway.Archive.Tests.Support.TestUids;

namespace Gateway.Host.Tests.Support;

/// <summary>
/// A running gateway with backups configured: its data directory, a repository and a scratch directory beside it (not in
/// it), all in one temporary directory that is removed, immutable attributes cleared first, on dispose.
/// </summary>
internal sealed class BackupSite : IAsyncDisposable
{
    private readonly TempDirectory _temp = new();

    private BackupSite()
    {
    }

    public GatewayProcess Gateway { get; private set; } = null!;

    public string Root => Path.Combine(_temp.Path, "gateway");

    public string Repository => Path.Combine(_temp.Path, "repo");

    public string Scratch => Path.Combine(_temp.Path, "scratch");

    public string AuditDirectory => Path.Combine(Root, "data", "audit");

    public GatewayBackups Backups => Gateway.Services.GetRequiredService<GatewayBackups>();

    public ArchiveStore Archive => Gateway.Services.GetRequiredService<ArchiveStore>();

    /// <summary>The settings of a site in <paramref name="temp"/> (repository and scratch beside the gateway's root) with <paramref name="extra"/> on top.</summary>
    public static Dictionary<string, string?> Settings(string temp, IDictionary<string, string?>? extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Backup:Repository"] = Path.Combine(temp, "repo"),
            ["Gateway:Backup:ScratchDirectory"] = Path.Combine(temp, "scratch"),
        };
        foreach ((string key, string? value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    public static async Task<BackupSite> StartAsync(IDictionary<string, string?>? extra = null)
    {
        var site = new BackupSite();
        site.Gateway = await GatewayProcess.StartAsync(site.Root, Settings(site._temp.Path, extra));
        return site;
    }

    /// <summary>Stores <paramref name="count"/> instances of one new study into the running archive; returns them.</summary>
    public async Task<IReadOnlyList<ArchiveTestInstance>> StoreStudyAsync(int count)
    {
        string study = TestUids.New();
        string series = TestUids.New();
        var instances = new List<ArchiveTestInstance>();
        for (int i = 0; i < count; i++)
        {
            var instance = new ArchiveTestInstance { StudyUid = study, SeriesUid = series, InstanceNumber = i + 1, PixelBytes = 8_000, Seed = Random.Shared.Next() };
            await Archive.StoreAsync(instance.Request(), instance.Open(), CancellationToken.None);
            instances.Add(instance);
        }

        return instances;
    }

    /// <summary>The bytes the archive returns for an instance, or null when it holds none.</summary>
    public async Task<byte[]?> ReadAsync(string sopInstanceUid)
    {
        ArchivedInstance? stored = await Archive.OpenDataSetAsync(sopInstanceUid, CancellationToken.None);
        if (stored is null)
        {
            return null;
        }

        await using (stored)
        {
            using var buffer = new MemoryStream();
            await stored.Stream.CopyToAsync(buffer);
            return buffer.ToArray();
        }
    }

    /// <summary>Stops the gateway (idempotent), so that its audit log can be searched.</summary>
    public async Task StopAsync()
    {
        if (Gateway is { } gateway)
        {
            Gateway = null!;
            await gateway.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        ImmutableTree.Clear(Repository);
        _temp.Dispose();
    }
}
