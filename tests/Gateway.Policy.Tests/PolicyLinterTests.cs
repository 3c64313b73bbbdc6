using Gateway.Policy.Analysis;
using Gateway.Policy.Loading;
using Gateway.Policy.Tests.Support;

namespace Gateway.Policy.Tests;

/// <summary>Every lint finding: raised when the policy has the problem, absent when it does not.</summary>
public sealed class PolicyLinterTests
{
    private const string Base = """
        zones:
          - {name: devices, kind: device, networks: [10.1.0.0/16]}
          - {name: clinical, kind: clinical, networks: [10.2.0.0/16]}
        peers:
          - {name: ct, zone: devices, ae-titles: [CT01], addresses: [10.1.0.11]}
          - {name: mr, zone: devices, ae-titles: [MR01], addresses: [10.1.0.12]}
        services:
          - name: pacs
            kind: pacs
            ae-title: GW_PACS
            upstream: {ae-title: PACS, host: pacs, port: 2762, tls: true}
          - {name: mwl, kind: worklist, ae-title: GW_MWL}
        flows:
          - {name: ct-store, from: ct, to: pacs, operations: [echo, store], sop-classes: [ct]}
          - {name: mr-store, from: mr, to: pacs, operations: [echo, store], sop-classes: [mr]}
          - {name: worklist, from: [ct, mr], to: mwl, operations: [worklist]}
        """;

    [Fact]
    public void Lint_CleanPolicy_FindsNothing()
    {
        Assert.Empty(Lint(Base));
    }

    public static TheoryData<string, string, string, bool> Findings => new()
    {
        { "ambiguous-peer", "peers:\n  - {name: ct-b, zone: devices, ae-titles: [CT01], addresses: [10.1.0.0/24]}", "peers 'ct' and 'ct-b' both use AE title CT01 from 10.1.0.11: a request cannot tell them apart", true },
        { "overlapping-peers", "peers:\n  - {name: other, zone: devices, ae-titles: [OT01], addresses: [10.1.0.11]}\nflows:\n  - {name: o, from: other, to: pacs, operations: [echo]}", "peers 'ct' and 'other' may both come from 10.1.0.11", false },
        { "shadowed-flow", "flows:\n  - {name: ct-again, from: ct, to: pacs, operations: [store], sop-classes: [CTImageStorage]}", "flow 'ct-again' is shadowed by flow 'ct-store'", false },
        { "any-address", "peers:\n  - {name: anywhere, zone: devices, ae-titles: [ANY], addresses: [10.1.0.0/16]}\nzones:\n  - {name: world, kind: clinical, networks: [0.0.0.0/0]}\nflows:\n  - {name: a, from: anywhere, to: pacs, operations: [echo]}", "zone 'world' allows 0.0.0.0/0: every address of the family", false },
        { "broad-address", "peers:\n  - {name: wide, zone: big, ae-titles: [WIDE], addresses: [10.8.0.0/13]}\nzones:\n  - {name: big, kind: device, networks: [10.0.0.0/8]}\nflows:\n  - {name: w, from: wide, to: pacs, operations: [echo]}", "peer 'wide' may come from all of 10.8.0.0/13", false },
        { "all-sop-classes", "flows:\n  - {name: everything, from: ct, to: pacs, operations: [store], sop-classes: [all-storage]}", "flow 'everything' lets devices of a device zone send or retrieve every storage SOP class", false },
        { "zone-wide-flow", "flows:\n  - {name: zone-echo, from: devices, to: pacs, operations: [echo]}", "flow 'zone-echo' is from a whole zone (devices)", false },
        { "plain-dimse-clinical-leg", "peers:\n  - {name: viewer, zone: clinical, ae-titles: [VIEW], addresses: [10.2.0.5]}\nflows:\n  - {name: v, from: viewer, to: pacs, operations: [echo]}", "peer 'viewer' is in clinical zone 'clinical' but has no certificate binding", false },
        { "plain-dimse-clinical-leg", "services:\n  - name: plain\n    kind: pacs\n    ae-title: GW_PLAIN\n    upstream: {ae-title: OLD, host: old, port: 104, tls: false}\nflows:\n  - {name: p, from: ct, to: plain, operations: [echo]}", "service 'plain' forwards to OLD at old:104 without TLS", false },
        { "unused-peer", "peers:\n  - {name: idle, zone: devices, ae-titles: [IDLE], addresses: [10.1.0.99]}", "peer 'idle' is in no flow and no move destination", false },
        { "unused-service", "services:\n  - {name: spare, kind: pacs, ae-title: GW_SPARE}", "service 'spare' is the target of no flow and no role grant", false },
        { "unused-role", "roles:\n  - {name: nobody, grants: [{services: [web], operations: [qido]}]}\nservices:\n  - {name: web, kind: dicomweb}", "role 'nobody' is bound to no client or user", false },
        { "unused-sop-class-set", "sop-class-sets:\n  - {name: cardio, members: [us, waveforms]}", "SOP class set 'cardio' is used by no flow, grant or set", false },
        { "issuer-only-certificate", "peers:\n  - name: tls\n    zone: clinical\n    ae-titles: [TLS]\n    addresses: [10.2.0.7]\n    certificate: {issuer: CN=Hospital CA}\nflows:\n  - {name: t, from: tls, to: pacs, operations: [echo]}", "peer 'tls' binds only the certificate issuer", false },
        { "unknown-sop-class", "flows:\n  - {name: private, from: ct, to: pacs, operations: [store], sop-classes: [1.2.826.0.1.3680043.9.9999.1]}", "1.2.826.0.1.3680043.9.9999.1 is not a registered SOP class", false },
        { "operation-not-served", "flows:\n  - {name: mwl-store, from: ct, to: mwl, operations: [store], sop-classes: [ct]}", "flow 'mwl-store' allows store on worklist service 'mwl', which does not serve it", false },
        { "observe-mode", "mode: observe", "the policy is in observe mode", false },
        { "sop-classes-unused", "flows:\n  - {name: echo-only, from: ct, to: mwl, operations: [echo], sop-classes: [ct]}", "flow 'echo-only' lists sop-classes but allows no store, move or get", false },
    };

