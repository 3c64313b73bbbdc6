using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;

namespace Gateway.Host.Bridge;

/// <summary>
/// One DICOMweb origin serving as an upstream (<c>Gateway:Upstreams:NAME:DicomWeb</c>): its root, its bearer token, and
/// the one HTTP client that talks to it (no proxy, cookies, redirects or decompression; the token never leaves for
/// another host).
/// </summary>
public sealed class DicomWebUpstreamClient : IDisposable
{
    private readonly HttpMessageInvoker _client;
    private readonly string? _token;

    internal DicomWebUpstreamClient(string name, Uri root, string? trustedCaFile, string? token, TimeSpan timeout)
    {
        Name = name;
        Root = root.AbsoluteUri.EndsWith('/') ? root : new Uri(root.AbsoluteUri + "/");
        Timeout = timeout;
        _token = string.IsNullOrEmpty(token) ? null : token;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = timeout,
            ActivityHeadersPropagator = null,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
            },
        };
        if (trustedCaFile is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = TrustedCaValidator.FromPemFile(trustedCaFile).Validate;
        }

        _client = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    /// <summary>The upstream's name under <c>Gateway:Upstreams</c> (what logs and outbox destinations call it).</summary>
    public string Name { get; }

    /// <summary>The DICOMweb root, ending in a slash.</summary>
    public Uri Root { get; }

    /// <summary>How long a connection, a response's headers, or a silence within a response may take.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>A request for <paramref name="relative"/> under the root, with the bearer token when one is configured.</summary>
    public HttpRequestMessage CreateRequest(HttpMethod method, string relative, string accept)
    {
        var request = new HttpRequestMessage(method, new Uri(Root, relative)) { Version = HttpVersion.Version11 };
        request.Headers.TryAddWithoutValidation("Accept", accept);
        if (_token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }

        return request;
    }

    /// <summary>Sends a request; returns once the response's headers arrived (its body is read by the caller, as it streams).</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => _client.SendAsync(request, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();
}
