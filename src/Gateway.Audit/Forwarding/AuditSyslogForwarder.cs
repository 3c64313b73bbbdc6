using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Audit.Checkpoints;
using Gateway.Audit.Export;
using Gateway.Audit.Records;
using Gateway.Audit.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Audit.Forwarding;

/// <summary>
/// Forwards the log to an audit record repository over syslog/TLS, at least once, in order, resuming from a durable
/// cursor (<c>forward/NAME.cursor</c>, fsynced) after an outage or a restart.
/// </summary>
/// <remarks>
/// Syslog over TLS has no acknowledgements. Delivery of a batch is confirmed by closing the TLS session in order: the
/// forwarder sends the batch, then its close_notify and a TCP FIN, and waits for the repository to close in turn. The
/// repository can only answer that after reading every byte before our close_notify, so the batch reached it; only then
/// does the cursor move. Any failure before that resends the whole batch on the next attempt: duplicates are possible
/// (at most one batch), gaps are not. Whether the repository keeps what it received across its own crash is its
/// configuration (a disk-assisted queue in rsyslog).
/// </remarks>
public sealed class AuditSyslogForwarder
{
    private readonly AuditLogPaths _paths;
    private readonly AuditDataKey _key;
    private readonly AuditSyslogOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _cursorPath;
    private readonly string _origin;

    /// <summary>A forwarder of the log in <paramref name="directory"/>; reads (never writes) the log.</summary>
    public AuditSyslogForwarder(string directory, AuditDataKey key, AuditSyslogOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Name.Length is 0 or > 64 || !options.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException("the forwarding name must be 1-64 letters, digits, '-' or '_'", nameof(options));
        }

        _paths = new AuditLogPaths(directory);
        _key = key;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _cursorPath = Path.Combine(_paths.Forward, options.Name + ".cursor");
        _origin = File.Exists(_paths.PublicKey) ? NoteVerifier.Parse(File.ReadAllText(_paths.PublicKey)).Name : "-";
        Cursor = ReadCursor(_cursorPath);
    }

    /// <summary>The index of the next record to deliver (everything before it was delivered).</summary>
    public long Cursor { get; private set; }

    /// <summary>Forwards until cancelled: delivers new records as they appear, retries failures with back-off.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        TimeSpan delay = _options.RetryDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            int delivered;
            try
            {
                delivered = await ForwardOnceAsync(cancellationToken).ConfigureAwait(false);
                delay = _options.RetryDelay;
            }
            catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException or TimeoutException or AuditLogException
                || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                AuditLogMessages.ForwardFailed(_logger, Target, Cursor, ex.Message);
                await Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
                continue;
            }

            if (delivered == 0)
            {
                await Delay(_options.PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Sends the records after the cursor (at most <see cref="AuditSyslogOptions.MaxBatchRecords"/>) in one TLS session,
    /// confirms delivery by the orderly close, and moves the cursor. Returns how many were delivered (0 when caught up).
    /// </summary>
    /// <exception cref="IOException">The connection failed; nothing was confirmed and the cursor did not move.</exception>
    public async Task<int> ForwardOnceAsync(CancellationToken cancellationToken = default)
    {
        var frames = new List<byte[]>();
        var reader = new AuditLogReader(_paths);
        long last = Cursor - 1;
        foreach ((AuditLeaf leaf, _) in reader.ReadLeaves(Cursor))
        {
            AuditRecord record = AuditSearch.Decrypt(leaf, _key);
            frames.Add(SyslogMessage.Frame(SyslogMessage.Format(leaf.Index, record, _origin, _options.HostName, _options.AppName)));
            last = leaf.Index;
            if (frames.Count == _options.MaxBatchRecords)
            {
                break;
            }
        }

        if (frames.Count == 0)
        {
            return 0;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        await SendAndConfirmAsync(frames, timeout.Token).ConfigureAwait(false);
        WriteCursor(last + 1);
        AuditLogMessages.ForwardDelivered(_logger, last, Target);
        return frames.Count;
    }

    private string Target => _options.Host + ":" + _options.Port.ToString(CultureInfo.InvariantCulture);

    private async Task SendAndConfirmAsync(List<byte[]> frames, CancellationToken cancellationToken)
    {
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(_options.Host, _options.Port, cancellationToken).ConfigureAwait(false);
        var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        await using (ssl.ConfigureAwait(false))
        {
            var authentication = new SslClientAuthenticationOptions
            {
                TargetHost = _options.TargetName ?? _options.Host,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = ValidateServer,
            };
            if (_options.ClientCertificate is { } clientCertificate)
            {
                authentication.ClientCertificates = [clientCertificate];
            }

            await ssl.AuthenticateAsClientAsync(authentication, cancellationToken).ConfigureAwait(false);
            using var batch = new MemoryStream();
            foreach (byte[] frame in frames)
            {
                batch.Write(frame);
            }

            await ssl.WriteAsync(batch.GetBuffer().AsMemory(0, (int)batch.Length), cancellationToken).ConfigureAwait(false);
            await ssl.FlushAsync(cancellationToken).ConfigureAwait(false);

            // Orderly close: close_notify, FIN, then wait for the peer's close. See the remarks on the type.
            await ssl.ShutdownAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            client.Client.Shutdown(SocketShutdown.Send);
            byte[] sink = new byte[4096];
            while (true)
            {
                int read;
                try
                {
                    read = await ssl.ReadAsync(sink, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    throw new IOException("the repository did not close the session in order; the batch is unconfirmed: " + ex.Message, ex);
                }

                if (read == 0)
                {
                    return;
                }
            }
        }
    }

    private bool ValidateServer(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        if (_options.TrustedRoots is not { Count: > 0 } roots)
        {
            return errors == SslPolicyErrors.None;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (X509ChainElement element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }

    private async Task Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private static long ReadCursor(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        string text = File.ReadAllText(path).Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long cursor)
            ? cursor
            : throw new AuditLogException($"forwarding cursor {path} is malformed");
    }

    private void WriteCursor(long cursor)
    {
        FileSync.CreateOwnerOnlyDirectory(_paths.Forward);
        FileSync.WriteAtomically(_cursorPath, Encoding.ASCII.GetBytes(cursor.ToString(CultureInfo.InvariantCulture) + "\n"), SecretFiles.OwnerOnly);
        Cursor = cursor;
    }
}
