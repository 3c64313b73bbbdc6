using Gateway.Host.Configuration;
using Gateway.Host.Dimse;
using Gateway.Host.Policy;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Archive;

/// <summary>
/// Where stored instances are forwarded: to the upstream of the policy service a device called (destination = the
/// service name), and to every upstream listed in <c>Gateway:Routing:ForwardTo</c> (destination = the upstream name).
/// </summary>
public sealed class ForwardingRoutes(IOptions<GatewayOptions> options, GatewayPolicy policy, Upstreams upstreams)
{
    /// <summary>The destinations an instance stored through <paramref name="calledAE"/> is queued for.</summary>
    public IReadOnlyList<string> DestinationsFor(string calledAE)
    {
        var destinations = new List<string>();
        if (policy.ServiceFor(calledAE) is { Upstream: not null } service)
        {
            destinations.Add(service.Name);
        }

        foreach (string name in options.Value.Routing.ForwardTo)
        {
            if (!destinations.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                destinations.Add(name);
            }
        }

        return destinations;
    }

    /// <summary>Every destination a forwarder runs for.</summary>
    public IReadOnlyList<string> AllDestinations() =>
        [.. policy.Model.Services.Where(s => s.IsDimse && s.Upstream is not null).Select(s => s.Name)
            .Concat(options.Value.Routing.ForwardTo)
            .Distinct(StringComparer.OrdinalIgnoreCase)];

    /// <summary>The upstream of a destination, or null when it is no longer configured.</summary>
    public UpstreamTarget? Resolve(string destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (policy.Model.FindService(destination) is { Upstream: { } fromPolicy })
        {
            return UpstreamTarget.From(fromPolicy);
        }

        return options.Value.Upstreams.ContainsKey(destination) ? upstreams.Resolve(string.Empty, destination) : null;
    }
}

/// <summary>Wakes the forwarders when something was queued, so delivery starts without waiting for the next poll.</summary>
public sealed class ForwarderSignal
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);

    /// <summary>Something was queued.</summary>
    public void Notify() => _signal.Release();

    /// <summary>Waits for a notification or the timeout.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
