using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Transport;
using Microsoft.Extensions.Logging;

namespace Gateway.Dicom.Network;

/// <summary>Opens associations to a peer: TCP (no Nagle), optionally TLS with mutual authentication, then A-ASSOCIATE.</summary>
public static class DicomClient
{
    /// <summary>Connects and requests an association.</summary>
    /// <exception cref="DicomAssociationRejectedException">The peer rejected the association.</exception>
    /// <exception cref="DicomAssociationAbortedException">The peer aborted or did not answer.</exception>
    /// <exception cref="SocketException">The connection failed.</exception>
    /// <exception cref="AuthenticationException">The TLS handshake failed (including an untrusted peer certificate).</exception>
    public static async Task<DicomAssociation> ConnectAsync(
        DicomClientOptions options,
        AssociationRequest request,
        IDimseRequestHandler? handler = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(request);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            if (options.LocalAddress is { } local)
            {
                socket.Bind(new IPEndPoint(local, 0));
            }

            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(options.Association.ConnectTimeout);
                try
                {
                    await socket.ConnectAsync(options.Host, options.Port, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"No connection to {options.Host}:{options.Port} within {options.Association.ConnectTimeout.TotalSeconds:0} s.");
                }
            }

            EndPoint? remote = socket.RemoteEndPoint;
            stream = new NetworkStream(socket, ownsSocket: true);
            if (options.Tls is { } tls)
            {
                stream = await AuthenticateAsync(stream, options.Host, tls, options.Association.ArtimTimeout, cancellationToken).ConfigureAwait(false);
            }

            return await DicomAssociation.RequestAsync(stream, request, options.Association, handler, remote, logger, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                socket.Dispose();
            }

            throw;
        }
    }

    private static async Task<SslStream> AuthenticateAsync(Stream inner, string host, DicomTlsOptions tls, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var validator = new DicomTlsValidator(tls);
        X509Certificate2 certificate = tls.LoadCertificate();
        var ssl = new SslStream(new ReadAheadStream(inner), leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            ClientCertificateContext = validator.CertificateContext(certificate),
            CertificateChainPolicy = validator.ChainPolicy(),
            EnabledSslProtocols = DicomTlsOptions.Protocols,
            CipherSuitesPolicy = DicomTlsOptions.CreateCipherSuitesPolicy(),
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, cert, _, errors) => validator.Validate(cert, errors, tls.CheckServerName),
        };
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        handshake.CancelAfter(timeout);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, handshake.Token).ConfigureAwait(false);
            return ssl;
        }
        catch (AuthenticationException ex) when (validator.LastError is { } reason)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new AuthenticationException("TLS: " + reason, ex);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
