using System.Net;
using Gateway.Identity.Validation;
using Gateway.Policy;

namespace Gateway.Host.DicomWeb;

/// <summary>Who is calling over HTTPS, as the policy and the audit log need it: from the validated access token.</summary>
/// <param name="ClientId">The OAuth2 client.</param>
/// <param name="UserId">The user the client acts for, or null for a client acting on its own behalf.</param>
/// <param name="Roles">The roles the token carries.</param>
/// <param name="RemoteAddress">The connection's remote address.</param>
/// <param name="Certificate">The TLS client certificate, when one was presented.</param>
public sealed record DicomWebCaller(string? ClientId, string? UserId, IReadOnlyList<string> Roles, IPAddress? RemoteAddress, PolicyCertificate? Certificate)
{
    /// <summary>Who acts, for the audit log: the user, else the client.</summary>
    public string Principal => UserId ?? ClientId ?? "(anonymous)";

    /// <summary>Reads the caller of a request the gateway's bearer scheme authenticated (local or external issuer).</summary>
    public static DicomWebCaller From(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IdentityResult? identity = IdentityResult.FromPrincipal(context.User);
        PolicyCertificate? certificate = context.Connection.ClientCertificate is { } cert ? PolicyCertificate.FromCertificate(cert) : null;
        return new DicomWebCaller(identity?.ClientId, identity?.PolicyUserId, identity?.Roles ?? [], context.Connection.RemoteIpAddress, certificate);
    }
}
