using System.Net;
using Gateway.Audit;
using Gateway.Audit.Records;
using Gateway.Dicom.Network.Associations;
using Gateway.Host.Configuration;
using Gateway.Policy;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Audit;

/// <summary>
/// What the gateway writes to the tamper-evident audit log (DICOM PS3.15 A.5 vocabulary): every transfer and query
/// with the policy rule that allowed it, and every denial as a Security Alert. A transfer's record is appended before
/// the device is answered; if the log cannot take it, the operation fails (fail closed).
/// </summary>
public sealed partial class GatewayAudit(IAuditLog log, IOptions<GatewayOptions> options, ILogger<GatewayAudit> logger)
{
    private readonly AuditSource _source = new() { SourceId = options.Value.AETitle + "@" + Environment.MachineName };

    /// <summary>Appends a record of an operation on an association; returns when it is durable.</summary>
    /// <exception cref="AuditLogException">The log refused it: the caller must fail the operation.</exception>
    public ValueTask RecordAsync(
        AuditEventId eventId,
        AuditEventAction action,
        AuditEventOutcome outcome,
        DicomAssociation association,
        PolicyDecision? decision,
        IReadOnlyList<AuditParticipantObject> objects,
        string? outcomeDescription = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(association);
        return RecordTransferAsync(
            eventId,
            action,
            outcome,
            new AuditParty(association.CallingAE, Address(association.RemoteEndPoint)),
            new AuditParty(association.CalledAE, null),
            sourceIsRequestor: true,
            decision,
            objects,
            outcomeDescription,
            association.Id,
            cancellationToken);
    }

    /// <summary>
    /// Appends a record of a transfer from <paramref name="source"/> to <paramref name="destination"/>, for transfers the
    /// gateway starts itself (forwarding to a device, retrieving priors), where the requestor may be either side.
    /// </summary>
    /// <exception cref="AuditLogException">The log refused it: the caller must fail the operation.</exception>
    public async ValueTask RecordTransferAsync(
        AuditEventId eventId,
        AuditEventAction action,
        AuditEventOutcome outcome,
        AuditParty source,
        AuditParty destination,
        bool sourceIsRequestor,
        PolicyDecision? decision,
        IReadOnlyList<AuditParticipantObject> objects,
        string? outcomeDescription,
        Guid? associationId,
        CancellationToken cancellationToken = default)
    {
        AuditRecord record = NewRecord(
            eventId,
            action,
            outcome,
            [
                AuditRecords.ApplicationEntity(source.AETitle, source.Address, isRequestor: sourceIsRequestor, AuditCodes.SourceRole),
                AuditRecords.ApplicationEntity(destination.AETitle, destination.Address, isRequestor: !sourceIsRequestor, AuditCodes.DestinationRole),
            ],
            objects,
            outcomeDescription) with
        {
            Policy = decision is { } d ? Facts(d) : null,
            AssociationId = associationId?.ToString(),
        };
        await log.AppendAsync(record, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Appends a record of something the gateway did on its own (retention, for example): the gateway's process is the
    /// one active participant and the requestor. Returns when the record is durable.
    /// </summary>
    /// <exception cref="AuditLogException">The log refused it: the caller must not go ahead with the operation.</exception>
    public async ValueTask RecordByGatewayAsync(
        AuditEventId eventId,
        AuditEventAction action,
        AuditEventOutcome outcome,
        IReadOnlyList<AuditParticipantObject> objects,
        string? outcomeDescription = null,
        CancellationToken cancellationToken = default)
    {
        AuditActiveParticipant gateway = AuditRecords.ApplicationEntity(options.Value.AETitle, null, isRequestor: true, AuditCodes.ApplicationRole);
        await log.AppendAsync(NewRecord(eventId, action, outcome, [gateway], objects, outcomeDescription), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records a denied association or request as a Security Alert, without holding up the refusal.</summary>
    public void SecurityAlert(string callingAE, string calledAE, EndPoint? remote, PolicyDecision decision, string what)
    {
        var record = new AuditRecord
        {
            EventId = AuditEventId.SecurityAlert,
            Action = AuditEventAction.Execute,
            EventTime = DateTimeOffset.UtcNow,
            Outcome = decision.SecurityAlert ? AuditEventOutcome.SeriousFailure : AuditEventOutcome.MinorFailure,
            OutcomeDescription = $"{what} refused by policy: {PolicyReasons.Code(decision.Reason)}",
            EventTypeCodes = [decision.SecurityAlert ? AuditCodes.NodeAuthentication : AuditCodes.UseOfRestrictedFunction],
            ActiveParticipants =
            [
                AuditRecords.ApplicationEntity(string.IsNullOrEmpty(callingAE) ? "(none)" : callingAE, Address(remote), isRequestor: true),
                AuditRecords.ApplicationEntity(string.IsNullOrEmpty(calledAE) ? "(none)" : calledAE, null, isRequestor: false),
            ],
            Source = _source,
            Policy = Facts(decision),
        };
        _ = AppendQuietlyAsync(record);
    }

    /// <summary>
    /// Records connections refused over a per-address limit (a flood or Slowloris) as a Security Alert; the listener
    /// reports at most once per address, limit and minute, so a flood cannot flood the log.
    /// </summary>
    public void ConnectionsRefused(string leg, Gateway.Dicom.Network.ConnectionRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        string limit = refusal.Limit == Gateway.Dicom.Network.ConnectionLimit.PerMinute
            ? $"more than {refusal.Max} new connections per minute"
            : $"more than {refusal.Max} connections open at once";
        var record = new AuditRecord
        {
            EventId = AuditEventId.SecurityAlert,
            Action = AuditEventAction.Execute,
            EventTime = DateTimeOffset.UtcNow,
            Outcome = AuditEventOutcome.MinorFailure,
            OutcomeDescription = $"connections to the {leg} leg refused: {limit} from one address ({refusal.RefusedInPreviousMinute} refused the minute before)",
            EventTypeCodes = [AuditCodes.UseOfRestrictedFunction],
            ActiveParticipants =
            [
                AuditRecords.ApplicationEntity("(unknown)", refusal.Address.ToString(), isRequestor: true),
                AuditRecords.ApplicationEntity(options.Value.AETitle, null, isRequestor: false),
            ],
            Source = _source,
        };
        _ = AppendQuietlyAsync(record);
    }

    private async Task AppendQuietlyAsync(AuditRecord record)
    {
        try
        {
            await log.AppendAsync(record).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AuditLogException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            LogAlertLost(logger, ex);
        }
    }

    private AuditRecord NewRecord(
        AuditEventId eventId,
        AuditEventAction action,
        AuditEventOutcome outcome,
        IReadOnlyList<AuditActiveParticipant> participants,
        IReadOnlyList<AuditParticipantObject> objects,
        string? outcomeDescription) => new()
        {
            EventId = eventId,
            Action = action,
            EventTime = DateTimeOffset.UtcNow,
            Outcome = outcome,
            OutcomeDescription = outcomeDescription,
            ActiveParticipants = participants,
            Source = _source,
            ParticipantObjects = objects,
        };

    private static AuditPolicyFacts Facts(PolicyDecision decision) => new()
    {
        RuleId = decision.Rule,
        Decision = decision.Outcome == PolicyOutcome.Deny ? AuditPolicyDecision.Deny : AuditPolicyDecision.Allow,
    };

    private static string? Address(EndPoint? endPoint) => (endPoint as IPEndPoint)?.Address.ToString();

    [LoggerMessage(EventId = 2012, Level = LogLevel.Error, Message = "A security alert could not be written to the audit log")]
    private static partial void LogAlertLost(ILogger logger, Exception exception);
}
