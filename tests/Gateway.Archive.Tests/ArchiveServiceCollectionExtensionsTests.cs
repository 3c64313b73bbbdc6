using Gateway.Archive.Outbox;
using Gateway.Archive.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Archive.Tests;

public sealed class ArchiveServiceCollectionExtensionsTests : IDisposable
{
    private readonly ArchiveHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task AddArchive_OneStoreServesEveryRole_UsesTheRegisteredClock_AndTheContainerReleasesIt()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_h.Time);
        services.AddArchive(_h.Options());
        var instance = new TestInstance();

        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            var archive = provider.GetRequiredService<IInstanceArchive>();
            Assert.Same(provider.GetRequiredService<ArchiveStore>(), archive);
            Assert.Same(provider.GetRequiredService<ArchiveStore>().Outbox, provider.GetRequiredService<ArchiveOutbox>());
            await archive.StoreAsync(instance.Request("PACS"), instance.Open(), CancellationToken.None);
            OutboxLease? lease = await provider.GetRequiredService<ArchiveOutbox>().LeaseAsync("PACS", TimeSpan.FromMinutes(1), CancellationToken.None);
            Assert.Equal(_h.Time.Now, lease?.EnqueuedAt);
        }

        using ArchiveStore reopened = _h.Open();
        Assert.Equal(instance.ToArray(), await ArchiveHarness.ReadAllAsync(await reopened.OpenDataSetAsync(instance.SopUid, CancellationToken.None)));
    }
}
