using Gateway.Identity.Keys;
using Gateway.Identity.Validation;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Gateway.Identity.Server;

/// <summary>
/// OpenIddict event handlers that take keys from the live <see cref="SigningKeyRing"/> instead of the keys fixed at start:
/// the newest key signs, the JWKS publishes every key whose tokens may still be valid, and the server's own tokens
/// (authorization codes) verify against the same set. So a key rotated by <c>gatewayctl</c> takes effect without a restart.
/// </summary>
internal static class KeyRingServerHandlers
{
    /// <summary>Signs with the ring's current key (runs right after OpenIddict picked its start-up key).</summary>
    public sealed class AttachCurrentSigningKey(SigningKeyRing ring) : IOpenIddictServerHandler<GenerateTokenContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
            .UseSingletonHandler<AttachCurrentSigningKey>()
            .SetOrder(OpenIddictServerHandlers.Protection.AttachSecurityCredentials.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        public ValueTask HandleAsync(GenerateTokenContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            context.SigningCredentials = ring.Snapshot.Current.Credentials;
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Verifies the server's own tokens against every key the ring still publishes.</summary>
    public sealed class UsePublishedKeysForValidation(SigningKeyRing ring, GatewayTokenValidator validator, TimeProvider time) : IOpenIddictServerHandler<ValidateTokenContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseSingletonHandler<UsePublishedKeysForValidation>()
            .SetOrder(OpenIddictServerHandlers.Protection.ResolveTokenValidationParameters.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        public ValueTask HandleAsync(ValidateTokenContext context)
        {
            ArgumentNullException.ThrowIfNull(context);

            // Client assertions are verified with the client's keys, which OpenIddict resolves itself (through a resolver).
            if (context.TokenValidationParameters is { IssuerSigningKeyResolver: null } parameters)
            {
                parameters.IssuerSigningKeys = [.. ring.Snapshot.Published(time.GetUtcNow(), validator.LocalTokenWindow).Select(k => (SecurityKey)k.Key)];
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Publishes the ring's keys in the JWKS (public parts only).</summary>
    public sealed class PublishRingKeys(SigningKeyRing ring, GatewayTokenValidator validator, TimeProvider time) : IOpenIddictServerHandler<HandleJsonWebKeySetRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleJsonWebKeySetRequestContext>()
            .UseSingletonHandler<PublishRingKeys>()
            .SetOrder(OpenIddictServerHandlers.Discovery.AttachSigningKeys.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        public ValueTask HandleAsync(HandleJsonWebKeySetRequestContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            context.Keys.Clear();
            foreach (SigningKey key in ring.Snapshot.Published(time.GetUtcNow(), validator.LocalTokenWindow))
            {
                context.Keys.Add(key.PublicJwk());
            }

            return ValueTask.CompletedTask;
        }
    }
}
