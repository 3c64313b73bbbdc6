using Gateway.Host.Archive;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Configuration;

/// <summary>
/// Checks at start what pushes and prefetch rely on: device AE titles that are AE titles, outbox lanes that cannot be
/// mistaken for each other or for an upstream, and complete prefetch settings. Any failure stops the gateway with
/// one line naming the setting.
/// </summary>
public sealed class DeviceRoutingValidation : IValidateOptions<GatewayOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Routing.DeadLetterAfter < TimeSpan.FromSeconds(1))
        {
            errors.Add("Gateway:Routing:DeadLetterAfter: at least one second");
        }

        if (options.Routing.AssociationCloseDelay < TimeSpan.Zero || options.Routing.AssociationCloseDelay > TimeSpan.FromHours(1))
        {
            errors.Add("Gateway:Routing:AssociationCloseDelay: from 0 (close at once) to one hour");
        }

        var lanes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string ae, DeviceOptions device) in options.Devices)
        {
            if (!DeviceLanes.IsAETitle(ae))
            {
                errors.Add($"Gateway:Devices:{ae}: a device is named by its AE title (1-16 characters of the default repertoire, no backslash)");
                continue;
            }

            // Every store calling the gateway's own title would otherwise become a push to this device.
            if (string.Equals(ae.Trim(), options.AETitle?.Trim(), StringComparison.Ordinal))
            {
                errors.Add($"Gateway:Devices:{ae}: a device cannot have the gateway's own AE title");
            }

            if (string.IsNullOrWhiteSpace(device.Host) || device.Port is < 1 or > 65535)
            {
                errors.Add($"Gateway:Devices:{ae}: Host and a Port from 1 to 65535 are required");
            }

            foreach (string lane in new[] { DeviceLanes.Live(ae), DeviceLanes.Prefetch(ae) })
            {
                if (!lanes.TryAdd(lane, ae))
                {
                    errors.Add($"Gateway:Devices:{ae}: its outbox lane {lane} is also the lane of device {lanes[lane]}; shorten one AE title");
                }
            }
        }

        foreach (string upstream in options.Upstreams.Keys.Where(DeviceLanes.IsDeviceLane))
        {
            errors.Add($"Gateway:Upstreams:{upstream}: an upstream name may not start with '{DeviceLanes.LivePrefix}' or '{DeviceLanes.PrefetchPrefix}' (reserved for device lanes)");
        }

        PrefetchOptions prefetch = options.Prefetch;
        if (prefetch.Enabled)
        {
            if (prefetch.Destination is not { } destination || !options.Devices.ContainsKey(destination))
            {
                errors.Add("Gateway:Prefetch:Destination must name a device under Gateway:Devices");
            }

            if (string.IsNullOrWhiteSpace(prefetch.Service))
            {
                errors.Add("Gateway:Prefetch:Service must name the policy's query/retrieve service the priors come from");
            }

            Check(errors, prefetch.Interval >= TimeSpan.FromSeconds(1) && prefetch.Interval <= TimeSpan.FromDays(1), "Interval", "from 00:00:01 to 1.00:00:00");
            Check(errors, prefetch.LeadTime > TimeSpan.Zero && prefetch.LeadTime <= TimeSpan.FromDays(31), "LeadTime", "from 00:00:01 to 31.00:00:00");
            Check(errors, prefetch.RememberFor >= TimeSpan.Zero && prefetch.RememberFor <= TimeSpan.FromDays(3650), "RememberFor", "from 0 to 3650 days");
            Check(errors, prefetch.MostRecent is >= 1 and <= 100, "MostRecent", "from 1 to 100");
            Check(errors, prefetch.MaxWorklistItems is >= 1 and <= 100_000, "MaxWorklistItems", "from 1 to 100000");
            Check(errors, prefetch.MaxStudiesPerPatient is >= 1 and <= 10_000, "MaxStudiesPerPatient", "from 1 to 10000");
            foreach (string value in prefetch.Modalities.Concat(prefetch.BodyParts))
            {
                // Code strings (CS, PS3.5 6.2): compared with what the PACS answers, never sent as a query key.
                if (value.Trim() is not { Length: > 0 and <= 16 } v || !v.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c is ' ' or '_'))
                {
                    errors.Add($"Gateway:Prefetch: '{value}' is not a code string (1-16 of A-Z, 0-9, space, underscore) for Modalities or BodyParts");
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(List<string> errors, bool valid, string setting, string range)
    {
        if (!valid)
        {
            errors.Add($"Gateway:Prefetch:{setting} must be {range}");
        }
    }
}
