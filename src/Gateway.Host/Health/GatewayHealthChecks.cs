using System.Net.Sockets;
using Gateway.Host.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Health;

/// <summary>Readiness: the data directory takes a durable write.</summary>
public sealed class DataDirectoryHealthCheck(IOptions<GatewayOptions> options, IHostEnvironment environment) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        string directory = Path.GetFullPath(options.Value.DataDirectory, environment.ContentRootPath);
        string probe = Path.Combine(directory, ".health-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            Directory.CreateDirectory(directory);
            var file = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            await using (file.ConfigureAwait(false))
            {
                await file.WriteAsync("ok"u8.ToArray(), cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            return HealthCheckResult.Healthy("the data directory is writable");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy("the data directory is not writable: " + ex.Message);
        }
    }
}

/// <summary>Readiness: every configured upstream accepts a TCP connection (a full association is not opened every probe).</summary>
public sealed class UpstreamsHealthCheck(IOptions<GatewayOptions> options) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var unreachable = new List<string>();
        foreach ((string name, UpstreamOptions upstream) in options.Value.Upstreams)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);

            // A DICOMweb origin is reachable when its HTTP(S) port takes a connection.
            (string host, int port) = upstream.DicomWeb is { } origin ? (origin.DnsSafeHost, origin.Port) : (upstream.Host, upstream.Port);
            try
            {
                await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                unreachable.Add($"{name} ({host}:{port})");
            }
        }

        return unreachable.Count == 0
            ? HealthCheckResult.Healthy($"{options.Value.Upstreams.Count} upstream(s) reachable")
            : HealthCheckResult.Degraded("unreachable: " + string.Join(", ", unreachable));
    }
}
