using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Dicom.Network;

/// <summary>
/// A DICOM listener: accepts connections (plain or TLS), negotiates associations under a policy and serves each
/// with its own request handler, many at once. A misbehaving peer loses its own connection, never the others.
/// </summary>
public sealed partial class DicomServer : IAsyncDisposable
{
    private readonly DicomServerOptions _options;
    private readonly AssociationAcceptancePolicy _policy;
    private readonly Func<IDimseRequestHandler> _handlerFactory;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Guid, Task> _connections = new();
    private readonly ConcurrentDictionary<IPAddress, PeerConnections> _peers = new();
    private readonly X509Certificate2? _certificate;
    private readonly DicomTlsValidator? _validator;
    private readonly SslStreamCertificateContext? _certificateContext;
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private int _activeAssociations;

    /// <summary>Creates a server; <see cref="StartAsync"/> starts listening.</summary>
    public DicomServer(DicomServerOptions options, AssociationAcceptancePolicy policy, Func<IDimseRequestHandler> handlerFactory, ILogger? logger = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _policy = policy ?? throw new ArgumentNullException(nameof(policy));
        _handlerFactory = handlerFactory ?? throw new ArgumentNullException(nameof(handlerFactory));
        _logger = logger ?? NullLogger.Instance;
        if (options.Tls is { } tls)
        {
            _certificate = tls.LoadCertificate();
            _validator = new DicomTlsValidator(tls);
            _certificateContext = _validator.CertificateContext(_certificate);
        }
    }

    /// <summary>The address and port listened on (after <see cref="StartAsync"/>).</summary>
    public IPEndPoint? LocalEndPoint => _listener?.LocalEndPoint as IPEndPoint;

    /// <summary>Associations being served now.</summary>
    public int ActiveAssociations => Volatile.Read(ref _activeAssociations);

    /// <summary>Raised when an association is established (for logging and tests).</summary>
    public event Action<DicomAssociation>? AssociationEstablished;

    /// <summary>
    /// Raised when connections from an address are refused over a limit: at most once per address, limit and
    /// minute, with the number refused in the minute before, so that a flood cannot flood the listeners too.
    /// </summary>
    public event Action<ConnectionRefusal>? ConnectionRefused;

    /// <summary>Binds the port and starts accepting connections.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        var listener = new Socket(_options.BindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(new IPEndPoint(_options.BindAddress, _options.Port));
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        LogListening(_logger, LocalEndPoint!, _options.Tls is not null);
        _acceptLoop = Task.Run(() => AcceptLoopAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Stops accepting, ends every association and waits for them.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Task.WhenAll(_connections.Values).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _certificate?.Dispose();
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                LogAcceptFailed(_logger, ex.SocketErrorCode);
                continue;
            }

            socket.NoDelay = true;
            IPAddress? address = (socket.RemoteEndPoint as IPEndPoint)?.Address;
            PeerConnections? peer = null;
            if (address is not null)
            {
                ForgetIdlePeers();
                peer = _peers.GetOrAdd(address, _ => new PeerConnections());
                ConnectionLimit? refused = peer.TryOpen(Environment.TickCount64, _options.MaxConnectionsPerMinutePerAddress, _options.MaxConnectionsPerAddress, out int earlier);
                if (refused is { } limit)
                {
                    socket.Dispose();
                    if (earlier >= 0)
                    {
                        Refused(address, limit, earlier);
                    }

                    continue;
                }
            }

