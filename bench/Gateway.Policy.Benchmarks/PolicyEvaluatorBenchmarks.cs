using System.Net;
using BenchmarkDotNet.Attributes;

namespace Gateway.Policy.Benchmarks;

/// <summary>
/// Decision latency with 1,000 peers and 5,000 flows (<see cref="SyntheticSite"/>): one decision per invocation, on a
/// request drawn in turn from 1,024 requests of random peers. Target: under 5 µs at p99, 0 bytes allocated.
/// </summary>
[Config(typeof(BenchConfig))]
public class PolicyEvaluatorBenchmarks
{
    private PolicyEvaluator _evaluator = null!;
    private PolicyRequest[] _firstFlow = null!;
    private PolicyRequest[] _fifthFlow = null!;
    private PolicyRequest[] _noFlowMatches = null!;
    private PolicyRequest[] _unknownPeer = null!;
    private PolicyRequest[] _spoofed = null!;
    private PolicyRequest[] _move = null!;
    private PolicyRequest[] _dicomWeb = null!;
    private PolicyAssociationRequest[] _associations = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _evaluator = SyntheticSite.Compile();
        _firstFlow = SyntheticSite.Requests(p => SyntheticSite.Store(p, SyntheticSite.CT));
        _fifthFlow = SyntheticSite.Requests(p => SyntheticSite.Store(p, SyntheticSite.BasicTextSR));
        _noFlowMatches = SyntheticSite.Requests(p => SyntheticSite.Store(p, SyntheticSite.NM));
        _unknownPeer = SyntheticSite.Requests(p => SyntheticSite.Store(p, SyntheticSite.CT) with { CallingAE = "UNKNOWN" + (p % 100) });
        _spoofed = SyntheticSite.Requests(p => SyntheticSite.Store(p, SyntheticSite.CT) with { RemoteAddress = SyntheticSite.Address((p + 1) % SyntheticSite.Peers) });
        _move = SyntheticSite.Requests(p => SyntheticSite.Store(p, SyntheticSite.StudyRootMove) with { Operation = PolicyOperation.Move, MoveDestination = SyntheticSite.AETitle(p), ObjectSize = null });
        _dicomWeb = SyntheticSite.Requests(p => new PolicyRequest
        {
            Protocol = PolicyProtocol.DicomWeb,
            Operation = PolicyOperation.Wado,
            Service = "web",
            ClientId = "client-" + (p % SyntheticSite.Clients / 2 * 2),
            UserId = "user" + (p % SyntheticSite.Clients),
            Roles = ["clinician"],
            RemoteAddress = new IPAddress([10, 10, (byte)(p % SyntheticSite.Clients / 2 * 2), 7]),
            At = SyntheticSite.Tuesday,
        });
        _associations = [.. _firstFlow.Select(r => new PolicyAssociationRequest { CallingAE = r.CallingAE, CalledAE = r.CalledAE, RemoteAddress = r.RemoteAddress, At = r.At })];
        Verify();
    }

    [Benchmark(Description = "allowed by the first flow")]
    public PolicyDecision AllowedFirstFlow() => _evaluator.Evaluate(_firstFlow[_next++ & 1023]);

    [Benchmark(Description = "allowed by the fifth flow (four checked first, one with a time window)")]
    public PolicyDecision AllowedFifthFlow() => _evaluator.Evaluate(_fifthFlow[_next++ & 1023]);

    [Benchmark(Description = "denied: no flow matches (all five checked)")]
    public PolicyDecision DeniedNoFlowMatches() => _evaluator.Evaluate(_noFlowMatches[_next++ & 1023]);

    [Benchmark(Description = "denied: unknown AE title")]
    public PolicyDecision DeniedUnknownPeer() => _evaluator.Evaluate(_unknownPeer[_next++ & 1023]);

    [Benchmark(Description = "denied: known AE title, wrong address (alert)")]
    public PolicyDecision DeniedSpoofed() => _evaluator.Evaluate(_spoofed[_next++ & 1023]);

    [Benchmark(Description = "C-MOVE with destination check")]
    public PolicyDecision Move() => _evaluator.Evaluate(_move[_next++ & 1023]);

    [Benchmark(Description = "DICOMweb: client, user, token role")]
    public PolicyDecision DicomWeb() => _evaluator.Evaluate(_dicomWeb[_next++ & 1023]);

    [Benchmark(Description = "association + one presentation context")]
    public bool Association() => _evaluator.EvaluateAssociation(_associations[_next++ & 1023]).Accepts(SyntheticSite.CT);

    // The scenarios decide as their names say; a benchmark of the wrong path would measure nothing useful.
    private void Verify()
    {
        Check(_firstFlow, PolicyOutcome.Allow, PolicyReason.Allowed, "-ct");
        Check(_fifthFlow, PolicyOutcome.Allow, PolicyReason.Allowed, "-sr");
        Check(_noFlowMatches, PolicyOutcome.Deny, PolicyReason.SopClassNotAllowed, null);
        Check(_unknownPeer, PolicyOutcome.Deny, PolicyReason.UnknownPeer, null);
        Check(_spoofed, PolicyOutcome.Deny, PolicyReason.AddressMismatch, null);
        Check(_move, PolicyOutcome.Allow, PolicyReason.Allowed, "-qr");
        Check(_dicomWeb, PolicyOutcome.Allow, PolicyReason.Allowed, "view");
    }

    private void Check(PolicyRequest[] requests, PolicyOutcome outcome, PolicyReason reason, string? ruleSuffix)
    {
        foreach (PolicyRequest request in requests)
        {
            PolicyDecision d = _evaluator.Evaluate(request);
            if (d.Outcome != outcome || d.Reason != reason || (ruleSuffix is not null && !d.Rule.EndsWith(ruleSuffix, StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"benchmark scenario decides {d}, expected {outcome} {reason} *{ruleSuffix}");
            }
        }
    }

    /// <summary>The requests of every scenario, for the latency harness.</summary>
    internal IEnumerable<(string Name, PolicyRequest[] Requests)> Scenarios()
    {
        yield return ("allowed, first flow", _firstFlow);
        yield return ("allowed, fifth flow", _fifthFlow);
        yield return ("denied, no flow matches", _noFlowMatches);
        yield return ("denied, unknown AE title", _unknownPeer);
        yield return ("denied, spoofed address", _spoofed);
        yield return ("C-MOVE with destination", _move);
        yield return ("DICOMweb client+user", _dicomWeb);
    }

    internal PolicyEvaluator Evaluator => _evaluator;
}
