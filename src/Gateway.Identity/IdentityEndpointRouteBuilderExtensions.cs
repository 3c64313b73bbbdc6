using Gateway.Identity.Server;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Identity;

/// <summary>Maps the identity's endpoints.</summary>
public static class IdentityEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the token server's pass-through endpoints (<c>/connect/authorize</c>, <c>/connect/token</c>,
    /// <c>/connect/logout</c>) and the login page (<c>/account/login</c>) when the local server is enabled. The discovery
    /// document and JWKS are served by OpenIddict itself.
    /// </summary>
    public static IEndpointRouteBuilder MapGatewayIdentity(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetRequiredService<GatewayIdentityOptions>().EnableLocalServer)
        {
            IdentityEndpoints.Map(endpoints);
        }

        return endpoints;
    }
}
