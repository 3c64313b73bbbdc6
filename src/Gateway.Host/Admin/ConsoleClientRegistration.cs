using Gateway.Identity;
using Gateway.Identity.Clients;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Admin;

/// <summary>
/// Registers the console as a public OAuth2 client (authorization code with PKCE) on the gateway's own OIDC server at
/// start, with the one redirect URI under the issuer's address; re-registers it when that address changed.
/// </summary>
internal sealed partial class ConsoleClientRegistration(IOptions<AdminOptions> options, GatewayIdentityOptions identity, IServiceScopeFactory scopes, ILogger<ConsoleClientRegistration> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        AdminOptions admin = options.Value;
        if (admin.Authority is not null || !identity.EnableLocalServer || identity.Issuer is null)
        {
            return;
        }

        var redirect = new Uri(identity.Issuer, AdminConsole.PathBase.TrimStart('/') + "/signin-oidc");
        await using AsyncServiceScope scope = scopes.CreateAsyncScope();
        ClientRegistry clients = scope.ServiceProvider.GetRequiredService<ClientRegistry>();
        ClientInfo? existing = await clients.FindAsync(admin.ClientId, cancellationToken).ConfigureAwait(false);
        if (existing is { Kind: ClientKind.Interactive, Confidential: false } && existing.RedirectUris.SequenceEqual([redirect]))
        {
            return;
        }

        if (existing is not null)
        {
            await clients.RemoveAsync(admin.ClientId, cancellationToken).ConfigureAwait(false);
        }

        await clients.AddAsync(
            new ClientRegistration
            {
                ClientId = admin.ClientId,
                Kind = ClientKind.Interactive,
                Confidential = false,
                RedirectUris = [redirect],
                DisplayName = "Gateway admin console",
            },
            cancellationToken).ConfigureAwait(false);
        LogRegistered(logger, admin.ClientId, redirect);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 2601, Level = LogLevel.Information, Message = "Admin console registered as OAuth2 client {ClientId} with redirect URI {Redirect}")]
    private static partial void LogRegistered(ILogger logger, string clientId, Uri redirect);
}
