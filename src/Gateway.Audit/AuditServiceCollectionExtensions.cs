using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Audit;

/// <summary>Registers the audit log.</summary>
public static class AuditServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="AuditLog"/> (also as <see cref="IAuditLog"/>), opened on first use with the registered
    /// <see cref="TimeProvider"/> (or the system clock) and logger. The container disposes it, which signs the final checkpoint.
    /// </summary>
    public static IServiceCollection AddAuditLog(this IServiceCollection services, AuditLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(provider => AuditLog.Open(
            options,
            provider.GetService<TimeProvider>(),
            provider.GetService<ILoggerFactory>()?.CreateLogger("Gateway.Audit")));
        services.AddSingleton<IAuditLog>(provider => provider.GetRequiredService<AuditLog>());
        return services;
    }
}
