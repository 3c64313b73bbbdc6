using System.Net;
using Gateway.Policy.Loading;
using Gateway.Policy.Tests.Support;

namespace Gateway.Policy.Tests;

/// <summary>The example site in policies/: what each device and client may and may not do.</summary>
public sealed class ShippedPolicyTests
{
    private static readonly PolicyEvaluator Site = Load();

    // Tuesday 4 March 2025, 10:00 in Berlin (UTC+1).
    private static readonly DateTimeOffset Tuesday = new(2025, 3, 4, 9, 0, 0, TimeSpan.Zero);

    private static PolicyEvaluator Load()
    {
        PolicyLoadResult result = PolicyLoader.LoadDirectory(Policies.ShippedDirectory);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return new PolicyEvaluator(result.Model!);
    }

    private static PolicyRequest Dimse(PolicyOperation op, string calling, string address, string called, string? sop = null, string? destination = null) => new()
    {
        Protocol = PolicyProtocol.Dimse,
        Operation = op,
        CallingAE = calling,
        CalledAE = called,
        RemoteAddress = IPAddress.Parse(address),
        SopClassUid = sop,
        MoveDestination = destination,
        At = Tuesday,
    };

    private static PolicyRequest Web(PolicyOperation op, string client, string address, string? user = null, string service = "dicomweb", string? sop = null, PolicyCertificate? certificate = null, params string[] roles) => new()
    {
        Protocol = PolicyOperations.ProtocolOf(op),
        Operation = op,
        ClientId = client,
        UserId = user,
        Roles = roles,
        RemoteAddress = IPAddress.Parse(address),
        Service = service,
        SopClassUid = sop,
        Certificate = certificate,
        At = Tuesday,
    };

    private static readonly PolicyCertificate AiCertificate = new(
        "CN=ai-triage.example-hospital.org, O=Example Hospital, C=DE", "CN=Example Hospital Issuing CA 1, O=Example Hospital, C=DE", null, null);

