using System.Globalization;
using Gateway.Policy.Loading;
using Gateway.Policy.Model;

namespace Gateway.Policy.Analysis;

/// <summary>How requests, rules and values are written in command output: one place, so explain, diff and simulate agree.</summary>
public static class PolicyText
{
    /// <summary>A SOP class UID with its keyword when registered: <c>1.2.840.10008.5.1.4.1.1.2 (CTImageStorage)</c>.</summary>
    public static string SopClass(string uid)
    {
        ArgumentNullException.ThrowIfNull(uid);
        string keyword = SopClassCatalog.Describe(uid);
        return keyword == uid ? uid : $"{uid} ({keyword})";
    }

    /// <summary>A list as <c>[a, b]</c>.</summary>
    public static string List(IEnumerable<string> items) => "[" + string.Join(", ", items) + "]";

    /// <summary>Operations as <c>[echo, store]</c>.</summary>
    public static string Operations(IEnumerable<PolicyOperation> operations) => List(operations.Select(PolicyOperations.Name));

    /// <summary>A time window as <c>mon-fri 07:00-19:00</c>.</summary>
    public static string Window(TimeWindow window) =>
        $"{PolicyValues.FormatDays(window.Days)} {window.From:HH\\:mm}-{(window.To == TimeOnly.MinValue ? "24:00" : window.To.ToString("HH\\:mm", CultureInfo.InvariantCulture))}";

    /// <summary>Time windows, or <c>at any time</c>.</summary>
    public static string Windows(IReadOnlyList<TimeWindow> windows) =>
        windows.Count == 0 ? "at any time" : string.Join(" or ", windows.Select(Window));

    /// <summary>A rate limit as <c>120 associations/min, 20000 instances/min</c>, or <c>no rate limit</c>.</summary>
    public static string RateLimit(PolicyRateLimit limit)
    {
        var parts = new List<string>();
        if (limit.AssociationsPerMinute > 0)
        {
            parts.Add(limit.AssociationsPerMinute.ToString(CultureInfo.InvariantCulture) + " associations/min");
        }

        if (limit.InstancesPerMinute > 0)
        {
            parts.Add(limit.InstancesPerMinute.ToString(CultureInfo.InvariantCulture) + " instances/min");
        }

        if (limit.RequestsPerMinute > 0)
        {
            parts.Add(limit.RequestsPerMinute.ToString(CultureInfo.InvariantCulture) + " requests/min");
        }

        return parts.Count == 0 ? "no rate limit" : string.Join(", ", parts);
    }

    /// <summary>One line describing a request's facts.</summary>
    public static string Request(in PolicyRequest request)
    {
        var parts = new List<string> { ProtocolName(request.Protocol), PolicyOperations.Name(request.Operation) };
        if (request.Protocol == PolicyProtocol.Dimse)
        {
            parts.Add($"from {request.CallingAE ?? "(no AE title)"} at {request.RemoteAddress?.ToString() ?? "(no address)"}");
            parts.Add("to " + (request.Service ?? request.CalledAE ?? "(no called AE title)"));
        }
        else
        {
            parts.Add($"by client {request.ClientId ?? "(none)"}" + (request.UserId is null ? string.Empty : $" for user {request.UserId}") +
                (request.RemoteAddress is null ? string.Empty : $" at {request.RemoteAddress}"));
            parts.Add("to " + (request.Service ?? "(no service)"));
            if (request.Roles is { Count: > 0 } roles)
            {
                parts.Add("token roles " + List(roles));
            }
        }

        if (request.SopClassUid is { Length: > 0 } sop)
        {
            parts.Add("SOP class " + SopClass(sop));
        }

        if (request.MoveDestination is { } destination)
        {
            parts.Add("destination " + destination);
        }

        if (request.ObjectSize is { } size)
        {
            parts.Add("size " + size.ToString(CultureInfo.InvariantCulture) + " B");
        }

        if (request.Certificate is { } certificate)
        {
            parts.Add("certificate " + (certificate.Subject ?? certificate.Sha256Thumbprint ?? "(no subject)"));
        }

        parts.Add("at " + request.At.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture));
        return string.Join(' ', parts);
    }

    /// <summary>The kebab-case name of a protocol.</summary>
    public static string ProtocolName(PolicyProtocol protocol) => protocol switch
    {
        PolicyProtocol.DicomWeb => "dicomweb",
        PolicyProtocol.Admin => "admin",
        _ => "dimse",
    };
}
