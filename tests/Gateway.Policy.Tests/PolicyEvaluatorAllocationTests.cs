using System.Net;
using Gateway.Policy.Tests.Support;
using static Gateway.Policy.Tests.Support.Requests;

namespace Gateway.Policy.Tests;

/// <summary>A decision allocates nothing: the host makes one per DIMSE message and per HTTP request.</summary>
public sealed class PolicyEvaluatorAllocationTests
{
    public static TheoryData<string, PolicyRequest> Requests => new()
    {
        { "allowed store", CtStore() },
        { "denied by SOP class", CtStore(MR) },
        { "padded AE and UID", Dimse(PolicyOperation.Store, "CT01 ", "10.1.0.11", "GW_PACS ", CT + "\0") },
        { "unknown peer", Dimse(PolicyOperation.Store, "XX", "10.1.0.11", sopClass: CT) },
        { "spoofed address", Dimse(PolicyOperation.Store, "CT01", "10.9.9.9", sopClass: CT) },
        { "IPv6 with certificate", Dimse(PolicyOperation.Find, "VIEWER", "fd00::5", sopClass: StudyRootFind) with { Certificate = ViewerCertificate() } },
        { "move with time window", Dimse(PolicyOperation.Move, "WS01", "10.1.0.50", sopClass: StudyRootMove) with { MoveDestination = "WS01" } },
        { "DICOMweb with token roles", Web(PolicyOperation.Wado, "viewer-app", "dr.new", roles: ["other", "clinician"]) },
        { "admin, client ceiling", Web(PolicyOperation.AuditRead, "viewer-app", "audrey", service: "admin") },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Evaluate_Decision_AllocatesNothing(string scenario, PolicyRequest request)
    {
        Assert.Equal(0, AllocatedPerDecision(Policies.Compile(Policies.Site), request));
        _ = scenario;
    }

    [Fact]
    public void Evaluate_TimeWindowInANamedTimeZone_AllocatesNothing()
    {
        PolicyEvaluator berlin = Policies.Compile(Policies.Site.Replace("version: 1", "version: 1\ntimezone: Europe/Berlin", StringComparison.Ordinal));
        PolicyRequest request = Dimse(PolicyOperation.Find, "WS01", "10.1.0.50", sopClass: StudyRootFind);

        Assert.Equal(0, AllocatedPerDecision(berlin, request));
    }

    [Fact]
    public void EvaluateAssociation_AllocatesNothing()
    {
        PolicyEvaluator evaluator = Policies.Compile(Policies.Site);
        var request = new PolicyAssociationRequest { CallingAE = "WS01", CalledAE = "GW_PACS", RemoteAddress = IPAddress.Parse("10.1.0.50"), At = Tuesday10 };
        for (int i = 0; i < 100; i++)
        {
            _ = evaluator.EvaluateAssociation(request).Accepts(CT);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            _ = evaluator.EvaluateAssociation(request).Accepts(CT);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static long AllocatedPerDecision(PolicyEvaluator evaluator, PolicyRequest request)
    {
        for (int i = 0; i < 100; i++)
        {
            _ = evaluator.Evaluate(request);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            _ = evaluator.Evaluate(request);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;
    }
}
