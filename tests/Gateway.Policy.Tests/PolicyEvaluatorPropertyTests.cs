using System.Net;
using CsCheck;
using Gateway.Policy.Model;
using Gateway.Policy.Tests.Support;
using static Gateway.Policy.Tests.Support.Requests;

namespace Gateway.Policy.Tests;

/// <summary>
/// Random DIMSE requests against the site policy, compared with a naive reading of the model written independently
/// here: a request that no flow matches must be denied, and one that a flow matches must be allowed by the first.
/// </summary>
public sealed class PolicyEvaluatorPropertyTests
{
    private static readonly PolicyModel Model = Policies.Model(Policies.Site);
    private static readonly PolicyEvaluator Evaluator = new(Model);

    // Identities and operations are drawn mostly from combinations the policy knows, so that both allowed and denied
    // requests are common; the rest are arbitrary.
    private static readonly Gen<(string AE, string Address)> Identities = Gen.Frequency(
        (4, Gen.OneOf(("CT01", "10.1.0.11"), ("US01", "10.1.0.31"), ("US01B", "10.1.0.32"), ("WS01", "10.1.0.50"), ("VIEWER", "10.2.5.9"), ("VIEWER", "fd00::5"), ("CT01 ", "::ffff:10.1.0.11"))),
        (1, Gen.Select(
            Gen.OneOf("CT01", "US01", "US01B", "WS01", "VIEWER", "XX99"),
            Gen.OneOf(Gen.OneOf("10.1.0.11", "10.1.0.31", "10.1.0.32", "10.1.0.50", "10.2.5.9", "fd00::5"), Gen.UInt.Select(u => new IPAddress(u).ToString())),
            (ae, address) => (ae, address))));

    private static readonly Gen<(PolicyOperation Operation, string? SopClass)> Operations = Gen.Frequency(
        (4, Gen.OneOf<(PolicyOperation, string?)>(
            (PolicyOperation.Echo, null), (PolicyOperation.Store, CT), (PolicyOperation.Store, US), (PolicyOperation.Store, BasicTextSR),
            (PolicyOperation.Find, StudyRootFind), (PolicyOperation.Move, StudyRootMove), (PolicyOperation.Move, CT), (PolicyOperation.Get, StudyRootGet),
            (PolicyOperation.Get, CT), (PolicyOperation.Worklist, Worklist))),
        (1, Gen.Select(
            Gen.OneOf(PolicyOperation.Echo, PolicyOperation.Store, PolicyOperation.Find, PolicyOperation.Move, PolicyOperation.Get, PolicyOperation.Worklist),
            Gen.OneOf<string?>(CT, MR, US, BasicTextSR, StudyRootFind, StudyRootMove, StudyRootGet, Worklist, Verification, null, "1.2.3.4.5"),
            (op, sop) => (op, sop))));

    private static readonly Gen<PolicyRequest> DimseRequests =
        Gen.Select(
            Identities,
            Gen.Frequency((6, Gen.Const("GW_PACS")), (3, Gen.Const("GW_MWL")), (1, Gen.Const("NOPE"))),
            Operations,
            Gen.OneOf<string?>(null, "WS01", "WS01", "CT01"),
            Gen.Int[0, 14 * 24 * 60].Select(m => Tuesday10.AddMinutes(m)),
            Gen.OneOf<long?>(null, 0, 1 << 20, (1 << 20) + 1),
            Gen.Frequency((1, Gen.Const(0)), (3, Gen.Const(1)), (1, Gen.Const(2))),
            (identity, called, operation, destination, at, size, cert) => new PolicyRequest
            {
                Protocol = PolicyProtocol.Dimse,
                Operation = operation.Operation,
                CallingAE = identity.AE,
                RemoteAddress = IPAddress.Parse(identity.Address),
                CalledAE = called,
                SopClassUid = operation.SopClass,
                MoveDestination = destination,
                At = at,
                ObjectSize = size,
                Certificate = cert switch { 0 => null, 1 => ViewerCertificate(), _ => ViewerCertificate(subject: "CN=other") },
            });

    [Fact]
    public void Evaluate_RandomRequests_AgreeWithANaiveReadingOfTheModel()
    {
        int allowed = 0;
        int denied = 0;
        DimseRequests.Sample(request =>
        {
            FlowDefinition? expected = NaiveFirstMatch(request);
            Interlocked.Increment(ref expected is null ? ref denied : ref allowed);
            PolicyDecision decision = Evaluator.Evaluate(request);
            if (expected is null)
            {
                Assert.Equal(PolicyOutcome.Deny, decision.Outcome);
                Assert.NotEqual(PolicyReason.Allowed, decision.Reason);
            }
            else
            {
                Assert.Equal(PolicyOutcome.Allow, decision.Outcome);
                Assert.Equal("flow:" + expected.Name, decision.Rule);
            }
        }, iter: 20_000);

        // Both sides of the property were exercised, not only the (easy) denials.
        Assert.True(allowed > 100 && denied > 100, $"{allowed} allowed, {denied} denied");
    }

