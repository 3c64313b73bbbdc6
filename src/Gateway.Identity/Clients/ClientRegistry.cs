using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Gateway.Identity.Clients;

/// <summary>
/// The client applications, kept by OpenIddict's application store (secrets hashed by OpenIddict, never stored in
/// clear). The policy roles a client's tokens carry are kept in the application's properties.
/// </summary>
/// <remarks>A scoped service: it uses OpenIddict's scoped application manager.</remarks>
public sealed class ClientRegistry(IOpenIddictApplicationManager applications)
{
    /// <summary>The application property that holds the client's policy roles (a JSON array of strings).</summary>
    public const string RolesProperty = "gateway_roles";

    /// <summary>The scope that asks for role claims.</summary>
    public const string RolesScope = Scopes.Roles;

    /// <summary>Registers a client. Returns its new secret (shown once) for a confidential client, else null.</summary>
    /// <exception cref="ArgumentException">An invalid id, role or redirect URI, or a service client that is not confidential.</exception>
    /// <exception cref="InvalidOperationException">The client id is taken.</exception>
    public async Task<string?> AddAsync(ClientRegistration registration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registration);
        Check(registration);
        if (await applications.FindByClientIdAsync(registration.ClientId, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new InvalidOperationException($"client {registration.ClientId} exists already");
        }

        string? secret = registration.Confidential ? NewSecret() : null;
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = registration.ClientId,
            ClientSecret = secret,
            ClientType = registration.Confidential ? ClientTypes.Confidential : ClientTypes.Public,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = registration.DisplayName,
        };
        descriptor.Permissions.Add(Permissions.Endpoints.Token);
        if (registration.Kind == ClientKind.Service)
        {
            descriptor.Permissions.Add(Permissions.GrantTypes.ClientCredentials);
        }
        else
        {
            descriptor.Permissions.Add(Permissions.Endpoints.Authorization);
            descriptor.Permissions.Add(Permissions.Endpoints.EndSession);
            descriptor.Permissions.Add(Permissions.GrantTypes.AuthorizationCode);
            descriptor.Permissions.Add(Permissions.ResponseTypes.Code);
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
            foreach (Uri uri in registration.RedirectUris)
            {
                descriptor.RedirectUris.Add(uri);
            }
        }

