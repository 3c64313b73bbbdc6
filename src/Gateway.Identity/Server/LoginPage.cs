using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace Gateway.Identity.Server;

/// <summary>
/// The server-rendered login page: one form, no script and no inline style, every value HTML-encoded, with headers that
/// forbid framing, caching and referrers (the page is strict under its own Content-Security-Policy).
/// </summary>
internal static class LoginPage
{
    /// <summary>The Content-Security-Policy of the page: nothing may load; it may not be framed.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>Writes the page.</summary>
    public static async Task WriteAsync(HttpContext context, string returnUrl, string antiforgeryFieldName, string antiforgeryToken, string? username, string? message, int statusCode)
    {
        HttpResponse response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = "text/html; charset=utf-8";
        SetSecurityHeaders(response);
        HtmlEncoder html = HtmlEncoder.Default;
        var page = new StringBuilder(2048);
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>DICOM gateway: log in</title>\n</head>\n<body>\n");
        page.Append("<h1>DICOM gateway</h1>\n");
        if (message is not null)
        {
            page.Append("<p role=\"alert\">").Append(html.Encode(message)).Append("</p>\n");
        }

        page.Append("<form method=\"post\" action=\"").Append(html.Encode(GatewayIdentityDefaults.LoginPath)).Append("\">\n");
        page.Append("<input type=\"hidden\" name=\"").Append(html.Encode(antiforgeryFieldName)).Append("\" value=\"").Append(html.Encode(antiforgeryToken)).Append("\">\n");
        page.Append("<input type=\"hidden\" name=\"returnUrl\" value=\"").Append(html.Encode(returnUrl)).Append("\">\n");
        page.Append("<p><label for=\"username\">User name</label><br><input id=\"username\" name=\"username\" autocomplete=\"username\" required maxlength=\"64\" value=\"")
            .Append(html.Encode(username ?? string.Empty)).Append("\"></p>\n");
        page.Append("<p><label for=\"password\">Password</label><br><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required maxlength=\"1024\"></p>\n");
        page.Append("<p><button type=\"submit\">Log in</button></p>\n</form>\n</body>\n</html>\n");
        await response.WriteAsync(page.ToString(), Encoding.UTF8, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Headers every identity page carries.</summary>
    public static void SetSecurityHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XFrameOptions = "DENY";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }

    /// <summary>
    /// Whether <paramref name="returnUrl"/> is a path back to the local authorization endpoint (so the login page cannot be
    /// used to redirect anywhere else).
    /// </summary>
    public static bool IsSafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 and <= 8192 }
        && returnUrl.StartsWith(GatewayIdentityDefaults.AuthorizePath + "?", StringComparison.Ordinal)
        && !returnUrl.Any(c => char.IsControl(c) || c == '\\');
}
