using Gateway.Identity.Accounts;
using Gateway.Identity.Clients;
using Gateway.Identity.Keys;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Identity;

/// <summary>
/// The identity's data directory for offline administration (<c>gatewayctl identity ...</c>): accounts, clients and
/// signing keys, through the same stores the server uses. Works beside a running gateway (SQLite locking; the server
/// picks up a rotated key by itself).
/// </summary>
public sealed class IdentityAdmin : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly IdentityPaths _paths;
    private readonly GatewayIdentityOptions _options;

    private IdentityAdmin(ServiceProvider provider, IdentityPaths paths, GatewayIdentityOptions options)
    {
        _provider = provider;
        _paths = paths;
        _options = options;
    }

    /// <summary>The local accounts.</summary>
    public UserAccounts Users => _provider.GetRequiredService<UserAccounts>();

    /// <summary>Opens DATA/identity under <paramref name="dataDirectory"/>, creating the database when missing.</summary>
    public static IdentityAdmin Open(string dataDirectory, GatewayIdentityOptions? options = null, TimeProvider? time = null)
    {
        options ??= new GatewayIdentityOptions { EnableLocalServer = false };
        IdentityPaths paths = IdentityPaths.ForDataDirectory(dataDirectory);
        var services = new ServiceCollection();
        services.AddLogging();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        IdentityServiceCollectionExtensions.AddStores(services, options, paths);
        return new IdentityAdmin(services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true }), paths, options);
    }

    /// <summary>Runs <paramref name="action"/> with the client registry (in its own scope).</summary>
    public async Task<T> WithClientsAsync<T>(Func<ClientRegistry, Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        await using AsyncServiceScope scope = _provider.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ClientRegistry>()).ConfigureAwait(false);
    }

    /// <summary>Opens the signing keys (creating them on first use).</summary>
    public SigningKeyRing OpenKeys() =>
        SigningKeyRing.Open(_paths.KeyDirectory, _options.SigningKeySize, _provider.GetRequiredService<TimeProvider>(), _options.KeyRefreshInterval);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
