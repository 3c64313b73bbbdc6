using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Dicom.Network.Associations;

/// <summary>
/// An established DICOM association (PS3.8) on a TCP or TLS connection, on either side: it assembles incoming
/// DIMSE messages, routes responses to the requests that wait for them and requests to an
/// <see cref="IDimseRequestHandler"/>, and sends messages fragmented to the peer's maximum PDU length.
/// </summary>
/// <remarks>
/// Created by <see cref="RequestAsync"/> (association requester, SCU side) or <see cref="AcceptAsync"/> (acceptor).
/// One task reads the connection; sends are serialised. A protocol violation by the peer aborts the association
/// once (A-ABORT, service-provider source, with the reason of the violation) and fails every waiting operation.
/// </remarks>
public sealed partial class DicomAssociation : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly PduChannel _channel;
    private readonly ILogger _logger;
    private readonly IDimseRequestHandler? _handler;
    private readonly Dictionary<byte, NegotiatedPresentationContext> _contexts;
    private readonly ConcurrentDictionary<ushort, PendingRequest> _pending = new();
    private readonly ConcurrentDictionary<ushort, byte> _abandoned = new();
    private readonly CancellationTokenSource _lifetime = new();

    // One DIMSE message (command and data set) at a time: PS3.7 and every peer expect a message's fragments
    // contiguous, so a C-GET's pending response must not land between a C-STORE sub-operation's command and data set.
    private readonly SemaphoreSlim _messageLock = new(1, 1);
    private readonly TaskCompletionSource _releaseResponse = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _receiveLoop = Task.CompletedTask;
    private int _nextMessageId;
    private int _state;
    private int _abortSent;
    private Exception? _failure;

    private DicomAssociation(
        Stream stream,
        PduChannel channel,
        bool isRequester,
        AssociatePdu request,
        AssociateAcceptPdu accept,
        IReadOnlyList<NegotiatedPresentationContext> contexts,
        AssociationOptions options,
        IDimseRequestHandler? handler,
        EndPoint? remoteEndPoint,
        X509Certificate? peerCertificate,
        ILogger? logger)
    {
        _stream = stream;
        _channel = channel;
        IsRequester = isRequester;
        Options = options;
        _handler = handler;
        _logger = logger ?? NullLogger.Instance;
        CallingAE = request.CallingAE;
        CalledAE = request.CalledAE;
        UserIdentity = (request as AssociateRequestPdu)?.UserInformation.UserIdentity;
        PresentationContexts = contexts;
        _contexts = contexts.ToDictionary(c => c.Id);
        AssociatePdu peer = isRequester ? accept : request;
        PeerMaxPduLength = peer.UserInformation.MaximumLength;
        PeerImplementationClassUid = peer.UserInformation.ImplementationClassUid;
        PeerImplementationVersionName = peer.UserInformation.ImplementationVersionName;
        RemoteEndPoint = remoteEndPoint;
        PeerCertificate = peerCertificate;
        _state = (int)AssociationState.Sta6Established;
    }

    /// <summary>A unique id for logs and audit records.</summary>
    public Guid Id { get; } = Guid.NewGuid();

    /// <summary>True on the side that requested the association.</summary>
    public bool IsRequester { get; }

    /// <summary>The requester's AE title.</summary>
    public string CallingAE { get; }

    /// <summary>The acceptor's AE title, as the requester called it.</summary>
    public string CalledAE { get; }

    /// <summary>The user identity the requester sent (PS3.7 D.3.3.7), if any.</summary>
    public UserIdentityRequest? UserIdentity { get; }

    /// <summary>Every presentation context with its negotiation result.</summary>
    public IReadOnlyList<NegotiatedPresentationContext> PresentationContexts { get; }

    /// <summary>The peer's Maximum Length for P-DATA-TF PDUs we send; 0 means unlimited.</summary>
    public uint PeerMaxPduLength { get; }

    /// <summary>The peer's Implementation Class UID.</summary>
    public string PeerImplementationClassUid { get; }

    /// <summary>The peer's Implementation Version Name, if sent.</summary>
    public string? PeerImplementationVersionName { get; }

    /// <summary>The peer's network address.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>The peer's TLS certificate, on a TLS connection that presented one.</summary>
    public X509Certificate? PeerCertificate { get; }

    /// <summary>What <see cref="AssociationAcceptancePolicy.Authorize"/> attached to this association (acceptor side), or null.</summary>
    public object? Authorization { get; private init; }

    /// <summary>The user identity the acceptor verified (<see cref="AssociationAcceptancePolicy.Authenticate"/>), or null.</summary>
    public AssociationIdentity? Identity { get; private init; }

    /// <summary>The options in force.</summary>
    public AssociationOptions Options { get; }

    /// <summary>The protocol state (PS3.8 Table 9-1).</summary>
    public AssociationState State => (AssociationState)Volatile.Read(ref _state);

    /// <summary>Bytes received on the connection.</summary>
    public long BytesReceived => _channel.BytesReceived;

    /// <summary>Bytes sent on the connection.</summary>
    public long BytesSent => _channel.BytesSent;

    /// <summary>Completes when the association has ended (released, aborted or failed); faults with the reason when it failed.</summary>
    public Task Completion => _receiveLoop;

    /// <summary>Finds the accepted presentation context for an abstract syntax, preferring <paramref name="preferredTransferSyntax"/>.</summary>
    public NegotiatedPresentationContext? FindAcceptedContext(string abstractSyntax, DicomTransferSyntax? preferredTransferSyntax = null)
    {
        NegotiatedPresentationContext? first = null;
        foreach (NegotiatedPresentationContext pc in PresentationContexts)
        {
            if (pc.IsAccepted && pc.AbstractSyntax == abstractSyntax)
            {
                if (preferredTransferSyntax is null || pc.TransferSyntax.Equals(preferredTransferSyntax))
                {
                    return pc;
                }

                first ??= pc;
            }
        }

        return first;
    }

    /// <summary>Releases the association (A-RELEASE-RQ, waiting for A-RELEASE-RP), then closes the connection.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, (int)AssociationState.Sta7AwaitingReleaseResponse, (int)AssociationState.Sta6Established) != (int)AssociationState.Sta6Established)
        {
            await DisposeAsync().ConfigureAwait(false);
            return;
        }

        try
        {
            await _channel.WritePduAsync(ReleaseRequestPdu.Instance, cancellationToken).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Options.ArtimTimeout);
            await _releaseResponse.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogReleaseTimeout(_logger, Id);
            await AbortAsync().ConfigureAwait(false);
        }
        finally
        {
            await DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Aborts the association (A-ABORT, service-user source) and closes the connection.</summary>
    public async Task AbortAsync()
    {
        await SendAbortAsync(new AbortPdu(AbortSource.ServiceUser, AbortReason.NotSpecified)).ConfigureAwait(false);
        Fail(new DicomAssociationAbortedException("the association was aborted locally"));
        await DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, (int)AssociationState.Sta1Idle) == (int)AssociationState.Sta1Idle)
        {
            return;
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        Fail(new DicomAssociationAbortedException("the association was closed"));
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The connection may already be gone; closing it is all that was wanted.
        }

        try
        {
            await _receiveLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            await _channel.DisposeAsync().ConfigureAwait(false);
            _lifetime.Dispose();
        }
    }

    private async ValueTask SendAbortAsync(AbortPdu abort)
    {
        if (Interlocked.Exchange(ref _abortSent, 1) == 1)
        {
            // One A-ABORT per association: nothing may follow it (PS3.8 9.3.8).
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _channel.WritePduAsync(abort, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            // Best effort: the peer may be gone already.
        }
    }

    // Records why the association ended and fails every operation waiting on it.
    private void Fail(Exception reason)
    {
        Interlocked.CompareExchange(ref _failure, reason, null);
        foreach (PendingRequest pending in _pending.Values)
        {
            pending.Fail(_failure!);
        }

        _releaseResponse.TrySetException(_failure!);
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Association {AssociationId}: no A-RELEASE-RP within the ARTIM timeout; aborting")]
    private static partial void LogReleaseTimeout(ILogger logger, Guid associationId);
}
