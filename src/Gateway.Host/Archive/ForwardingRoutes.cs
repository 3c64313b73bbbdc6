using Gateway.Host.Configuration;
using Gateway.Host.Dimse;
using Gateway.Host.Policy;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Archive;

/// <summary>
/// Where stored instances are forwarded: to the upstream of the policy service a device called (destination = the
/// service name), and to every upstream listed in <c>Gateway:Routing:ForwardTo</c> (destination = the upstream name).
/// A store whose called AE title is a device under <c>Gateway:Devices</c> is a push to that device: it goes to the
/// device's push lane only (<see cref="DeviceLanes"/>), in plain DIMSE on the VLAN.
/// </summary>
public sealed class ForwardingRoutes(IOptions<GatewayOptions> options, GatewayPolicy policy, Upstreams upstreams)
{
    /// <summary>The destinations an instance stored through <paramref name="calledAE"/> is queued for.</summary>
    public IReadOnlyList<string> DestinationsFor(string calledAE)
    {
        // Never also to Routing:ForwardTo: what the PACS pushes to a device would otherwise go straight back to the PACS.
        if (DeviceFor(calledAE) is { } device)
        {
            return [DeviceLanes.Live(device)];
        }

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
            .Concat(options.Value.Devices.Keys.Where(DeviceLanes.IsAETitle).Select(DeviceLanes.Live))
            .Concat(options.Value.Prefetch is { Enabled: true, Destination: { } prefetch } && options.Value.Devices.ContainsKey(prefetch) ? [DeviceLanes.Prefetch(prefetch)] : [])
            .Distinct(StringComparer.OrdinalIgnoreCase)];

    /// <summary>The configured device <paramref name="calledAE"/> names (a push to it), or null.</summary>
    public string? DeviceFor(string? calledAE) =>
        calledAE?.Trim() is { Length: > 0 } ae && options.Value.Devices.ContainsKey(ae) ? ae : null;

    /// <summary>The device whose lane <paramref name="destination"/> is, or null for an upstream destination.</summary>
    public string? DeviceOfLane(string destination) => DeviceLanes.DeviceOf(destination, options.Value.Devices.Keys);

    /// <summary>How long an association to an upstream stays open once its queue is empty (<c>Gateway:Routing:AssociationCloseDelay</c>).</summary>
    public TimeSpan AssociationCloseDelay => options.Value.Routing.AssociationCloseDelay;

    /// <summary>The upstream of a destination, or null when it is no longer configured.</summary>
    public UpstreamTarget? Resolve(string destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (DeviceOfLane(destination) is { } device)
        {
            DeviceOptions vlan = options.Value.Devices[device];
            return new UpstreamTarget(device, vlan.Host, vlan.Port, Tls: false, Upstreams.DeviceTimeout);
        }

        if (policy.Model.FindService(destination) is { Upstream: { } fromPolicy })
        {
            return UpstreamTarget.From(fromPolicy);
        }

        return options.Value.Upstreams.ContainsKey(destination) ? upstreams.Resolve(string.Empty, destination) : null;
    }
}

/// <summary>Wakes the forwarders when something was queued, so delivery starts without waiting for the next poll.</summary>
/// <remarks>One signal per destination: an item for one lane wakes that lane's forwarder, not whichever loop waits first.</remarks>
public sealed class ForwarderSignal
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> _signals = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Something was queued, for any destination: wakes every forwarder.</summary>
    public void Notify()
    {
        foreach (SemaphoreSlim signal in _signals.Values)
        {
            signal.Release();
        }
    }

    /// <summary>Something was queued for <paramref name="destinations"/>.</summary>
    public void Notify(IEnumerable<string> destinations)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        foreach (string destination in destinations)
        {
            For(destination).Release();
        }
    }

    /// <summary>Waits for a notification for <paramref name="destination"/> or the timeout.</summary>
    public Task WaitAsync(string destination, TimeSpan timeout, CancellationToken cancellationToken) => For(destination).WaitAsync(timeout, cancellationToken);

    private SemaphoreSlim For(string destination) => _signals.GetOrAdd(destination, _ => new SemaphoreSlim(0, int.MaxValue));
}