            Guid id = Guid.NewGuid();
            _connections[id] = ServeConnectionAsync(id, socket, peer, stopping);
        }
    }

    private void Refused(IPAddress address, ConnectionLimit limit, int earlier)
    {
        int max = limit == ConnectionLimit.PerMinute ? _options.MaxConnectionsPerMinutePerAddress : _options.MaxConnectionsPerAddress;
        if (limit == ConnectionLimit.PerMinute)
        {
            LogRateLimited(_logger, address, max, earlier);
        }
        else
        {
            LogTooManyOpen(_logger, address, max, earlier);
        }

        ConnectionRefused?.Invoke(new ConnectionRefusal(address, limit, max, earlier));
    }

    private async Task ServeConnectionAsync(Guid id, Socket socket, PeerConnections? peer, CancellationToken stopping)
    {
        await Task.Yield();
        EndPoint? remote = socket.RemoteEndPoint;
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        bool counted = false;
        try
        {
            if (_options.Tls is { } tls)
            {
                stream = await AuthenticateAsync(stream, tls, remote, stopping).ConfigureAwait(false);
            }

            bool overLimit = Interlocked.Increment(ref _activeAssociations) > _options.MaxAssociations;
            counted = true;
            AssociationAcceptancePolicy policy = overLimit
                ? _policy with { Screen = (_, _) => AssociateRejectPdu.LocalLimitExceeded() }
                : _policy;

            DicomAssociation? association = await DicomAssociation.AcceptAsync(stream, policy, _handlerFactory(), _options.Association, remote, _logger, stopping).ConfigureAwait(false);
            if (association is null)
            {
                return;
            }

            await using (association.ConfigureAwait(false))
            {
                AssociationEstablished?.Invoke(association);
                using CancellationTokenRegistration stop = stopping.Register(() => _ = association.AbortAsync());
                try
                {
                    await association.Completion.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is DicomAssociationAbortedException or DicomProtocolException)
                {
                    LogAssociationEnded(_logger, association.Id, ex.Message);
                }
            }
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or SocketException)
        {
            LogConnectionFailed(_logger, remote, ex.Message);
        }
        finally
        {
            if (counted)
            {
                Interlocked.Decrement(ref _activeAssociations);
            }

            await stream.DisposeAsync().ConfigureAwait(false);
            peer?.Close();
            _connections.TryRemove(id, out _);
        }
    }

    private async Task<Stream> AuthenticateAsync(Stream inner, DicomTlsOptions tls, EndPoint? remote, CancellationToken stopping)
    {
        var ssl = new SslStream(new ReadAheadStream(inner), leaveInnerStreamOpen: false);
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _certificateContext,
            CertificateChainPolicy = _validator!.ChainPolicy(),
            ClientCertificateRequired = tls.RequireClientCertificate,
            EnabledSslProtocols = DicomTlsOptions.Protocols,
            CipherSuitesPolicy = DicomTlsOptions.CreateCipherSuitesPolicy(),
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                cert is null ? !tls.RequireClientCertificate : _validator!.Validate(cert, errors & ~SslPolicyErrors.RemoteCertificateNameMismatch, checkName: false),
        };
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        handshake.CancelAfter(_options.Association.ArtimTimeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(options, handshake.Token).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
        {
            LogTlsFailed(_logger, remote, _validator?.LastError ?? ex.Message);
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new AuthenticationException("TLS handshake failed", ex);
        }
    }

    private void ForgetIdlePeers()
    {
        if (_peers.Count <= 10_000)
        {
            return;
        }

        // The table itself must not grow without bound under a flood from many addresses.
        long now = Environment.TickCount64;
        foreach (KeyValuePair<IPAddress, PeerConnections> entry in _peers)
        {
            if (entry.Value.IsIdle(now))
            {
                _peers.TryRemove(entry.Key, out _);
            }
        }
    }

    // Connections from one address: how many are open, how many were opened this minute, and what was refused.
    private sealed class PeerConnections
    {
        private readonly Lock _lock = new();
        private int _open;
        private int _opened;
        private long _windowStart = long.MinValue / 2;
        private int _refusedThisWindow;
        private int _refusedLastWindow;
        private ConnectionLimit? _reportedThisWindow;

        // Counts a new connection, or says which limit refuses it; earlier is the count refused in the minute
        // before when this refusal is the first of its kind in this minute (report it), else -1.
        public ConnectionLimit? TryOpen(long now, int perMinute, int concurrent, out int earlier)
        {
            lock (_lock)
            {
                if (now - _windowStart >= 60_000)
                {
                    _windowStart = now;
                    _opened = 0;
                    _refusedLastWindow = _refusedThisWindow;
                    _refusedThisWindow = 0;
                    _reportedThisWindow = null;
                }

                ConnectionLimit? refused = _opened >= perMinute ? ConnectionLimit.PerMinute
                    : _open >= concurrent ? ConnectionLimit.Concurrent
                    : null;
                if (refused is null)
                {
                    _opened++;
                    _open++;
                    earlier = -1;
                    return null;
                }

                _refusedThisWindow++;
                if (_reportedThisWindow == refused)
                {
                    earlier = -1;
                }
                else
                {
                    _reportedThisWindow = refused;
                    earlier = _refusedLastWindow;
                }

                return refused;
            }
        }

        public void Close()
        {
            lock (_lock)
            {
                _open--;
            }
        }

        public bool IsIdle(long now)
        {
            lock (_lock)
            {
                return _open == 0 && now - _windowStart > 60_000;
            }
        }
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Listening for DICOM on {EndPoint} (TLS: {Tls})")]
    private static partial void LogListening(ILogger logger, IPEndPoint endPoint, bool tls);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Accept failed: {Error}")]
    private static partial void LogAcceptFailed(ILogger logger, SocketError error);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "Connections from {Address} refused: more than {Max} per minute (logged once a minute; {Earlier} refused the minute before)")]
    private static partial void LogRateLimited(ILogger logger, IPAddress address, int max, int earlier);

    [LoggerMessage(EventId = 1307, Level = LogLevel.Warning, Message = "Connections from {Address} refused: more than {Max} open at once (logged once a minute; {Earlier} refused the minute before)")]
    private static partial void LogTooManyOpen(ILogger logger, IPAddress address, int max, int earlier);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Information, Message = "Association {AssociationId} ended: {Reason}")]
    private static partial void LogAssociationEnded(ILogger logger, Guid associationId, string reason);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Warning, Message = "Connection from {RemoteEndPoint} failed: {Reason}")]
    private static partial void LogConnectionFailed(ILogger logger, EndPoint? remoteEndPoint, string reason);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Warning, Message = "TLS handshake with {RemoteEndPoint} failed: {Reason}")]
    private static partial void LogTlsFailed(ILogger logger, EndPoint? remoteEndPoint, string reason);
}
