using Microsoft.IdentityModel.Tokens;

namespace Gateway.Identity.Keys;

/// <summary>One RSA signing key of the local server.</summary>
/// <param name="KeyId">The JWK thumbprint (RFC 7638), the <c>kid</c> of tokens it signs.</param>
/// <param name="CreatedAt">When it was created; the newest key signs.</param>
/// <param name="Key">The key (private part included).</param>
/// <param name="FileName">Its file in the key directory.</param>
public sealed record SigningKey(string KeyId, DateTimeOffset CreatedAt, RsaSecurityKey Key, string FileName)
{
    /// <summary>Credentials for RS256 signatures with this key.</summary>
    public SigningCredentials Credentials { get; } = new(Key, SecurityAlgorithms.RsaSha256);

    /// <summary>The public key as a JSON Web Key (what the JWKS publishes).</summary>
    public JsonWebKey PublicJwk()
    {
        System.Security.Cryptography.RSAParameters parameters = Key.Rsa.ExportParameters(includePrivateParameters: false);
        return new JsonWebKey
        {
            Kty = JsonWebAlgorithmsKeyTypes.RSA,
            Use = JsonWebKeyUseNames.Sig,
            Alg = SecurityAlgorithms.RsaSha256,
            Kid = KeyId,
            N = Base64UrlEncoder.Encode(parameters.Modulus),
            E = Base64UrlEncoder.Encode(parameters.Exponent),
        };
    }
}
