using System.Net;
using Gateway.Policy.Analysis;
using Gateway.Policy.Loading;
using Gateway.Policy.Tests.Support;
using static Gateway.Policy.Tests.Support.Requests;

namespace Gateway.Policy.Tests;

/// <summary>learn: the proposal loads, allows exactly what was observed, and nothing next to it.</summary>
public sealed class PolicyLearnerTests
{
    private static readonly PolicyCertificate ViewerTls = new("CN=viewer.example.org, O=Example", "CN=Example CA", ["DNS:viewer.example.org"], new string('C', 64));

    private static readonly PolicyRequest[] Observed =
    [
        CtStore() with { ObjectSize = 300_000 },
        CtStore(BasicTextSR),
        Dimse(PolicyOperation.Echo, "CT01", "10.1.0.11"),
        Dimse(PolicyOperation.Worklist, "CT01", "10.1.0.11", "GW_MWL", Worklist),
        Dimse(PolicyOperation.Store, "US01", "10.1.0.31", sopClass: US),
        Dimse(PolicyOperation.Store, "US01", "10.1.0.32", sopClass: US),
        Dimse(PolicyOperation.Find, "WS01", "10.1.0.50", sopClass: StudyRootFind),
        Dimse(PolicyOperation.Move, "WS01", "10.1.0.50", sopClass: StudyRootMove) with { MoveDestination = "WS01" },
        Dimse(PolicyOperation.Move, "WS01", "10.1.0.50", sopClass: CT) with { MoveDestination = "WS01" },
        Dimse(PolicyOperation.Find, "VIEWER", "fd00::5", sopClass: StudyRootFind) with { Certificate = ViewerTls },
        Web(PolicyOperation.Qido, "viewer-app", "dr.who"),
        Web(PolicyOperation.Wado, "viewer-app", "dr.who", address: "10.2.3.5"),
        Web(PolicyOperation.Stow, "ai-app", address: "10.2.7.15") with { SopClassUid = BasicTextSR, ObjectSize = 10_000 },
        Web(PolicyOperation.AuditRead, "console", "audrey", service: "admin"),
    ];

    private static readonly string Learned = PolicyLearner.Learn(Observed.Select((r, i) => new RecordedRequest(i + 1, r, PolicyOutcome.Allow, null)));

    [Fact]
    public void Learn_Proposal_LoadsAndLintsWithoutErrors()
    {
        PolicyLoadResult loaded = PolicyLoader.Load([new PolicySource("learned.yaml", Learned)]);

        Assert.True(loaded.Succeeded, Learned + "\n" + string.Join("\n", loaded.Diagnostics));
        Assert.DoesNotContain(PolicyLinter.Lint(loaded), d => d.IsError);
        Assert.Equal(PolicyMode.Observe, loaded.Model!.Mode);
    }

    [Fact]
    public void Learn_Proposal_AllowsEveryObservedRequest()
    {
        PolicyEvaluator learned = Policies.Compile(Learned);

        Assert.All(Observed, r => Assert.Equal(PolicyOutcome.Allow, learned.Evaluate(r).Outcome));
    }

    public static TheoryData<string, PolicyRequest> Unobserved => new()
    {
        { "another SOP class from the CT", CtStore(MR) },
        { "the CT's AE title from elsewhere", Dimse(PolicyOperation.Store, "CT01", "10.1.0.12", sopClass: CT) },
        { "an operation never seen", Dimse(PolicyOperation.Find, "CT01", "10.1.0.11", sopClass: StudyRootFind) },
        { "a larger object", CtStore() with { ObjectSize = 2 << 20 } },
        { "move to another destination", Dimse(PolicyOperation.Move, "WS01", "10.1.0.50", sopClass: StudyRootMove) with { MoveDestination = "CT01" } },
        { "the TLS peer without its certificate", Dimse(PolicyOperation.Find, "VIEWER", "fd00::5", sopClass: StudyRootFind) },
        { "an unseen client", Web(PolicyOperation.Qido, "other-app") },
        { "stow by the viewer", Web(PolicyOperation.Stow, "viewer-app", "dr.who") with { SopClassUid = BasicTextSR } },
        { "stow of another class by the AI", Web(PolicyOperation.Stow, "ai-app", address: "10.2.7.15") with { SopClassUid = CT } },
        { "the AI from another address", Web(PolicyOperation.Stow, "ai-app", address: "10.2.7.16") with { SopClassUid = BasicTextSR } },
        { "an unseen user", Web(PolicyOperation.Qido, "viewer-app", "mallory") },
        { "an unseen admin operation", Web(PolicyOperation.AuditExport, "console", "audrey", service: "admin") },
    };

    [Theory]
    [MemberData(nameof(Unobserved))]
    public void Learn_Proposal_DeniesWhatWasNotObserved(string scenario, PolicyRequest request)
    {
        PolicyDecision decision = Policies.Compile(Learned).Evaluate(request);

        Assert.True(decision.IsDeniedByPolicy, $"{scenario}: {decision}");
    }

    [Fact]
    public void Learn_SkipsDeniedRequestsAndSecurityAlerts()
    {
        RecordedRequest[] records =
        [
            new(1, CtStore(), PolicyOutcome.Allow, null),
            new(2, CtStore(MR), PolicyOutcome.Deny, null, PolicyReason.SopClassNotAllowed),
            new(3, Dimse(PolicyOperation.Store, "CT01", "10.9.9.9", sopClass: CT), PolicyOutcome.WouldDeny, null, PolicyReason.AddressMismatch),
        ];

        PolicyEvaluator learned = Policies.Compile(PolicyLearner.Learn(records));

        Assert.True(learned.Evaluate(CtStore()).Outcome == PolicyOutcome.Allow);
        Assert.True(learned.Evaluate(CtStore(MR)).IsDeniedByPolicy);
        Assert.True(learned.Evaluate(Dimse(PolicyOperation.Store, "CT01", "10.9.9.9", sopClass: CT)).IsDeniedByPolicy);
        Assert.Equal(PolicyOutcome.Allow, Policies.Compile(PolicyLearner.Learn(records, new PolicyLearnOptions { IncludeDenied = true })).Evaluate(CtStore(MR)).Outcome);
    }

    [Fact]
    public void Learn_HostileNames_AreQuotedOrReplaced()
    {
        RecordedRequest[] records =
        [
            new(1, Dimse(PolicyOperation.Echo, "A: B #c", "10.1.0.11", "GW \"X\""), null, null),
            new(2, Web(PolicyOperation.Qido, "client\nwith: newline", "user \"quoted\"", service: "web"), null, null),
        ];

        string yaml = PolicyLearner.Learn(records, new PolicyLearnOptions { Mode = PolicyMode.Enforce });
        PolicyEvaluator learned = Policies.Compile(yaml);

        Assert.All(records, r => Assert.Equal(PolicyOutcome.Allow, learned.Evaluate(r.Request).Outcome));
    }

    [Fact]
    public void Learn_Proposal_GoldenText()
    {
        Golden.AssertMatches("learn.yaml", Learned);
    }

    [Fact]
    public void Learn_NothingUsable_StillLoads()
    {
        string yaml = PolicyLearner.Learn([new RecordedRequest(1, new PolicyRequest { Protocol = PolicyProtocol.Dimse, Operation = PolicyOperation.Echo, RemoteAddress = IPAddress.Loopback }, null, null)]);

        Assert.True(PolicyLoader.Load([new PolicySource("x.yaml", yaml)]).Succeeded, yaml);
    }
}
