using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Identity.Tests.Support;

/// <summary>A stand-in for a hospital's OIDC issuer (Keycloak-like tokens), with a locally generated key: no network.</summary>
internal sealed class TestIssuer : IDisposable
{
    public const string Name = "https://sso.hospital.test/realms/imaging";

    private readonly RSA _rsa = RSA.Create(2048);

    public TestIssuer()
    {
        Key = new RsaSecurityKey(_rsa) { KeyId = "sso-key-1" };
    }

    public RsaSecurityKey Key { get; }

    /// <summary>Writes the public JWKS to <paramref name="path"/>.</summary>
    public void WriteJwks(string path)
    {
        JsonWebKey jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = Key.KeyId });
        jwk.Use = "sig";
        jwk.Alg = "RS256";
        File.WriteAllText(path, JsonSerializer.Serialize(new { keys = new[] { new { kty = jwk.Kty, use = jwk.Use, alg = jwk.Alg, kid = jwk.Kid, n = jwk.N, e = jwk.E } } }));
    }

    /// <summary>A token as Keycloak issues them: roles in realm_access.roles.</summary>
    public string Token(DateTimeOffset now, string subject = "f3a1-user", string audience = "dicom-gateway", string[]? roles = null, TimeSpan? lifetime = null, SecurityKey? key = null, string issuer = Name)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = subject,
            ["azp"] = "web-viewer",
            ["preferred_username"] = "dr.x",
            ["realm_access"] = new Dictionary<string, object> { ["roles"] = roles ?? ["radiologist", "offline_access"] },
        };
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + (lifetime ?? TimeSpan.FromMinutes(5))).UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(key ?? Key, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    public void Dispose() => _rsa.Dispose();
}
