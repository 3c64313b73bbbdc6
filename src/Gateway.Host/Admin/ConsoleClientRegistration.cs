using Gateway.Identity;
using Gateway.Identity.Clients;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Admin;

/// <summary>
/// Registers the console as a public OAuth2 client (authorization code with PKCE) on the gateway's own OIDC server after
/// start, with the one redirect URI under the issuer's address; re-registers it when that address changed.
/// </summary>
/// <remarks>
/// In the background and never fatal: the console is a convenience beside the DIMSE legs, so an identity store that
/// cannot be written (a full volume, seen in a fault test) delays the console's sign-in, retried every
/// <see cref="RetryDelay"/>, and never stops the gateway from starting.
/// </remarks>
internal sealed partial class ConsoleClientRegistration(IOptions<AdminOptions> options, GatewayIdentityOptions identity, IServiceScopeFactory scopes, ILogger<ConsoleClientRegistration> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RegisterAsync(stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, ex, RetryDelay.TotalSeconds);
            }

            await Task.Delay(RetryDelay, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task RegisterAsync(CancellationToken cancellationToken)
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

    [LoggerMessage(EventId = 2631, Level = LogLevel.Information, Message = "Admin console registered as OAuth2 client {ClientId} with redirect URI {Redirect}")]
    private static partial void LogRegistered(ILogger logger, string clientId, Uri redirect);

    [LoggerMessage(EventId = 2632, Level = LogLevel.Error, Message = "Admin console: its OAuth2 client could not be registered, sign-in will fail until it is; trying again in {Seconds} s")]
    private static partial void LogFailed(ILogger logger, Exception exception, double seconds);
}
