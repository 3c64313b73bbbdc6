using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Identity.Validation;

/// <summary>The signing keys of one external issuer: from a JWKS file (read once) or from its discovery document (cached, refreshed).</summary>
internal sealed class ExternalIssuerKeys
{
    private const int MaxJwksFileBytes = 256 * 1024;

    private readonly IReadOnlyList<SecurityKey>? _static;
    private readonly ConfigurationManager<OpenIdConnectConfiguration>? _discovery;

    public ExternalIssuerKeys(ExternalIssuerOptions options, HttpClient? backchannel)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        if (options.JwksFile is { } file)
        {
            var info = new FileInfo(file);
            if (!info.Exists || info.Length > MaxJwksFileBytes)
            {
                throw new InvalidDataException($"JWKS file {file} of issuer {options.Issuer} is missing or larger than {MaxJwksFileBytes} bytes");
            }

            try
            {
                _static = [.. new JsonWebKeySet(File.ReadAllText(file)).GetSigningKeys()];
            }
            catch (ArgumentException ex)
            {
                throw new InvalidDataException($"JWKS file {file} of issuer {options.Issuer} is not a JSON Web Key Set: {ex.Message}", ex);
            }

            if (_static.Count == 0)
            {
                throw new InvalidDataException($"JWKS file {file} of issuer {options.Issuer} holds no signing key");
            }
        }
        else
        {
            Uri metadata = options.MetadataAddress ?? new Uri(options.Issuer.TrimEnd('/') + "/.well-known/openid-configuration");
            var retriever = backchannel is null ? new HttpDocumentRetriever { RequireHttps = true } : new HttpDocumentRetriever(backchannel) { RequireHttps = true };
            _discovery = new ConfigurationManager<OpenIdConnectConfiguration>(metadata.AbsoluteUri, new OpenIdConnectConfigurationRetriever(), retriever);
        }
    }

    public ExternalIssuerOptions Options { get; }

    /// <summary>The issuer's signing keys; null when discovery failed.</summary>
    public async ValueTask<IReadOnlyList<SecurityKey>?> GetAsync(bool refresh, CancellationToken cancellationToken)
    {
        if (_static is not null)
        {
            return _static;
        }

        try
        {
            if (refresh)
            {
                _discovery!.RequestRefresh();
            }

            OpenIdConnectConfiguration configuration = await _discovery!.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
            return [.. configuration.SigningKeys];
        }
        catch (InvalidOperationException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
