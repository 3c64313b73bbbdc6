using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Services;
using Gateway.Host.Configuration;
using Gateway.Policy;
using Gateway.Policy.Model;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Policy;

/// <summary>
/// The allowed-flows policy in force (<c>policies/*.yaml</c>, see policies/README.md), applied to DIMSE: at
/// association time (unknown or spoofing peers rejected, only the abstract syntaxes some flow allows accepted) and to
/// every request and sub-operation. An invalid policy at start-up stops the gateway; SIGHUP reloads it, keeping the
/// last good one when the new one has errors.
/// </summary>
public sealed partial class GatewayPolicy : IDisposable
{
    private readonly PolicyStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<GatewayPolicy> _logger;
    private readonly PosixSignalRegistration? _reloadSignal;
    private readonly Audit.GatewayAudit _audit;
    private readonly PolicyTraffic _traffic;

    /// <summary>Loads the policy from the configured directory.</summary>
    /// <exception cref="GatewayStartupException">The policy is missing or invalid (every error in the message).</exception>
    public GatewayPolicy(IOptions<GatewayOptions> options, IHostEnvironment environment, Audit.GatewayAudit audit, PolicyTraffic traffic, ILogger<GatewayPolicy> logger, TimeProvider? time = null)
    {
        _audit = audit;
        _traffic = traffic;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        _logger = logger;
        _time = time ?? TimeProvider.System;
        Directory = Path.GetFullPath(options.Value.PolicyDirectory, environment.ContentRootPath);
        _store = new PolicyStore(Directory, _time);
        try
        {
            PolicySnapshot snapshot = _store.LoadOrThrow();
            LogLoaded(_logger, Directory, snapshot.Evaluator.Mode, snapshot.Evaluator.Model.Flows.Count);
        }
        catch (PolicyLoadException ex)
        {
            throw new GatewayStartupException($"the policy in {Directory} is invalid: {ex.Message}", ex);
        }

        if (!OperatingSystem.IsWindows())
        {
            _reloadSignal = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                Reload();
            });
        }
    }

    /// <summary>The policy directory.</summary>
    public string Directory { get; }

    /// <summary>The model in force.</summary>
    public PolicyModel Model => _store.Current!.Evaluator.Model;

    /// <summary>Loads the policy again; keeps the last good one when the new one has errors.</summary>
    public PolicyReloadResult Reload()
    {
        PolicyReloadResult result = _store.Reload();
        if (result.Applied)
        {
            LogReloaded(_logger, result.Summary);
        }
        else
        {
            LogReloadRefused(_logger, result.Summary);
        }

        return result;
    }

    /// <summary>The DIMSE service a called AE title names, or null.</summary>
    public ServiceDefinition? ServiceFor(string calledAE) =>
        Model.Services.FirstOrDefault(s => s.IsDimse && string.Equals(s.AETitle, calledAE?.Trim(), StringComparison.Ordinal));

    /// <summary>The association-time decision (for <see cref="AssociationAcceptancePolicy.Authorize"/>).</summary>
    public AssociationAuthorization Authorize(AssociationAuthorizationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Gateway.Identity.Validation.IdentityResult? identity = IdentityOf(context.Identity);
        var request = new PolicyAssociationRequest
        {
            CallingAE = context.Request.CallingAE,
            CalledAE = context.Request.CalledAE,
            RemoteAddress = (context.RemoteEndPoint as IPEndPoint)?.Address,
            Certificate = context.Certificate is X509Certificate2 certificate ? PolicyCertificate.FromCertificate(certificate) : null,
            At = _time.GetUtcNow(),
            UserId = identity?.PolicyUserId,
            ClientId = identity?.ClientId,
            Roles = identity?.Roles,
        };
        PolicyAssociationDecision decision = _store.Current!.Evaluator.EvaluateAssociation(request);
        _traffic.ObserveAssociation(context.Request.CallingAE, context.Request.CalledAE, request.RemoteAddress, request.Certificate is not null, decision.Decision, request.At);
        Record(decision.Decision, "association", context.Request.CallingAE, context.Request.CalledAE, context.RemoteEndPoint);
        if (decision.Decision.Outcome != PolicyOutcome.Allow)
        {
            _audit.SecurityAlert(context.Request.CallingAE, context.Request.CalledAE, context.RemoteEndPoint, decision.Decision, "association");
        }

        if (!decision.Decision.IsAllowed)
        {
            AssociateRejectPdu reject = decision.Decision.Reason switch
            {
                PolicyReason.UnknownService => AssociateRejectPdu.CalledAETitleNotRecognized(),
                PolicyReason.UnknownPeer or PolicyReason.AddressMismatch or PolicyReason.CertificateRequired or PolicyReason.CertificateMismatch
                    => AssociateRejectPdu.CallingAETitleNotRecognized(),
                _ => AssociateRejectPdu.NoReasonGiven(),
            };
            return AssociationAuthorization.Rejected(reject);
        }

        return new AssociationAuthorization { AcceptsAbstractSyntax = decision.Accepts, State = decision };
    }

    /// <summary>Checks one request (or sub-operation) on an association; throws Not Authorized (0124) when the policy denies it.</summary>
    /// <exception cref="DimseStatusException">Denied.</exception>
    public PolicyDecision Check(DicomAssociation association, PolicyOperation operation, string? sopClass, string? moveDestination = null, long? objectSize = null)
    {
        ArgumentNullException.ThrowIfNull(association);
        Gateway.Identity.Validation.IdentityResult? identity = IdentityOf(association.Identity);
        var request = new PolicyRequest
        {
            Protocol = PolicyProtocol.Dimse,
            Operation = operation,
            CallingAE = association.CallingAE,
            CalledAE = association.CalledAE,
            RemoteAddress = (association.RemoteEndPoint as IPEndPoint)?.Address,
            Certificate = association.PeerCertificate is X509Certificate2 certificate ? PolicyCertificate.FromCertificate(certificate) : null,
            SopClassUid = sopClass,
            MoveDestination = moveDestination,
            ObjectSize = objectSize,
            At = _time.GetUtcNow(),
            UserId = identity?.PolicyUserId,
            ClientId = identity?.ClientId,
            Roles = identity?.Roles,
        };
        PolicyDecision decision = Evaluate(request, association.RemoteEndPoint);
        if (!decision.IsAllowed)
        {
            throw new DimseStatusException(DimseStatus.NotAuthorized, "refused by policy: " + PolicyReasons.Code(decision.Reason));
        }

        return decision;
    }

    /// <summary>
    /// Decides a request the gateway makes on a device's behalf (prefetch: as if device <paramref name="callingAE"/> at
    /// <paramref name="address"/> asked service <paramref name="calledAE"/>), recording it like a device's own request;
    /// a denial is returned, not thrown, and audited as a Security Alert.
    /// </summary>
    public PolicyDecision Decide(string callingAE, IPAddress? address, string calledAE, PolicyOperation operation, string? sopClass, string? moveDestination = null)
    {
        var request = new PolicyRequest
        {
            Protocol = PolicyProtocol.Dimse,
            Operation = operation,
            CallingAE = callingAE,
            CalledAE = calledAE,
            RemoteAddress = address,
            SopClassUid = sopClass,
            MoveDestination = moveDestination,
            At = _time.GetUtcNow(),
        };
        return Evaluate(request, address is null ? null : new IPEndPoint(address, 0));
    }

    private PolicyDecision Evaluate(PolicyRequest request, EndPoint? remote)
    {
        PolicyDecision decision = _store.Evaluate(request);
        _traffic.Observe(request, decision, tls: request.Certificate is not null);
        Record(decision, request.Operation.ToString(), request.CallingAE!, request.CalledAE!, remote);
        if (decision.Outcome != PolicyOutcome.Allow)
        {
            _audit.SecurityAlert(request.CallingAE!, request.CalledAE!, remote, decision, request.Operation.ToString().ToLowerInvariant());
        }

        return decision;
    }

    /// <inheritdoc />
    public void Dispose() => _reloadSignal?.Dispose();

    // The verified DIMSE user identity of an association (DimseListeners), or null.
    private static Gateway.Identity.Validation.IdentityResult? IdentityOf(AssociationIdentity? identity) =>
        identity?.Principal as Gateway.Identity.Validation.IdentityResult;

    private void Record(PolicyDecision decision, string what, string callingAE, string calledAE, EndPoint? remote)
    {
        if (decision.Outcome == PolicyOutcome.Allow)
        {
            LogAllowed(_logger, what, callingAE, calledAE, remote?.ToString(), decision.Rule);
        }
        else if (decision.SecurityAlert)
        {
            LogSecurityAlert(_logger, what, callingAE, calledAE, remote?.ToString(), decision.ToString());
        }
        else
        {
            LogDenied(_logger, what, callingAE, calledAE, remote?.ToString(), decision.ToString());
        }
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Policy loaded from {Directory}: mode {Mode}, {Flows} flow(s)")]
    private static partial void LogLoaded(ILogger logger, string directory, PolicyMode mode, int flows);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "Policy reloaded: {Summary}")]
    private static partial void LogReloaded(ILogger logger, string summary);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Error, Message = "Policy reload refused, the last good policy stays in force: {Summary}")]
    private static partial void LogReloadRefused(ILogger logger, string summary);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Debug, Message = "Policy allowed {What} {CallingAE} -> {CalledAE} from {Remote} by {Rule}")]
    private static partial void LogAllowed(ILogger logger, string what, string callingAE, string calledAE, string? remote, string rule);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Warning, Message = "Policy denied {What} {CallingAE} -> {CalledAE} from {Remote}: {Decision}")]
    private static partial void LogDenied(ILogger logger, string what, string callingAE, string calledAE, string? remote, string decision);

    [LoggerMessage(EventId = 2206, Level = LogLevel.Warning, Message = "SECURITY ALERT: {What} {CallingAE} -> {CalledAE} from {Remote}: {Decision}")]
    private static partial void LogSecurityAlert(ILogger logger, string what, string callingAE, string calledAE, string? remote, string decision);
}
