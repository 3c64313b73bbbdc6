using System.Security.Claims;

namespace Gateway.Identity.Validation;

/// <summary>
/// Who a validated token or username+passcode names, or why it was refused: what the policy needs for a DICOMweb or
/// DIMSE request (client id, user id, roles).
/// </summary>
/// <remarks>
/// A client acting for itself has <see cref="IsClient"/> true and <see cref="Subject"/> equal to its client id; a user
/// has its user id as <see cref="Subject"/> and, for tokens, the client it signed in through as <see cref="ClientId"/>.
/// </remarks>
public sealed record IdentityResult
{
    /// <summary>Whether the identity was proven.</summary>
    public bool Succeeded => Failure == IdentityFailure.None;

    /// <summary>Why it was refused, or <see cref="IdentityFailure.None"/>.</summary>
    public IdentityFailure Failure { get; init; }

    /// <summary>The user id or, for a client acting for itself, the client id.</summary>
    public string? Subject { get; init; }

    /// <summary>The client application (OAuth2 client id), when known.</summary>
    public string? ClientId { get; init; }

    /// <summary>True when the subject is a client application acting on its own behalf.</summary>
    public bool IsClient { get; init; }

    /// <summary>Policy role names (external roles already mapped).</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>The token's issuer, or null for a username+passcode.</summary>
    public string? Issuer { get; init; }

    /// <summary>When the token expires, or null for a username+passcode.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The user id for the policy: null for a client acting on its own behalf.</summary>
    public string? PolicyUserId => IsClient ? null : Subject;

    /// <summary>A refusal.</summary>
    public static IdentityResult Fail(IdentityFailure failure) =>
        failure == IdentityFailure.None ? throw new ArgumentOutOfRangeException(nameof(failure)) : new IdentityResult { Failure = failure };

    /// <summary>The claims identity of a successful result (authentication type <paramref name="authenticationType"/>).</summary>
    public ClaimsIdentity ToClaimsIdentity(string authenticationType)
    {
        if (!Succeeded)
        {
            throw new InvalidOperationException("a refused identity has no claims");
        }

        var identity = new ClaimsIdentity(authenticationType, IdentityClaimTypes.Subject, IdentityClaimTypes.Role);
        identity.AddClaim(new Claim(IdentityClaimTypes.Subject, Subject!));
        identity.AddClaim(new Claim(IdentityClaimTypes.PrincipalKind, IsClient ? "client" : "user"));
        if (ClientId is not null)
        {
            identity.AddClaim(new Claim(IdentityClaimTypes.ClientId, ClientId));
        }

        if (Issuer is not null)
        {
            identity.AddClaim(new Claim(IdentityClaimTypes.Issuer, Issuer));
        }

        foreach (string role in Roles)
        {
            identity.AddClaim(new Claim(IdentityClaimTypes.Role, role));
        }

        return identity;
    }

    /// <summary>The identity behind a principal the gateway's bearer scheme authenticated, or null when it is not one.</summary>
    public static IdentityResult? FromPrincipal(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        string? subject = principal.FindFirst(IdentityClaimTypes.Subject)?.Value;
        string? kind = principal.FindFirst(IdentityClaimTypes.PrincipalKind)?.Value;
        if (subject is null || kind is not ("client" or "user"))
        {
            return null;
        }

        return new IdentityResult
        {
            Subject = subject,
            IsClient = kind == "client",
            ClientId = principal.FindFirst(IdentityClaimTypes.ClientId)?.Value,
            Issuer = principal.FindFirst(IdentityClaimTypes.Issuer)?.Value,
            Roles = [.. principal.FindAll(IdentityClaimTypes.Role).Select(c => c.Value)],
        };
    }
}
