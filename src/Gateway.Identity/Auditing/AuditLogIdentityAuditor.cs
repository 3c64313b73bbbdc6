using Gateway.Audit;
using Gateway.Audit.Records;

namespace Gateway.Identity.Auditing;

/// <summary>
/// Writes authentication events to the gateway's audit log as DICOM PS3.15 A.5.3.11 User Authentication (110114) records,
/// type code Login (110122) or Logout (110123): the authenticated person or process as requestor (with its address), the
/// gateway as the node that performed the authentication, and for a failure its reason as outcome description.
/// </summary>
public sealed class AuditLogIdentityAuditor(IAuditLog log, GatewayIdentityOptions options) : IIdentityAuditor
{
    private readonly AuditSource _source = new() { SourceId = options.AuditSourceId };

    /// <inheritdoc/>
    public async ValueTask RecordAsync(IdentityAuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        await log.AppendAsync(ToRecord(auditEvent), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The audit record of <paramref name="auditEvent"/>.</summary>
    public AuditRecord ToRecord(IdentityAuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        var participants = new List<AuditActiveParticipant>
        {
            new()
            {
                UserId = Bounded(auditEvent.Subject),
                AlternativeUserId = auditEvent.SubjectIsClient ? "client" : null,
                UserIsRequestor = true,
                AeTitles = auditEvent.CallingAE is { } ae ? [ae] : [],
                NetworkAccessPointId = auditEvent.RemoteAddress,
                NetworkAccessPointType = auditEvent.RemoteAddress is null ? null : NetworkAccessPointType.IpAddress,
            },
        };
        if (auditEvent.ClientId is { } client && !auditEvent.SubjectIsClient)
        {
            participants.Add(new AuditActiveParticipant { UserId = Bounded(client), AlternativeUserId = "client", UserIsRequestor = false });
        }

        participants.Add(new AuditActiveParticipant
        {
            UserId = _source.SourceId,
            UserIsRequestor = false,
            RoleIdCodes = [AuditCodes.ApplicationRole],
        });

        string method = Method(auditEvent.Method);
        return new AuditRecord
        {
            EventId = AuditEventId.UserAuthentication,
            Action = AuditEventAction.Execute,
            EventTime = auditEvent.Time,
            Outcome = auditEvent.Succeeded ? AuditEventOutcome.Success : AuditEventOutcome.MinorFailure,
            OutcomeDescription = auditEvent.Succeeded ? method : $"{method}: {auditEvent.FailureReason ?? "refused"}",
            EventTypeCodes = [auditEvent.Kind == IdentityAuditKind.Logout ? AuditCodes.Logout : AuditCodes.Login],
            ActiveParticipants = participants,
            Source = _source,
            AssociationId = auditEvent.AssociationId,
        };
    }

    private static string Method(IdentityMethod method) => method switch
    {
        IdentityMethod.LoginPage => "login page (password)",
        IdentityMethod.ClientCredentials => "token endpoint (client credentials)",
        IdentityMethod.AuthorizationCode => "token endpoint (authorization code with PKCE)",
        IdentityMethod.DimseJwt => "DIMSE user identity (JWT)",
        IdentityMethod.DimsePasscode => "DIMSE user identity (username and passcode)",
        IdentityMethod.DimseOther => "DIMSE user identity (unsupported type)",
        IdentityMethod.EndSession => "end-session endpoint",
        _ => method.ToString(),
    };

    // A claimed id from a failed attempt may be anything: keep it printable and short.
    private static string Bounded(string text)
    {
        string clean = new([.. text.Where(c => !char.IsControl(c)).Take(128)]);
        return clean.Length == 0 ? "(none)" : clean;
    }
}
