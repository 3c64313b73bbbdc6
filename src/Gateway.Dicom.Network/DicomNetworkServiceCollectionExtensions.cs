using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Dicom.Network;

/// <summary>Registers a <see cref="DicomServer"/> whose services come from dependency injection.</summary>
public static class DicomNetworkServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="DicomServer"/> serving each association with a <see cref="DimseServiceDispatcher"/>
    /// over the registered <see cref="IStoreService"/>, <see cref="IFindService"/> and <see cref="IRetrieveService"/>
    /// (each optional: a service that is not registered is refused to peers).
    /// </summary>
    public static IServiceCollection AddDicomServer(this IServiceCollection services, DicomServerOptions options, AssociationAcceptancePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(policy);
        services.AddSingleton(provider =>
        {
            ILoggerFactory? loggers = provider.GetService<ILoggerFactory>();
            ILogger? logger = loggers?.CreateLogger("Gateway.Dicom.Network");
            return new DicomServer(
                options,
                policy,
                () => new DimseServiceDispatcher(
                    provider.GetService<IStoreService>(),
                    provider.GetService<IFindService>(),
                    provider.GetService<IRetrieveService>(),
                    logger),
                logger);
        });
        return services;
    }
}
