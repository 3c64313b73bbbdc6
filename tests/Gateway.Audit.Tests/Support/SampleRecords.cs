using Gateway.Audit.Records;

namespace Gateway.Audit.Tests.Support;

/// <summary>Sample records.</summary>
internal static class SampleRecords
{
    public static readonly DateTimeOffset BaseTime = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    public static AuditRecord Transfer(int n, string patientId = "PID-0001", string? patientName = "DOE^JANE", string ae = "CT_SCANNER") => new()
    {
        EventId = AuditEventId.DicomInstancesTransferred,
        Action = AuditEventAction.Create,
        EventTime = BaseTime.AddSeconds(n),
        Outcome = AuditEventOutcome.Success,
        ActiveParticipants =
        [
            AuditRecords.ApplicationEntity(ae, "10.1.2.3", isRequestor: true, AuditCodes.SourceRole),
            AuditRecords.ApplicationEntity("GATEWAY", "10.1.2.1", isRequestor: false, AuditCodes.DestinationRole),
        ],
        Source = new AuditSource { SourceId = "gateway-test" },
        ParticipantObjects =
        [
            AuditRecords.Patient(patientId, patientName),
            AuditRecords.Study("1.2.3.4." + n.ToString(System.Globalization.CultureInfo.InvariantCulture), [new AuditSopClass("1.2.840.10008.5.1.4.1.1.2", 3)]),
        ],
        Policy = new AuditPolicyFacts { RuleId = "ct-to-pacs", Decision = AuditPolicyDecision.Allow },
        AssociationId = "assoc-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static AuditRecord Denied(int n, string user = "mallory") => new()
    {
        EventId = AuditEventId.SecurityAlert,
        Action = AuditEventAction.Execute,
        EventTime = BaseTime.AddSeconds(n),
        Outcome = AuditEventOutcome.MinorFailure,
        OutcomeDescription = "denied by policy",
        ActiveParticipants = [new AuditActiveParticipant { UserId = user, UserIsRequestor = true, NetworkAccessPointId = "10.9.9.9", NetworkAccessPointType = NetworkAccessPointType.IpAddress }],
        Source = new AuditSource { SourceId = "gateway-test" },
        Policy = new AuditPolicyFacts { RuleId = "default-deny", Decision = AuditPolicyDecision.Deny },
    };
}