        descriptor.Permissions.Add(Permissions.Scopes.Roles);
        descriptor.Properties[RolesProperty] = JsonSerializer.SerializeToElement(registration.Roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(), IdentityJsonContext.Default.StringArray);
        await applications.CreateAsync(descriptor, cancellationToken).ConfigureAwait(false);
        return secret;
    }

    /// <summary>Every client, ordered by id.</summary>
    public async Task<IReadOnlyList<ClientInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var clients = new List<ClientInfo>();
        await foreach (object application in applications.ListAsync(count: null, offset: null, cancellationToken).ConfigureAwait(false))
        {
            clients.Add(await DescribeAsync(application, cancellationToken).ConfigureAwait(false));
        }

        return [.. clients.OrderBy(c => c.ClientId, StringComparer.Ordinal)];
    }

    /// <summary>The client with this id, or null.</summary>
    public async Task<ClientInfo?> FindAsync(string clientId, CancellationToken cancellationToken = default)
    {
        if (!IdentityNames.IsValidId(clientId))
        {
            return null;
        }

        object? application = await applications.FindByClientIdAsync(clientId, cancellationToken).ConfigureAwait(false);
        return application is null ? null : await DescribeAsync(application, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a client; tokens already issued to it expire on their own.</summary>
    /// <returns>False when there is no such client.</returns>
    public async Task<bool> RemoveAsync(string clientId, CancellationToken cancellationToken = default)
    {
        object? application = await applications.FindByClientIdAsync(clientId, cancellationToken).ConfigureAwait(false);
        if (application is null)
        {
            return false;
        }

        await applications.DeleteAsync(application, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Replaces a confidential client's secret; returns the new one (shown once), or null when there is no such client.</summary>
    /// <exception cref="InvalidOperationException">The client is public (it has no secret).</exception>
    public async Task<string?> RotateSecretAsync(string clientId, CancellationToken cancellationToken = default)
    {
        object? application = await applications.FindByClientIdAsync(clientId, cancellationToken).ConfigureAwait(false);
        if (application is null)
        {
            return null;
        }

        if (!await applications.HasClientTypeAsync(application, ClientTypes.Confidential, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"client {clientId} is public: it has no secret");
        }

        string secret = NewSecret();
        await applications.UpdateAsync(application, secret, cancellationToken).ConfigureAwait(false);
        return secret;
    }

    /// <summary>Whether <paramref name="secret"/> is the secret of the confidential client <paramref name="clientId"/> (DIMSE username+passcode).</summary>
    public async Task<bool> ValidateSecretAsync(string clientId, string secret, CancellationToken cancellationToken = default)
    {
        if (!IdentityNames.IsValidId(clientId) || string.IsNullOrEmpty(secret) || secret.Length > 256)
        {
            return false;
        }

        object? application = await applications.FindByClientIdAsync(clientId, cancellationToken).ConfigureAwait(false);
        return application is not null
            && await applications.HasClientTypeAsync(application, ClientTypes.Confidential, cancellationToken).ConfigureAwait(false)
            && await applications.ValidateClientSecretAsync(application, secret, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The policy roles of an application object OpenIddict resolved.</summary>
    public async Task<IReadOnlyList<string>> GetRolesAsync(object application, CancellationToken cancellationToken = default)
    {
        ImmutableDictionary<string, JsonElement> properties = await applications.GetPropertiesAsync(application, cancellationToken).ConfigureAwait(false);
        if (!properties.TryGetValue(RolesProperty, out JsonElement roles) || roles.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return [.. roles.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!).Where(IdentityNames.IsValidRole)];
    }

    private async Task<ClientInfo> DescribeAsync(object application, CancellationToken cancellationToken)
    {
        ImmutableArray<string> permissions = await applications.GetPermissionsAsync(application, cancellationToken).ConfigureAwait(false);
        ImmutableArray<string> redirects = await applications.GetRedirectUrisAsync(application, cancellationToken).ConfigureAwait(false);
        return new ClientInfo(
            await applications.GetClientIdAsync(application, cancellationToken).ConfigureAwait(false) ?? string.Empty,
            permissions.Contains(Permissions.GrantTypes.ClientCredentials) ? ClientKind.Service : ClientKind.Interactive,
            await applications.HasClientTypeAsync(application, ClientTypes.Confidential, cancellationToken).ConfigureAwait(false),
            await GetRolesAsync(application, cancellationToken).ConfigureAwait(false),
            [.. redirects.Select(r => new Uri(r, UriKind.Absolute))],
            await applications.GetDisplayNameAsync(application, cancellationToken).ConfigureAwait(false));
    }

    private static void Check(ClientRegistration registration)
    {
        if (!IdentityNames.IsValidId(registration.ClientId))
        {
            throw new ArgumentException($"invalid client id '{registration.ClientId}': 1-{IdentityNames.MaxLength} characters of a-z 0-9 . _ - @, starting with a letter or digit", nameof(registration));
        }

        if (registration.Roles.FirstOrDefault(r => !IdentityNames.IsValidRole(r)) is { } role)
        {
            throw new ArgumentException($"invalid role name '{role}'", nameof(registration));
        }

        if (registration.DisplayName is { Length: > 200 })
        {
            throw new ArgumentException("a display name has at most 200 characters", nameof(registration));
        }

        if (registration.Kind == ClientKind.Service)
        {
            if (!registration.Confidential)
            {
                throw new ArgumentException("a service client authenticates with a secret: it cannot be public", nameof(registration));
            }

            if (registration.RedirectUris.Count > 0)
            {
                throw new ArgumentException("a service client (client credentials) has no redirect URIs", nameof(registration));
            }

            return;
        }

        if (registration.RedirectUris.Count == 0)
        {
            throw new ArgumentException("an interactive client needs at least one redirect URI", nameof(registration));
        }

        foreach (Uri uri in registration.RedirectUris)
        {
            bool https = uri.IsAbsoluteUri && uri.Scheme == Uri.UriSchemeHttps;
            bool loopback = uri.IsAbsoluteUri && uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback;

            // RFC 9700 2.1 / 4.1.3: exact redirect URIs, https (or loopback http for native apps), no fragment.
            if (!(https || loopback) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
            {
                throw new ArgumentException($"redirect URI {uri} must be an absolute https URL (or http on loopback) without fragment or user info", nameof(registration));
            }
        }
    }

    private static string NewSecret() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
}
