using System.Net;
using Gateway.Dicom;
using Gateway.Dicom.Network;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Services;
using Gateway.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Dimse;

/// <summary>
/// The DIMSE listeners of the two legs: plain on the device VLAN, TLS with a required client certificate on the
/// clinical network, each bound to its own address. Both accept Verification, Patient and Study Root Q/R, Modality
/// Worklist and storage, and serve them with the same relays.
/// </summary>
public sealed partial class DimseListeners(
    IOptions<GatewayOptions> options,
    GatewayTls tls,
    FindRelay find,
    RetrieveRelay retrieve,
    Policy.GatewayPolicy policy,
    ILoggerFactory loggers,
    Audit.GatewayAudit audit,
    IStoreService? store = null,
    Gateway.Identity.Validation.DimseIdentityValidator? identities = null) : IHostedService, IAsyncDisposable
{
    private static readonly IReadOnlyList<DicomTransferSyntax> CommandSyntaxes = [DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.ImplicitVRLittleEndian];
    private readonly List<(string Leg, DicomServer Server)> _servers = [];
    private readonly ILogger _logger = loggers.CreateLogger<DimseListeners>();

    /// <summary>The legs listening, with their bound end points.</summary>
    public IReadOnlyList<(string Leg, IPEndPoint EndPoint, bool Tls)> EndPoints =>
        [.. _servers.Select(s => (s.Leg, s.Server.LocalEndPoint!, s.Leg == "clinical"))];

    /// <summary>Associations open on all legs now.</summary>
    public int ActiveAssociations => _servers.Sum(s => s.Server.ActiveAssociations);

    /// <summary>What this gateway accepts on both legs.</summary>
    public static AssociationAcceptancePolicy AcceptancePolicy(string aeTitle) => new()
    {
        AETitle = aeTitle,
        RequireCalledAE = true,
        AcceptAllStorage = true,
        AbstractSyntaxes = new[]
        {
            DicomUids.Verification,
            DicomUids.PatientRootQueryRetrieveInformationModelFind,
            DicomUids.PatientRootQueryRetrieveInformationModelMove,
            DicomUids.PatientRootQueryRetrieveInformationModelGet,
            DicomUids.StudyRootQueryRetrieveInformationModelFind,
            DicomUids.StudyRootQueryRetrieveInformationModelMove,
            DicomUids.StudyRootQueryRetrieveInformationModelGet,
            DicomUids.ModalityWorklistInformationModelFind,
        }.ToDictionary(u => u.Value, _ => CommandSyntaxes),
    };

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        GatewayOptions gateway = options.Value;
        // Which called AE titles, calling peers and abstract syntaxes are accepted is the policy's decision.
        AssociationAcceptancePolicy acceptance = AcceptancePolicy(gateway.AETitle) with
        {
            RequireCalledAE = false,
            Authorize = policy.Authorize,
            Authenticate = identities is null ? null : AuthenticateAsync,
        };
        foreach ((string leg, DimseListenerOptions listener) in new[] { ("vlan", gateway.Vlan), ("clinical", gateway.Clinical) })
        {
            if (!listener.Enabled)
            {
                continue;
            }

            var serverOptions = new DicomServerOptions
            {
                BindAddress = IPAddress.Parse(listener.Address),
                Port = listener.Port,
                Tls = listener.Tls ? tls.ServerOptions() : null,
                MaxAssociations = listener.MaxAssociations,
                MaxConnectionsPerMinutePerAddress = listener.MaxConnectionsPerMinutePerAddress,
                MaxConnectionsPerAddress = listener.MaxConnectionsPerAddress,
            };
            ILogger legLogger = loggers.CreateLogger("Gateway.Dimse." + leg);
            var server = new DicomServer(serverOptions, acceptance, () => new DimseServiceDispatcher(store, find, retrieve, legLogger), legLogger);
            string legName = leg;
            server.ConnectionRefused += refusal => audit.ConnectionsRefused(legName, refusal);
            try
            {
                await server.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (System.Net.Sockets.SocketException ex)
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw new GatewayStartupException($"the {leg} leg cannot listen on {listener.Address}:{listener.Port}: {ex.Message}", ex);
            }

            _servers.Add((leg, server));
            LogListening(_logger, leg, server.LocalEndPoint!, listener.Tls ? "DIMSE over TLS, client certificate required" : "plain DIMSE");
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach ((_, DicomServer server) in _servers)
        {
            await server.StopAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach ((_, DicomServer server) in _servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        _servers.Clear();
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "DIMSE {Leg} leg listening on {EndPoint} ({Kind})")]
    private static partial void LogListening(ILogger logger, string leg, IPEndPoint endPoint, string kind);

    // A user identity in an A-ASSOCIATE-RQ (PS3.7 D.3.3.7): a JWT or a username and passcode, validated like the HTTPS
    // endpoint's credentials and audited as a login. One that does not validate rejects the association; none at all
    // is for the policy to judge (a flow may require one).
    private async ValueTask<AssociationIdentity?> AuthenticateAsync(Gateway.Dicom.Network.Pdus.UserIdentityRequest request, AssociationAuthorizationContext context, CancellationToken cancellationToken)
    {
        var where = new Gateway.Identity.Validation.DimseIdentityContext((context.RemoteEndPoint as IPEndPoint)?.Address.ToString(), context.Request.CallingAE, null);
        try
        {
            Gateway.Identity.Validation.IdentityResult result = await identities!.ValidateAsync(request, where, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                LogIdentityRefused(_logger, context.Request.CallingAE, context.RemoteEndPoint?.ToString(), result.Failure.ToString());
                return null;
            }

            return new AssociationIdentity(result, ReadOnlyMemory<byte>.Empty);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogIdentityFailed(_logger, ex, context.Request.CallingAE);
            return null;
        }
    }

    [LoggerMessage(EventId = 2120, Level = LogLevel.Warning, Message = "Association from {CallingAE} at {Remote} rejected: its user identity did not validate ({Failure})")]
    private static partial void LogIdentityRefused(ILogger logger, string callingAE, string? remote, string failure);

    [LoggerMessage(EventId = 2121, Level = LogLevel.Error, Message = "Association from {CallingAE} rejected: its user identity could not be checked")]
    private static partial void LogIdentityFailed(ILogger logger, Exception exception, string callingAE);
}