    [Fact]
    public void Evaluate_RandomRequestsAgainstAPolicyWithoutFlows_AreAllDenied()
    {
        PolicyEvaluator noFlows = new(Model with { Flows = [] });

        DimseRequests.Sample(request =>
        {
            PolicyDecision decision = noFlows.Evaluate(request);
            Assert.Equal(PolicyOutcome.Deny, decision.Outcome);
        }, iter: 5_000);
    }

    [Fact]
    public void Evaluate_RandomRequests_SecurityAlertOnlyForAKnownAETitleWhoseBindingsFail()
    {
        DimseRequests.Sample(request =>
        {
            PolicyDecision decision = Evaluator.Evaluate(request);
            string ae = request.CallingAE!.Trim(' ');
            bool knownTitle = Model.Peers.Any(p => p.AETitles.Contains(ae));
            bool recognised = Model.Peers.Any(p => p.AETitles.Contains(ae) && p.Addresses.Any(a => a.Contains(request.RemoteAddress!)) && CertificateMatches(p, request));
            Assert.Equal(knownTitle && !recognised, decision.SecurityAlert);
        }, iter: 5_000);
    }

    // The reading of the policy language in policies/README.md, written without the evaluator's tables.
    private static FlowDefinition? NaiveFirstMatch(PolicyRequest r)
    {
        string ae = r.CallingAE!.Trim(' ');
        PeerDefinition? peer = Model.Peers.FirstOrDefault(p => p.AETitles.Contains(ae) && p.Addresses.Any(a => a.Contains(r.RemoteAddress!)) && CertificateMatches(p, r));
        ServiceDefinition? service = Model.Services.FirstOrDefault(s => s.AETitle == r.CalledAE);
        if (peer is null || service is null)
        {
            return null;
        }

        var resolver = new SopClassResolver(Model.SopClassSets);
        foreach (FlowDefinition flow in Model.Flows)
        {
            bool fromPeer = flow.From.Contains(peer.Name) || flow.From.Contains(peer.Zone);
            if (!fromPeer || flow.To != service.Name || !flow.Operations.Contains(r.Operation))
            {
                continue;
            }

            HashSet<string> storage = resolver.Resolve(flow.SopClasses);
            bool sop = r.Operation switch
            {
                PolicyOperation.Echo => r.SopClassUid is null || r.SopClassUid == Verification,
                PolicyOperation.Store => r.SopClassUid is not null && storage.Contains(r.SopClassUid),
                PolicyOperation.Find => r.SopClassUid == StudyRootFind,
                PolicyOperation.Worklist => r.SopClassUid == Worklist,
                PolicyOperation.Move => r.SopClassUid == StudyRootMove || (r.SopClassUid is not null && storage.Contains(r.SopClassUid)),
                PolicyOperation.Get => r.SopClassUid == StudyRootGet || (r.SopClassUid is not null && storage.Contains(r.SopClassUid)),
                _ => false,
            };
            bool destination = r.Operation != PolicyOperation.Move ||
                flow.MoveDestinations.SelectMany(d => Model.FindPeer(d)!.AETitles).Contains(r.MoveDestination);
            bool time = flow.TimeWindows.Count == 0 || flow.TimeWindows.Any(w => w.Contains(r.At.UtcDateTime));
            bool size = flow.MaxObjectSize is null || r.ObjectSize is null || r.ObjectSize <= flow.MaxObjectSize;
            if (sop && destination && time && size)
            {
                return flow;
            }
        }

        return null;
    }

    private static bool CertificateMatches(PeerDefinition peer, PolicyRequest r)
    {
        CertificateBinding? binding = peer.Certificate;
        if (binding is null)
        {
            return true;
        }

        PolicyCertificate? c = r.Certificate;
        return c is not null &&
            (binding.Subject is null || string.Equals(binding.Subject, c.Subject, StringComparison.OrdinalIgnoreCase)) &&
            (binding.Issuer is null || string.Equals(binding.Issuer, c.Issuer, StringComparison.OrdinalIgnoreCase)) &&
            (binding.SubjectAlternativeNames.Count == 0 || binding.SubjectAlternativeNames.Intersect(c.SubjectAlternativeNames, StringComparer.OrdinalIgnoreCase).Any()) &&
            (binding.Sha256Thumbprints.Count == 0 || binding.Sha256Thumbprints.Contains(c.Sha256Thumbprint));
    }
}
