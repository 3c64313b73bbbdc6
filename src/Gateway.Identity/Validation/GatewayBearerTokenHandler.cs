using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Identity.Validation;

/// <summary>
/// Plugs <see cref="GatewayTokenValidator"/> into ASP.NET Core's JwtBearer scheme (as its only token handler), so HTTP
/// requests and DIMSE associations are validated by the same rules.
/// </summary>
/// <remarks>The JwtBearer options' own <see cref="TokenValidationParameters"/> are ignored: the validator chooses per issuer.</remarks>
internal sealed class GatewayBearerTokenHandler(GatewayTokenValidator validator) : TokenHandler
{
    /// <inheritdoc/>
    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        IdentityResult result = await validator.ValidateAsync(token).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return new TokenValidationResult
            {
                IsValid = false,
                Exception = new SecurityTokenValidationException("token refused: " + IdentityFailures.Code(result.Failure)),
            };
        }

        return new TokenValidationResult
        {
            IsValid = true,
            ClaimsIdentity = result.ToClaimsIdentity(GatewayIdentityDefaults.BearerScheme),
            SecurityToken = new JsonWebToken(token),
            Issuer = result.Issuer,
        };
    }

    /// <inheritdoc/>
    public override SecurityToken ReadToken(string token) => new JsonWebToken(token);
}
