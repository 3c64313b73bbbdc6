using Gateway.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Backup;

/// <summary>Registers backups inside the host.</summary>
public static class BackupServiceCollectionExtensions
{
    /// <summary>
    /// Adds the start-up check of <c>Gateway:Backup</c> (<see cref="BackupOptionsValidation"/>), the
    /// <see cref="GatewayBackups"/> singleton (also when backups are off: it says so) and the <see cref="BackupScheduler"/>.
    /// </summary>
    public static IServiceCollection AddGatewayBackups(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IValidateOptions<GatewayOptions>, BackupOptionsValidation>();
        services.AddSingleton<GatewayBackups>();
        services.AddSingleton<BackupScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<BackupScheduler>());
        return services;
    }
}
