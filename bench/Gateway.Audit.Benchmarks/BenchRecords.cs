using Gateway.Audit.Records;

namespace Gateway.Audit.Benchmarks;

/// <summary>A typical record: a C-STORE of a CT study, allowed by policy (about 1 KB of JSON before encryption).</summary>
internal static class BenchRecords
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static AuditRecord Transfer(int n) => new()
    {
        EventId = AuditEventId.DicomInstancesTransferred,
        Action = AuditEventAction.Create,
        EventTime = Start.AddMilliseconds(n),
        Outcome = AuditEventOutcome.Success,
        ActiveParticipants =
        [
            AuditRecords.ApplicationEntity("CT_SCANNER_07", "10.20.30.40", isRequestor: true, AuditCodes.SourceRole),
            AuditRecords.ApplicationEntity("GATEWAY", "10.20.30.1", isRequestor: false, AuditCodes.DestinationRole),
        ],
        Source = new AuditSource { SourceId = "gateway-bench" },
        ParticipantObjects =
        [
            AuditRecords.Patient("PID" + (n % 5000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture), "DOE^JANE"),
            AuditRecords.Study("1.2.826.0.1.3680043.8.498." + n.ToString(System.Globalization.CultureInfo.InvariantCulture), [new AuditSopClass("1.2.840.10008.5.1.4.1.1.2", 1)]),
        ],
        Policy = new AuditPolicyFacts { RuleId = "ct-to-pacs", Decision = AuditPolicyDecision.Allow },
        AssociationId = "a-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
