using Gateway.Audit.Records;
using Gateway.Host.DicomWeb;
using Gateway.Policy;

namespace Gateway.Host.Audit;

public sealed partial class GatewayAudit
{
    /// <summary>Appends a record of a DICOMweb request; returns when it is durable.</summary>
    /// <exception cref="Gateway.Audit.AuditLogException">The log refused it: the caller must refuse the request.</exception>
    public async ValueTask RecordWebAsync(
        AuditEventId eventId,
        AuditEventAction action,
        AuditEventOutcome outcome,
        DicomWebCaller caller,
        PolicyDecision? decision,
        IReadOnlyList<AuditParticipantObject> objects,
        string? outcomeDescription = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var record = new AuditRecord
        {
            EventId = eventId,
            Action = action,
            EventTime = DateTimeOffset.UtcNow,
            Outcome = outcome,
            OutcomeDescription = outcomeDescription,
            ActiveParticipants = WebParticipants(caller),
            Source = _source,
            ParticipantObjects = objects,
            Policy = decision is { } d ? Facts(d) : null,
        };
        await log.AppendAsync(record, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records a denied DICOMweb request as a Security Alert, without holding up the refusal.</summary>
    public void WebSecurityAlert(DicomWebCaller caller, PolicyDecision decision, string what)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var record = new AuditRecord
        {
            EventId = AuditEventId.SecurityAlert,
            Action = AuditEventAction.Execute,
            EventTime = DateTimeOffset.UtcNow,
            Outcome = decision.SecurityAlert ? AuditEventOutcome.SeriousFailure : AuditEventOutcome.MinorFailure,
            OutcomeDescription = $"{what} refused by policy: {PolicyReasons.Code(decision.Reason)}",
            EventTypeCodes = [AuditCodes.UseOfRestrictedFunction],
            ActiveParticipants = WebParticipants(caller),
            Source = _source,
            Policy = Facts(decision),
        };
        _ = AppendQuietlyAsync(record);
    }

    /// <summary>The caller as the requesting participant: the user (or client), the client as alternative id, its address.</summary>
    internal static AuditActiveParticipant Requestor(DicomWebCaller caller) => new()
    {
        UserId = caller.Principal,
        AlternativeUserId = caller.UserId is not null ? caller.ClientId : null,
        UserIsRequestor = true,
        NetworkAccessPointId = caller.RemoteAddress?.ToString(),
        NetworkAccessPointType = caller.RemoteAddress is null ? null : NetworkAccessPointType.IpAddress,
    };

    // The caller as the source; the gateway as the other side.
    private AuditActiveParticipant[] WebParticipants(DicomWebCaller caller) =>
    [
        Requestor(caller) with { RoleIdCodes = [AuditCodes.SourceRole] },
        new AuditActiveParticipant
        {
            UserId = _source.SourceId,
            UserIsRequestor = false,
            RoleIdCodes = [AuditCodes.DestinationRole],
        },
    ];
}
