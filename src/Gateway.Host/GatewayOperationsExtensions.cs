using Gateway.Host.Archive;
using Gateway.Host.Audit;
using Gateway.Host.Configuration;
using Gateway.Host.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Host;

/// <summary>Registers what runs beside the DIMSE legs: audit forwarding, queue figures, scheduled retention.</summary>
public static class GatewayOperationsExtensions
{
    /// <summary>
    /// Adds audit syslog forwarding (<see cref="SyslogForwardingOptions"/>, only when a host is configured, with its
    /// readiness check), the queue figures of every destination (<see cref="QueueMetricsOptions"/>) and scheduled
    /// retention (<see cref="RetentionOptions"/>).
    /// </summary>
    public static IServiceCollection AddGatewayOperations(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SyslogForwardingOptions>().Bind(configuration.GetSection(SyslogForwardingOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<QueueMetricsOptions>().Bind(configuration.GetSection(QueueMetricsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        if (configuration.GetSection(SyslogForwardingOptions.Section).Get<SyslogForwardingOptions>() is { Enabled: true })
        {
            services.AddSingleton<AuditSyslogService>();
            services.AddHostedService(sp => sp.GetRequiredService<AuditSyslogService>());
            services.AddHealthChecks().AddCheck<AuditSyslogHealthCheck>("audit-forwarding", HealthStatus.Degraded, tags: ["ready"]);
        }

        services.AddSingleton<QueueFigures>();
        services.AddHostedService(sp => sp.GetRequiredService<QueueFigures>());
        services.AddSingleton<RetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());
        return services;
    }
}
