using System.Text.Json;
using Gateway.Identity.Keys;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Identity.Validation;

/// <summary>
/// Validates access tokens from the local server and from the configured external issuers: for HTTP (through
/// <see cref="GatewayBearerTokenHandler"/> in the JwtBearer scheme) and for DIMSE user identity negotiation alike.
/// </summary>
/// <remarks>
/// The issuer named in the token selects the rules (keys, audiences, algorithms, role mapping); an issuer that is not
/// configured is refused before any key is looked at. Lifetimes are checked against the injected <see cref="TimeProvider"/>
/// with <see cref="GatewayIdentityOptions.ClockSkew"/>; a token without <c>exp</c> is refused. Local tokens must be access
/// tokens (<c>typ</c> <c>at+jwt</c>) signed by a key the key ring still publishes. Only roles mapped in
/// <see cref="ExternalIssuerOptions.RoleMap"/> survive from an external token.
/// </remarks>
public sealed class GatewayTokenValidator
{
    /// <summary>The largest token accepted, in characters.</summary>
    public const int MaxTokenLength = 16 * 1024;

    private const int MaxRoles = 256;

    private readonly GatewayIdentityOptions _options;
    private readonly SigningKeyRing? _ring;
    private readonly TimeProvider _time;
    private readonly string? _localIssuer;
    private readonly Dictionary<string, ExternalIssuerKeys> _external = new(StringComparer.Ordinal);
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false, MaximumTokenSizeInBytes = MaxTokenLength };

    /// <summary>Creates the validator.</summary>
    /// <param name="options">The identity settings.</param>
    /// <param name="ring">The local server's keys, or null when the local server is disabled.</param>
    /// <param name="time">The clock.</param>
    /// <param name="backchannel">The HTTP client for external discovery documents (null: a default one).</param>
    public GatewayTokenValidator(GatewayIdentityOptions options, SigningKeyRing? ring, TimeProvider time, HttpClient? backchannel = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _ring = options.EnableLocalServer ? ring ?? throw new ArgumentNullException(nameof(ring)) : null;
        _time = time;
        _localIssuer = options.EnableLocalServer ? options.Issuer!.AbsoluteUri : null;
        foreach (ExternalIssuerOptions external in options.ExternalIssuers)
        {
            _external[external.Issuer] = new ExternalIssuerKeys(external, backchannel);
        }
    }

    /// <summary>The window in which a retired local key still verifies tokens: the longest token lifetime plus the skew.</summary>
    public TimeSpan LocalTokenWindow => Max(_options.AccessTokenLifetime, _options.AuthorizationCodeLifetime) + _options.ClockSkew;

    /// <summary>Validates <paramref name="token"/> (a compact JWS).</summary>
    public async ValueTask<IdentityResult> ValidateAsync(string token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(token))
        {
            return IdentityResult.Fail(IdentityFailure.Malformed);
        }

        if (token.Length > MaxTokenLength)
        {
            return IdentityResult.Fail(IdentityFailure.TooLarge);
        }

        JsonWebToken jwt;
        try
        {
            jwt = _handler.ReadJsonWebToken(token);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or JsonException or FormatException)
        {
            return IdentityResult.Fail(IdentityFailure.Malformed);
        }

        if (jwt.IsEncrypted)
        {
            return IdentityResult.Fail(IdentityFailure.Malformed);
        }

        string issuer = jwt.Issuer;
        if (_localIssuer is not null && string.Equals(issuer, _localIssuer, StringComparison.Ordinal))
        {
            return await ValidateLocalAsync(token, issuer).ConfigureAwait(false);
        }

        if (_external.TryGetValue(issuer, out ExternalIssuerKeys? external))
        {
            return await ValidateExternalAsync(token, external, cancellationToken).ConfigureAwait(false);
        }

        return IdentityResult.Fail(IdentityFailure.UnknownIssuer);
    }

    private async ValueTask<IdentityResult> ValidateLocalAsync(string token, string issuer)
    {
        DateTimeOffset now = _time.GetUtcNow();
        var parameters = Parameters(issuer, [_options.Audience], [SecurityAlgorithms.RsaSha256], [.. _ring!.Snapshot.Published(now, LocalTokenWindow).Select(k => (SecurityKey)k.Key)]);

        // RFC 9068 2.1: access tokens are typed at+jwt; an id token or a code must not pass as one.
        parameters.ValidTypes = ["at+jwt", "application/at+jwt"];
        (IdentityFailure failure, JsonWebToken? jwt) = await CheckAsync(token, parameters).ConfigureAwait(false);
        if (failure != IdentityFailure.None)
        {
            return IdentityResult.Fail(failure);
        }

        string? subject = Claim(jwt!, IdentityClaimTypes.Subject);
        string? clientId = Claim(jwt!, IdentityClaimTypes.ClientId) ?? Claim(jwt!, "azp");
        if (subject is null)
        {
            return IdentityResult.Fail(IdentityFailure.MissingClaim);
        }

        var roles = new List<string>();
        foreach (System.Security.Claims.Claim claim in jwt!.Claims)
        {
            if (claim.Type == IdentityClaimTypes.Role && roles.Count < MaxRoles && IdentityNames.IsValidRole(claim.Value))
            {
                roles.Add(claim.Value);
            }
        }

        return new IdentityResult
        {
            Subject = subject,
            ClientId = clientId,

            // RFC 9068 2.2: with client credentials the subject is the client itself.
            IsClient = clientId is not null && string.Equals(subject, clientId, StringComparison.Ordinal),
            Roles = roles,
            Issuer = issuer,
            ExpiresAt = jwt.ValidTo == DateTime.MinValue ? null : new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero),
        };
    }

    private async ValueTask<IdentityResult> ValidateExternalAsync(string token, ExternalIssuerKeys external, CancellationToken cancellationToken)
    {
        ExternalIssuerOptions options = external.Options;
        IReadOnlyList<SecurityKey>? keys = await external.GetAsync(refresh: false, cancellationToken).ConfigureAwait(false);
        if (keys is null)
        {
            return IdentityResult.Fail(IdentityFailure.KeysUnavailable);
        }

        (IdentityFailure failure, JsonWebToken? jwt) = await CheckAsync(token, Parameters(options.Issuer, options.Audiences, options.Algorithms, keys)).ConfigureAwait(false);
        if (failure == IdentityFailure.InvalidSignature)
        {
            // The issuer may have rolled its keys since they were fetched: fetch once more (rate-limited by the manager).
            IReadOnlyList<SecurityKey>? fresh = await external.GetAsync(refresh: true, cancellationToken).ConfigureAwait(false);
            if (fresh is not null && !ReferenceEquals(fresh, keys))
            {
                (failure, jwt) = await CheckAsync(token, Parameters(options.Issuer, options.Audiences, options.Algorithms, fresh)).ConfigureAwait(false);
            }
        }

        if (failure != IdentityFailure.None)
        {
            return IdentityResult.Fail(failure);
        }

        string? subject = Claim(jwt!, options.SubjectClaim);
        string? clientId = options.ClientIdClaims.Select(c => Claim(jwt!, c)).FirstOrDefault(c => c is not null);
        if (subject is null && clientId is null)
        {
            return IdentityResult.Fail(IdentityFailure.MissingClaim);
        }

        var roles = new List<string>();
        foreach (string role in ExternalRoles(jwt!, options.RoleClaim))
        {
            if (options.RoleMap.TryGetValue(role, out string? mapped) && IdentityNames.IsValidRole(mapped) && !roles.Contains(mapped) && roles.Count < MaxRoles)
            {
                roles.Add(mapped);
            }
        }

        bool isClient = subject is null || string.Equals(subject, clientId, StringComparison.Ordinal);
        return new IdentityResult
        {
            Subject = subject ?? clientId,
            ClientId = clientId,
            IsClient = isClient,
            Roles = roles,
            Issuer = options.Issuer,
            ExpiresAt = jwt!.ValidTo == DateTime.MinValue ? null : new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero),
        };
    }

    private async ValueTask<(IdentityFailure Failure, JsonWebToken? Token)> CheckAsync(string token, TokenValidationParameters parameters)
    {
        TokenValidationResult result = await _handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return (result.Exception switch
            {
                SecurityTokenInvalidAudienceException => IdentityFailure.WrongAudience,
                SecurityTokenInvalidIssuerException => IdentityFailure.UnknownIssuer,
                SecurityTokenInvalidTypeException => IdentityFailure.WrongTokenType,
                SecurityTokenNoExpirationException => IdentityFailure.Expired,
                SecurityTokenMalformedException => IdentityFailure.Malformed,
                _ => IdentityFailure.InvalidSignature,
            }, null);
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        DateTimeOffset now = _time.GetUtcNow();
        if (jwt.ValidTo == DateTime.MinValue || now > new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero) + _options.ClockSkew)
        {
            return (IdentityFailure.Expired, null);
        }

        if (jwt.ValidFrom != DateTime.MinValue && now + _options.ClockSkew < new DateTimeOffset(jwt.ValidFrom, TimeSpan.Zero))
        {
            return (IdentityFailure.NotYetValid, null);
        }

        return (IdentityFailure.None, jwt);
    }

    private static TokenValidationParameters Parameters(string issuer, IReadOnlyList<string> audiences, IReadOnlyList<string> algorithms, IReadOnlyList<SecurityKey> keys) => new()
    {
        ValidIssuer = issuer,
        ValidateIssuer = true,
        ValidAudiences = audiences,
        ValidateAudience = true,
        ValidAlgorithms = algorithms,
        IssuerSigningKeys = keys,
        ValidateIssuerSigningKey = true,
        RequireSignedTokens = true,
        RequireExpirationTime = true,

        // Lifetime is checked against the injected clock in CheckAsync.
        ValidateLifetime = false,
        TryAllIssuerSigningKeys = true,
    };

    private static string? Claim(JsonWebToken jwt, string type) =>
        jwt.TryGetPayloadValue(type, out string? value) && !string.IsNullOrEmpty(value) && value.Length <= 256 ? value : null;

    // A claim name, or a dotted path into JSON objects (realm_access.roles); values are a string or an array of strings.
    private static IEnumerable<string> ExternalRoles(JsonWebToken jwt, string path)
    {
        string[] segments = path.Split('.');
        if (!jwt.TryGetPayloadValue(segments[0], out JsonElement element))
        {
            yield break;
        }

        for (int i = 1; i < segments.Length; i++)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segments[i], out element))
            {
                yield break;
            }
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            yield return element.GetString()!;
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            int count = 0;
            foreach (JsonElement item in element.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && count++ < MaxRoles)
                {
                    yield return item.GetString()!;
                }
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
