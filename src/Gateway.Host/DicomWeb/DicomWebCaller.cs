using System.Net;
using System.Security.Claims;
using Gateway.Policy;

namespace Gateway.Host.DicomWeb;

/// <summary>Who is calling over HTTPS, as the policy and the audit log need it: from the validated access token.</summary>
/// <param name="ClientId">The OAuth2 client (<c>client_id</c>, else <c>azp</c>).</param>
/// <param name="UserId">The user the client acts for (<c>sub</c> when it is not the client itself), or null.</param>
/// <param name="Roles">The <c>role</c> claims.</param>
/// <param name="RemoteAddress">The connection's remote address.</param>
/// <param name="Certificate">The TLS client certificate, when one was presented.</param>
public sealed record DicomWebCaller(string? ClientId, string? UserId, IReadOnlyList<string> Roles, IPAddress? RemoteAddress, PolicyCertificate? Certificate)
{
    /// <summary>The claim types read from the token (OpenIddict's and RFC 9068's names).</summary>
    public const string SubjectClaim = "sub";

    /// <summary>The client id claim (RFC 9068).</summary>
    public const string ClientIdClaim = "client_id";

    /// <summary>The authorised party (OIDC), used when <see cref="ClientIdClaim"/> is absent.</summary>
    public const string AuthorizedPartyClaim = "azp";

    /// <summary>The role claim.</summary>
    public const string RoleClaim = "role";

    /// <summary>Who acts, for the audit log: the user, else the client.</summary>
    public string Principal => UserId ?? ClientId ?? "(anonymous)";

    /// <summary>Reads the caller of an authenticated request.</summary>
    public static DicomWebCaller From(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ClaimsPrincipal user = context.User;
        string? client = user.FindFirst(ClientIdClaim)?.Value ?? user.FindFirst(AuthorizedPartyClaim)?.Value;
        string? subject = user.FindFirst(SubjectClaim)?.Value ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        string[] roles = [.. user.FindAll(RoleClaim).Concat(user.FindAll(ClaimTypes.Role)).Select(c => c.Value).Distinct(StringComparer.Ordinal)];
        PolicyCertificate? certificate = context.Connection.ClientCertificate is { } cert ? PolicyCertificate.FromCertificate(cert) : null;
        return new DicomWebCaller(
            client,
            subject is not null && !string.Equals(subject, client, StringComparison.Ordinal) ? subject : null,
            roles,
            context.Connection.RemoteIpAddress,
            certificate);
    }
}
