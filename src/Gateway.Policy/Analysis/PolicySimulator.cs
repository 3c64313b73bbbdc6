using System.Text;

namespace Gateway.Policy.Analysis;

/// <summary>
/// Replays recorded requests against a new policy and lists every request whose outcome would change. The baseline
/// is the old policy when given, otherwise the decision recorded with each request. Outcomes compare as "the policy
/// allows" (allow) versus "the policy does not" (deny, or would-deny in observe mode).
/// </summary>
public static class PolicySimulator
{
    /// <summary>Replays <paramref name="records"/>.</summary>
    public static SimulationReport Simulate(PolicyEvaluator newPolicy, IEnumerable<RecordedRequest> records, PolicyEvaluator? oldPolicy = null)
    {
        ArgumentNullException.ThrowIfNull(newPolicy);
        ArgumentNullException.ThrowIfNull(records);
        var changes = new List<SimulationChange>();
        int replayed = 0;
        int withoutBaseline = 0;
        foreach (RecordedRequest record in records)
        {
            replayed++;
            PolicyOutcome? before = oldPolicy is null ? record.RecordedOutcome : oldPolicy.Evaluate(record.Request).Outcome;
            if (before is null)
            {
                withoutBaseline++;
                continue;
            }

            PolicyDecision after = newPolicy.Evaluate(record.Request);
            bool allowedBefore = before == PolicyOutcome.Allow;
            bool allowedAfter = after.Outcome == PolicyOutcome.Allow;
            if (allowedBefore != allowedAfter)
            {
                changes.Add(new SimulationChange(record, allowedBefore ? PolicyOutcome.Allow : PolicyOutcome.Deny, after));
            }
        }

        return new SimulationReport { Replayed = replayed, WithoutBaseline = withoutBaseline, Changes = changes };
    }

    /// <summary>The report as text: one line per change, then a summary line.</summary>
    public static string ToText(SimulationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        foreach (SimulationChange change in report.Changes)
        {
            PolicyDecision after = change.After;
            text.Append("line ").Append(change.Record.Line).Append(": ")
                .Append(change.NowDenied ? "allowed -> DENIED" : "denied -> ALLOWED")
                .Append(" (").Append(PolicyReasons.Code(after.Reason)).Append(", ").Append(after.Rule);
            if (after.NearestRule is not null)
            {
                text.Append(", nearest ").Append(after.NearestRule);
            }

            if (after.SecurityAlert)
            {
                text.Append(", security alert");
            }

            text.Append("): ").Append(PolicyText.Request(change.Record.Request)).Append('\n');
        }

        text.Append(report.Replayed).Append(" requests replayed: ").Append(report.Changes.Count).Append(" would change (")
            .Append(report.NowDenied).Append(" now denied, ").Append(report.NowAllowed).Append(" now allowed)");
        if (report.WithoutBaseline > 0)
        {
            text.Append("; ").Append(report.WithoutBaseline).Append(" had no recorded decision and were not compared");
        }

        return text.Append('\n').ToString();
    }
}
