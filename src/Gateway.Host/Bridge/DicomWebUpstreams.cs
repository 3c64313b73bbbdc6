using Gateway.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Bridge;

/// <summary>The DICOMweb origins among the configured upstreams, each with its client, made once at start.</summary>
public sealed class DicomWebUpstreams : IDisposable
{
    private readonly Dictionary<string, DicomWebUpstreamClient> _clients = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a client per upstream that has <see cref="UpstreamOptions.DicomWeb"/>.</summary>
    public DicomWebUpstreams(IOptions<GatewayOptions> options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        foreach ((string name, UpstreamOptions upstream) in options.Value.Upstreams)
        {
            if (upstream.DicomWeb is { } root)
            {
                string? ca = upstream.TrustedCa is { } file ? Path.GetFullPath(file, environment.ContentRootPath) : null;
                _clients[name] = new DicomWebUpstreamClient(name, root, ca, upstream.Token, TimeSpan.FromSeconds(upstream.TimeoutSeconds));
            }
        }
    }

    /// <summary>The client of the DICOMweb upstream <paramref name="name"/>.</summary>
    /// <exception cref="InvalidOperationException">No DICOMweb upstream has that name.</exception>
    public DicomWebUpstreamClient Get(string name) =>
        _clients.TryGetValue(name, out DicomWebUpstreamClient? client)
            ? client
            : throw new InvalidOperationException($"Gateway:Upstreams has no DICOMweb origin '{name}'.");

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (DicomWebUpstreamClient client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
