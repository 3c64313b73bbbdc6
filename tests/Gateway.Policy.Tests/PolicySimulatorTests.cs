using Gateway.Policy.Analysis;
using Gateway.Policy.Loading;
using Gateway.Policy.Tests.Support;
using static Gateway.Policy.Tests.Support.Requests;

namespace Gateway.Policy.Tests;

/// <summary>simulate: replaying recorded requests and listing the ones whose outcome changes.</summary>
public sealed class PolicySimulatorTests
{
    private static readonly PolicyEvaluator Old = Policies.Compile(Policies.Site);
    private static readonly PolicyEvaluator New = Policies.Compile(Policies.Site
        .Replace("sop-classes: [ct, sr]", "sop-classes: [ct]", StringComparison.Ordinal)
        .Replace("sop-classes: [us]", "sop-classes: [us, mr]", StringComparison.Ordinal));

    private static RecordedRequest[] Recorded(PolicyEvaluator decidedBy, params PolicyRequest[] requests) =>
        [.. requests.Select((r, i) => new RecordedRequest(i + 1, r, decidedBy.Evaluate(r).Outcome, null))];

    [Fact]
    public void Simulate_AgainstRecordedDecisions_ListsEveryChangeOnly()
    {
        RecordedRequest[] records = Recorded(
            Old,
            CtStore(),
            CtStore(BasicTextSR),
            Dimse(PolicyOperation.Store, "US01", "10.1.0.31", sopClass: MR),
            Dimse(PolicyOperation.Store, "US01", "10.1.0.31", sopClass: US));

        SimulationReport report = PolicySimulator.Simulate(New, records);

        Assert.Equal((4, 2, 1, 1, 0), (report.Replayed, report.Changes.Count, report.NowDenied, report.NowAllowed, report.WithoutBaseline));
        Assert.Equal([2, 3], report.Changes.Select(c => c.Record.Line));
        Golden.AssertMatches("simulate.txt", PolicySimulator.ToText(report));
    }

    [Fact]
    public void Simulate_WithAnOldPolicy_ComparesWithItInsteadOfTheRecording()
    {
        // Recorded as denied (say, under observe mode elsewhere); the old policy allows it, the new one too: no change.
        RecordedRequest[] records = [new RecordedRequest(1, CtStore(), PolicyOutcome.Deny, null)];

        Assert.Single(PolicySimulator.Simulate(New, records).Changes);
        Assert.Empty(PolicySimulator.Simulate(New, records, Old).Changes);
    }

    [Fact]
    public void Simulate_NoRecordedDecision_IsCountedNotCompared()
    {
        SimulationReport report = PolicySimulator.Simulate(New, [new RecordedRequest(1, CtStore(MR), null, null)]);

        Assert.Equal((1, 0, 1), (report.Replayed, report.Changes.Count, report.WithoutBaseline));
        Assert.EndsWith("1 had no recorded decision and were not compared\n", PolicySimulator.ToText(report), StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_WouldDenyCountsAsNotAllowed()
    {
        PolicyEvaluator observe = Policies.Compile(Policies.Site, "mode: observe");
        RecordedRequest[] records = [new RecordedRequest(1, CtStore(MR), PolicyOutcome.WouldDeny, null)];

        Assert.Empty(PolicySimulator.Simulate(observe, records).Changes);
        Assert.Empty(PolicySimulator.Simulate(Old, records).Changes);
    }

    [Fact]
    public void Simulate_ReadFromJsonLines_EndToEnd()
    {
        string lines = string.Join("\n", new[] { CtStore(), CtStore(BasicTextSR) }.Select(r => RecordedRequestWriter.ToJsonLine(r, Old.Evaluate(r))));
        var errors = new List<PolicyDiagnostic>();

        SimulationReport report = PolicySimulator.Simulate(New, RecordedRequestReader.Read(new StringReader(lines), "r.jsonl", errors));

        Assert.Empty(errors);
        Assert.Equal(2, Assert.Single(report.Changes).Record.Line);
    }
}
