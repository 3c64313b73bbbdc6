using System.Net;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Configuration;

/// <summary>
/// Checks at start that every upstream is either a DIMSE node (AE title and host) or a DICOMweb origin (an absolute
/// http or https root), never both, and that the services routed to a DICOMweb origin can be served from it. Any
/// failure stops the gateway with one line naming the setting.
/// </summary>
public sealed class UpstreamValidation : IValidateOptions<GatewayOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        foreach ((string upstreamName, UpstreamOptions upstream) in options.Upstreams)
        {
            string prefix = "Gateway:Upstreams:" + upstreamName;
            if (upstream.DicomWeb is null)
            {
                if (string.IsNullOrWhiteSpace(upstream.AETitle) || string.IsNullOrWhiteSpace(upstream.Host))
                {
                    errors.Add($"{prefix}: AETitle and Host (a DIMSE node) or DicomWeb (a DICOMweb origin) are required");
                }

                if (upstream.TrustedCa is not null || upstream.Token is not null)
                {
                    errors.Add($"{prefix}: TrustedCa and Token apply to a DicomWeb origin only");
                }

                continue;
            }

            CheckDicomWeb(errors, prefix, upstream);
        }

        if (IsDicomWeb(options, options.Routing.Worklist))
        {
            errors.Add($"Gateway:Routing:Worklist: upstream {options.Routing.Worklist} is a DICOMweb origin; Modality Worklist is relayed over DIMSE only");
        }

        if (options.Prefetch.Enabled && IsDicomWeb(options, options.Routing.QueryRetrieve))
        {
            errors.Add($"Gateway:Prefetch: the query/retrieve upstream {options.Routing.QueryRetrieve} is a DICOMweb origin; prefetch needs a DIMSE one");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsDicomWeb(GatewayOptions options, string? upstream) =>
        upstream is not null && options.Upstreams.TryGetValue(upstream, out UpstreamOptions? u) && u.DicomWeb is not null;

    private static void CheckDicomWeb(List<string> errors, string prefix, UpstreamOptions upstream)
    {
        Uri root = upstream.DicomWeb!;
        if (!string.IsNullOrWhiteSpace(upstream.Host))
        {
            errors.Add($"{prefix}: set either Host (a DIMSE node) or DicomWeb (a DICOMweb origin), not both");
        }

        if (!root.IsAbsoluteUri || (root.Scheme != Uri.UriSchemeHttps && root.Scheme != Uri.UriSchemeHttp) ||
            root.Query.Length > 0 || root.Fragment.Length > 0 || root.UserInfo.Length > 0)
        {
            errors.Add($"{prefix}:DicomWeb must be an absolute http or https URL without credentials, query or fragment");
            return;
        }

        if (upstream.TrustedCa is { } ca && !File.Exists(Path.GetFullPath(ca)))
        {
            errors.Add($"{prefix}:TrustedCa: no file {ca}");
        }

        if (upstream.TrustedCa is not null && root.Scheme != Uri.UriSchemeHttps)
        {
            errors.Add($"{prefix}:TrustedCa needs an https DicomWeb origin");
        }

        if (upstream.Token is { Length: > 0 } token)
        {
            // RFC 6750 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
            string body = token.TrimEnd('=');
            if (body.Length == 0 || !body.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '+' or '/'))
            {
                errors.Add($"{prefix}:Token is not a bearer token (RFC 6750 b64token characters)");
            }

            // A bearer token is a password: it crosses the network only encrypted (loopback excepted, for a local origin).
            if (root.Scheme != Uri.UriSchemeHttps && !IsLoopback(root))
            {
                errors.Add($"{prefix}:Token is sent only to an https DicomWeb origin (or one on loopback)");
            }
        }
    }

    private static bool IsLoopback(Uri root) =>
        root.IsLoopback || (IPAddress.TryParse(root.DnsSafeHost, out IPAddress? address) && IPAddress.IsLoopback(address));
}