    [Theory]
    [MemberData(nameof(Findings))]
    public void Lint_PolicyWithTheProblem_ReportsIt(string code, string extra, string message, bool isError)
    {
        IReadOnlyList<PolicyDiagnostic> findings = Lint(Base, extra);

        PolicyDiagnostic finding = Assert.Single(findings, f => f.Code == code && f.Message.Contains(message, StringComparison.Ordinal));
        Assert.Equal(isError, finding.IsError);
    }

    [Fact]
    public void Lint_EmptyPolicy_SaysItAllowsNothing()
    {
        Assert.Equal("empty-policy", Assert.Single(Lint("version: 1")).Code);
    }

    [Fact]
    public void Lint_LaterFlowThatAddsAnything_IsNotShadowed()
    {
        // Wider SOP classes, another operation, no time window where the earlier has one: each escapes the earlier flow.
        string extra = """
            flows:
              - {name: wider, from: ct, to: pacs, operations: [store], sop-classes: [ct, sr]}
              - {name: other-op, from: ct, to: pacs, operations: [find]}
              - name: windowed
                from: mr
                to: pacs
                operations: [find]
                time-windows: [{from: "07:00", to: "19:00"}]
              - {name: unwindowed, from: mr, to: pacs, operations: [find]}
            """;

        Assert.DoesNotContain(Lint(Base, extra), f => f.Code == "shadowed-flow");
    }

    [Fact]
    public void Lint_LaterFlowInsideAnEarlierWindow_IsShadowed()
    {
        string extra = """
            flows:
              - name: day
                from: ct
                to: pacs
                operations: [find]
                time-windows: [{days: [mon-sun], from: "06:00", to: "22:00"}]
              - name: office
                from: ct
                to: pacs
                operations: [find]
                time-windows: [{days: [mon-fri], from: "08:00", to: "17:00"}]
            """;

        Assert.Contains(Lint(Base, extra), f => f.Code == "shadowed-flow" && f.Message.StartsWith("flow 'office' is shadowed by flow 'day'", StringComparison.Ordinal));
    }

    [Fact]
    public void Lint_LoadErrors_AreReportedFirstAndNoLintRuns()
    {
        PolicyLoadResult loaded = Policies.Load("flows:\n  - {name: f, from: nobody, to: pacs, operations: [echo]}");

        IReadOnlyList<PolicyDiagnostic> findings = PolicyLinter.Lint(loaded);

        Assert.All(findings, f => Assert.True(f.IsError));
        Assert.Contains(findings, f => f.Code == "unknown-name");
    }

    [Fact]
    public void Lint_ShippedPolicies_HaveNoFinding()
    {
        PolicyLoadResult loaded = PolicyLoader.LoadDirectory(Policies.ShippedDirectory);

        Assert.Empty(PolicyLinter.Lint(loaded));
    }

    private static IReadOnlyList<PolicyDiagnostic> Lint(params string[] yaml)
    {
        PolicyLoadResult loaded = Policies.Load(yaml);
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.Diagnostics));
        return PolicyLinter.Lint(loaded);
    }
}