    public static TheoryData<string, PolicyRequest, bool> Scenarios => new()
    {
        { "CT stores a CT image", Dimse(PolicyOperation.Store, "CT01", "10.120.0.11", "GW_PACS", "1.2.840.10008.5.1.4.1.1.2"), true },
        { "CT stores its dose report", Dimse(PolicyOperation.Store, "CT01", "10.120.0.11", "GW_PACS", "1.2.840.10008.5.1.4.1.1.88.67"), true },
        { "CT fetches its worklist", Dimse(PolicyOperation.Worklist, "CT01", "10.120.0.11", "GW_MWL", "1.2.840.10008.5.1.4.31"), true },
        { "CT may not query the PACS", Dimse(PolicyOperation.Find, "CT01", "10.120.0.11", "GW_PACS", "1.2.840.10008.5.1.4.1.2.2.1"), false },
        { "CT AE title from the US cart's address", Dimse(PolicyOperation.Store, "CT01", "10.120.0.31", "GW_PACS", "1.2.840.10008.5.1.4.1.1.2"), false },
        { "MR stores an enhanced MR image", Dimse(PolicyOperation.Store, "MR01", "10.120.0.12", "GW_PACS", "1.2.840.10008.5.1.4.1.1.4.1"), true },
        { "MR may not store CT", Dimse(PolicyOperation.Store, "MR01", "10.120.0.12", "GW_PACS", "1.2.840.10008.5.1.4.1.1.2"), false },
        { "US cart stores ultrasound", Dimse(PolicyOperation.Store, "US01", "10.120.0.31", "GW_PACS", "1.2.840.10008.5.1.4.1.1.6.1"), true },
        { "US cart stores a retired US image", Dimse(PolicyOperation.Store, "US01", "10.120.0.31", "GW_PACS", "1.2.840.10008.5.1.4.1.1.6"), true },
        { "US cart may not fetch a worklist", Dimse(PolicyOperation.Worklist, "US01", "10.120.0.31", "GW_MWL", "1.2.840.10008.5.1.4.31"), false },
        { "US cart may not query", Dimse(PolicyOperation.Find, "US01", "10.120.0.31", "GW_PACS", "1.2.840.10008.5.1.4.1.2.2.1"), false },
        { "legacy workstation queries priors", Dimse(PolicyOperation.Find, "WS_LEGACY", "10.120.0.50", "GW_PACS", "1.2.840.10008.5.1.4.1.2.2.1"), true },
        { "legacy workstation retrieves to itself", Dimse(PolicyOperation.Move, "WS_LEGACY", "10.120.0.50", "GW_PACS", "1.2.840.10008.5.1.4.1.2.2.2", "WS_LEGACY"), true },
        { "legacy workstation retrieves to the CT", Dimse(PolicyOperation.Move, "WS_LEGACY", "10.120.0.50", "GW_PACS", "1.2.840.10008.5.1.4.1.2.2.2", "CT01"), false },
        { "legacy workstation may not store", Dimse(PolicyOperation.Store, "WS_LEGACY", "10.120.0.50", "GW_PACS", "1.2.840.10008.5.1.4.1.1.7"), false },
        { "legacy workstation at 23:30 Berlin", Dimse(PolicyOperation.Find, "WS_LEGACY", "10.120.0.50", "GW_PACS", "1.2.840.10008.5.1.4.1.2.2.1") with { At = new DateTimeOffset(2025, 3, 4, 22, 30, 0, TimeSpan.Zero) }, false },
        { "clinician views in the web viewer", Web(PolicyOperation.Wado, "web-viewer", "10.10.20.7", "dr.mueller", roles: "clinician"), true },
        { "clinician may not upload", Web(PolicyOperation.Stow, "web-viewer", "10.10.20.7", "dr.mueller", sop: "1.2.840.10008.5.1.4.1.1.7", roles: "clinician"), false },
        { "web viewer from a server subnet", Web(PolicyOperation.Wado, "web-viewer", "10.10.5.7", "dr.mueller", roles: "clinician"), false },
        { "AI reads studies", Web(PolicyOperation.Qido, "ai-triage", "10.10.7.15", certificate: AiCertificate), true },
        { "AI writes a comprehensive SR", Web(PolicyOperation.Stow, "ai-triage", "10.10.7.15", sop: "1.2.840.10008.5.1.4.1.1.88.33", certificate: AiCertificate), true },
        { "AI writes a segmentation", Web(PolicyOperation.Stow, "ai-triage", "10.10.7.15", sop: "1.2.840.10008.5.1.4.1.1.66.4", certificate: AiCertificate), true },
        { "AI may not write CT images", Web(PolicyOperation.Stow, "ai-triage", "10.10.7.15", sop: "1.2.840.10008.5.1.4.1.1.2", certificate: AiCertificate), false },
        { "AI without its certificate", Web(PolicyOperation.Qido, "ai-triage", "10.10.7.15"), false },
        { "security admin reloads the policy", Web(PolicyOperation.PolicyWrite, "gatewayctl", "10.10.2.9", "alice.meyer", "admin"), true },
        { "compliance officer exports the audit log", Web(PolicyOperation.AuditExport, "gatewayctl", "10.10.2.9", "bob.schulz", "admin"), true },
        { "compliance officer may not change the policy", Web(PolicyOperation.PolicyWrite, "gatewayctl", "10.10.2.9", "bob.schulz", "admin"), false },
        { "incident responder restores", Web(PolicyOperation.BackupRestore, "gatewayctl", "10.10.2.9", "carol.wagner", "admin"), true },
        { "a clinician token does not open the admin API", Web(PolicyOperation.AuditRead, "gatewayctl", "10.10.2.9", "dr.mueller", "admin", roles: "clinician"), false },
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Site_Scenario(string scenario, PolicyRequest request, bool allowed)
    {
        PolicyDecision decision = Site.Evaluate(request);

        Assert.True(allowed == (decision.Outcome == PolicyOutcome.Allow), $"{scenario}: {decision}");
    }

    [Fact]
    public void Site_SpoofedCT_IsASecurityAlert()
    {
        Assert.True(Site.Evaluate(Dimse(PolicyOperation.Store, "CT01", "10.120.0.99", "GW_PACS", "1.2.840.10008.5.1.4.1.1.2")).SecurityAlert);
    }
}
