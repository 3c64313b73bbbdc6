using Gateway.Archive.Outbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Archive;

/// <summary>Registers the archive.</summary>
public static class ArchiveServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="ArchiveStore"/> (also as <see cref="IInstanceArchive"/>) and its <see cref="ArchiveOutbox"/>,
    /// opened on first use with the registered <see cref="TimeProvider"/> (or the system clock) and logger; the container
    /// disposes it.
    /// </summary>
    public static IServiceCollection AddArchive(this IServiceCollection services, ArchiveOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(provider => ArchiveStore.Open(
            options,
            provider.GetService<TimeProvider>(),
            provider.GetService<ILoggerFactory>()?.CreateLogger("Gateway.Archive")));
        services.AddSingleton<IInstanceArchive>(provider => provider.GetRequiredService<ArchiveStore>());
        services.AddSingleton(provider => provider.GetRequiredService<ArchiveStore>().Outbox);
        return services;
    }
}
