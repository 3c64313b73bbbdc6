using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Policy;

/// <summary>Registers the policy store and the rate limiter.</summary>
public static class PolicyServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="PolicyStore"/> loaded from <see cref="PolicyOptions.Directory"/> when first resolved
    /// (resolve it at start-up: an invalid policy throws <see cref="PolicyLoadException"/> and the host must not start),
    /// and a singleton <see cref="PolicyRateLimiter"/>. Both use the registered <see cref="TimeProvider"/>, or the system clock.
    /// </summary>
    public static IServiceCollection AddGatewayPolicy(this IServiceCollection services, PolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(provider =>
        {
            var store = new PolicyStore(options.Directory, provider.GetRequiredService<TimeProvider>(), options.Limits);
            store.LoadOrThrow();
            return store;
        });
        services.AddSingleton(provider => new PolicyRateLimiter(provider.GetRequiredService<TimeProvider>()));
        return services;
    }
}
