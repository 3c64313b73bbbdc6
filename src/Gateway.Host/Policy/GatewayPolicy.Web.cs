using Gateway.Host.DicomWeb;
using Gateway.Policy;
using Gateway.Policy.Model;

namespace Gateway.Host.Policy;

public sealed partial class GatewayPolicy
{
    /// <summary>The service of a name (DICOMweb, admin), or null.</summary>
    public ServiceDefinition? Service(string name) =>
        Model.Services.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));

    /// <summary>Decides one HTTPS request; a refusal is logged and written to the audit log as a Security Alert.</summary>
    public PolicyDecision CheckWeb(DicomWebCaller caller, string service, PolicyOperation operation, string? sopClass = null, long? objectSize = null)
    {
        PolicyRequest request = WebRequest(caller, service, operation) with { SopClassUid = sopClass, ObjectSize = objectSize };
        PolicyDecision decision = _store.Evaluate(request);
        _traffic.Observe(request, decision, tls: true);
        string what = operation.ToString().ToLowerInvariant();
        if (decision.Outcome == PolicyOutcome.Allow)
        {
            LogWebAllowed(_logger, what, caller.Principal, caller.RemoteAddress?.ToString(), decision.Rule);
        }
        else
        {
            LogWebDenied(_logger, what, caller.Principal, caller.RemoteAddress?.ToString(), decision.ToString());
            _audit.WebSecurityAlert(caller, decision, what);
        }

        return decision;
    }

    /// <summary>
    /// Whether the policy would allow <paramref name="operation"/> on <paramref name="service"/> to <paramref name="caller"/>,
    /// without logging, auditing or counting it: for deciding what a page shows, never for letting an action through.
    /// </summary>
    public bool WouldAllow(DicomWebCaller caller, string service, PolicyOperation operation) =>
        Evaluator.Evaluate(WebRequest(caller, service, operation)).IsAllowed;

    /// <summary>The evaluator in force (for explain and simulate).</summary>
    public PolicyEvaluator Evaluator => _store.Current!.Evaluator;

    private PolicyRequest WebRequest(DicomWebCaller caller, string service, PolicyOperation operation)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return new PolicyRequest
        {
            Protocol = PolicyOperations.ProtocolOf(operation),
            Operation = operation,
            Service = service,
            RemoteAddress = caller.RemoteAddress,
            Certificate = caller.Certificate,
            ClientId = caller.ClientId,
            UserId = caller.UserId,
            Roles = caller.Roles,
            At = _time.GetUtcNow(),
        };
    }

    [LoggerMessage(EventId = 2207, Level = LogLevel.Debug, Message = "Policy allowed {What} by {Principal} from {Remote} by {Rule}")]
    private static partial void LogWebAllowed(ILogger logger, string what, string principal, string? remote, string rule);

    [LoggerMessage(EventId = 2208, Level = LogLevel.Warning, Message = "Policy denied {What} by {Principal} from {Remote}: {Decision}")]
    private static partial void LogWebDenied(ILogger logger, string what, string principal, string? remote, string decision);
}
