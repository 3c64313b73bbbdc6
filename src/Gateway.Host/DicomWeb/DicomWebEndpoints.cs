using Microsoft.Extensions.Options;

namespace Gateway.Host.DicomWeb;

/// <summary>Registers the DICOMweb front door (<c>/dicom-web</c> on the HTTPS endpoint).</summary>
public static class DicomWebEndpoints
{
    /// <summary>The root of the DICOMweb resources on the gateway.</summary>
    public const string PathBase = "/dicom-web";

    /// <summary>The authorisation policy every DICOMweb request must satisfy (an authenticated caller).</summary>
    public const string AuthorizationPolicy = "dicomweb";

    /// <summary>Adds the services of the DICOMweb front door.</summary>
    public static IServiceCollection AddGatewayDicomWeb(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DicomWebOptions>().Bind(configuration.GetSection(DicomWebOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpForwarder();
        services.AddAuthorizationBuilder().AddPolicy(AuthorizationPolicy, policy => policy
            .AddAuthenticationSchemes(Gateway.Identity.GatewayIdentityDefaults.BearerScheme)
            .RequireAuthenticatedUser());
        services.AddSingleton<DicomWebOrigin>();
        services.AddSingleton<DicomWebProxy>();
        services.AddSingleton<DicomWebStore>();
        return services;
    }

    /// <summary>Maps <c>/dicom-web/{**path}</c>: a DICOMweb resource, or 404 without anything being forwarded.</summary>
    public static IEndpointRouteBuilder MapGatewayDicomWeb(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        DicomWebOptions options = endpoints.ServiceProvider.GetRequiredService<IOptions<DicomWebOptions>>().Value;
        if (!options.Enabled)
        {
            return endpoints;
        }

        endpoints.MapMethods(PathBase + "/{**path}", [HttpMethods.Get, HttpMethods.Head, HttpMethods.Post], (HttpContext context, string? path, DicomWebProxy proxy, DicomWebStore store) => HandleAsync(context, path, proxy, store, options))
            .RequireAuthorization(AuthorizationPolicy)
            .WithName("dicomweb");
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context, string? path, DicomWebProxy proxy, DicomWebStore store, DicomWebOptions options)
    {
        if (context.Request.QueryString.Value is { } query && query.Length > options.MaxQueryLength)
        {
            await DicomWebResults.ProblemAsync(context, StatusCodes.Status414UriTooLong, "the query string is too long").ConfigureAwait(false);
            return;
        }

        DicomWebResource resource = DicomWebResource.Classify(context.Request.Method, path);
        switch (resource.Action)
        {
            case DicomWebAction.Store:
                await store.HandleAsync(context, resource).ConfigureAwait(false);
                break;
            case DicomWebAction.Search or DicomWebAction.Retrieve:
                await proxy.HandleAsync(context, path, resource).ConfigureAwait(false);
                break;
            default:
                await DicomWebResults.ProblemAsync(context, StatusCodes.Status404NotFound, "not a DICOMweb resource of this gateway").ConfigureAwait(false);
                break;
        }
    }
}
