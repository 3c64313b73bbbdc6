namespace Gateway.Host.Admin;

/// <summary>
/// The console's response headers: a strict Content Security Policy (scripts, styles and images from the gateway's own
/// origin only, nothing inline, no framing), no caching of pages that may show audit data, no referrer, no sniffing.
/// </summary>
internal static class AdminSecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void Apply(HttpResponse response, string? formActionOrigin)
    {
        IHeaderDictionary headers = response.Headers;
        headers.ContentSecurityPolicy = formActionOrigin is null
            ? ContentSecurityPolicy
            : ContentSecurityPolicy.Replace("form-action 'self'", "form-action 'self' " + formActionOrigin, StringComparison.Ordinal);
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), usb=(), payment=()";
        headers.StrictTransportSecurity = "max-age=31536000";
        if (!response.Headers.ContainsKey("Cache-Control"))
        {
            headers.CacheControl = "no-store";
        }
    }
}
