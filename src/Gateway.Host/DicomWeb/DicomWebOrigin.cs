using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Gateway.Host.DicomWeb;

/// <summary>The PACS's DICOMweb root and the one HTTP client that talks to it (no proxy, cookies or redirects).</summary>
public sealed class DicomWebOrigin : IDisposable
{
    private readonly DicomWebOptions _options;
    private readonly Policy.GatewayPolicy _policy;
    private readonly X509Certificate2Collection? _trusted;

    /// <summary>Creates the client.</summary>
    public DicomWebOrigin(IOptions<DicomWebOptions> options, Policy.GatewayPolicy policy, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        _options = options.Value;
        _policy = policy;
        if (_options.OriginTrustedCa is { } ca)
        {
            _trusted = [];
            _trusted.ImportFromPemFile(Path.GetFullPath(ca, environment.ContentRootPath));
        }

        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            ActivityHeadersPropagator = null,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),

            // An origin's one-second keep-alive (Orthanc 1.10) would otherwise cost a new connection per request.
            PlaintextStreamFilter = ShortKeepAliveStream.FilterAsync,
        };
        if (_trusted is not null)
        {
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = ValidateWithTrustedCa };
        }

        Client = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    /// <summary>The client for forwarded requests.</summary>
    public HttpMessageInvoker Client { get; }

    /// <summary>How long an upstream exchange may stay idle.</summary>
    public TimeSpan ActivityTimeout => TimeSpan.FromSeconds(_options.TimeoutSeconds);

    /// <summary>The origin root (ending in a slash), from the options or else the policy service's <c>origin</c>; null when neither is set.</summary>
    public Uri? Root
    {
        get
        {
            Uri? origin = _options.Origin ?? _policy.Service(_options.Service)?.Origin;
            if (origin is null)
            {
                return null;
            }

            return origin.AbsoluteUri.EndsWith('/') ? origin : new Uri(origin.AbsoluteUri + "/");
        }
    }

    /// <inheritdoc />
    public void Dispose() => Client.Dispose();

    private bool ValidateWithTrustedCa(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_trusted!);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }
}
