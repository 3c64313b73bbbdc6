using Gateway.Policy.Analysis;
using Gateway.Policy.Tests.Support;
using static Gateway.Policy.Tests.Support.Requests;

namespace Gateway.Policy.Tests;

/// <summary>explain: golden text and JSON, and the explainer's agreement with the evaluator.</summary>
public sealed class PolicyExplainerTests
{
    private static readonly PolicyEvaluator Site = Policies.Compile(Policies.Site);

    [Fact]
    public void Explain_SopClassNotAllowed_GoldenText()
    {
        PolicyExplanation explanation = PolicyExplainer.Explain(Site, Dimse(PolicyOperation.Store, "US01", "10.1.0.31", sopClass: CT));

        Golden.AssertMatches("explain-sop-class.txt", PolicyExplanationWriter.ToText(explanation));
    }

    [Fact]
    public void Explain_SpoofedAddress_GoldenText()
    {
        PolicyExplanation explanation = PolicyExplainer.Explain(Site, Dimse(PolicyOperation.Store, "CT01", "10.1.0.99", sopClass: CT));

        Golden.AssertMatches("explain-spoofed.txt", PolicyExplanationWriter.ToText(explanation));
    }

    [Fact]
    public void Explain_WrongCertificate_GoldenText()
    {
        PolicyExplanation explanation = PolicyExplainer.Explain(Site, Dimse(PolicyOperation.Find, "VIEWER", "10.2.5.9", sopClass: StudyRootFind) with
        {
            Certificate = ViewerCertificate(subject: "CN=evil.example.org, O=Example", san: "DNS:evil.example.org"),
        });

        Golden.AssertMatches("explain-certificate.txt", PolicyExplanationWriter.ToText(explanation));
    }

    [Fact]
    public void Explain_OutsideTimeWindow_GoldenText()
    {
        PolicyRequest request = Dimse(PolicyOperation.Move, "WS01", "10.1.0.50", sopClass: StudyRootMove) with
        {
            MoveDestination = "CT01",
            At = new DateTimeOffset(2025, 3, 8, 23, 15, 0, TimeSpan.Zero),
        };

        Golden.AssertMatches("explain-time-window.txt", PolicyExplanationWriter.ToText(PolicyExplainer.Explain(Site, request)));
    }

    [Fact]
    public void Explain_AllowedStow_GoldenJson()
    {
        PolicyRequest request = Web(PolicyOperation.Stow, "ai-app") with
        {
            SopClassUid = BasicTextSR,
            ObjectSize = 4096,
            Certificate = new PolicyCertificate(null, null, null, "AABBCCDDEEFF00112233445566778899AABBCCDDEEFF00112233445566778899"),
        };

        Golden.AssertMatches("explain-stow.json", PolicyExplanationWriter.ToJson(PolicyExplainer.Explain(Site, request)));
    }

    [Fact]
    public void Explain_UserWhoseClientMayNot_GoldenText()
    {
        Golden.AssertMatches("explain-client-ceiling.txt", PolicyExplanationWriter.ToText(PolicyExplainer.Explain(Site, Web(PolicyOperation.AuditRead, "viewer-app", "audrey", service: "admin"))));
    }

    [Fact]
    public void Explain_AllowedRequest_TheDecidingRuleHasNoMismatch()
    {
        PolicyExplanation explanation = PolicyExplainer.Explain(Site, CtStore());

        Assert.Equal("flow:ct-store", explanation.DecidingRule!.Rule);
        Assert.Empty(explanation.DecidingRule.Mismatches);
        Assert.All(explanation.NearestRules, r => Assert.NotEqual("flow:ct-store", r.Rule));
    }

    [Fact]
    public void Explain_RandomDeniedRequests_EveryRuleHasAMismatchUnlessIdentityFailed()
    {
        string[] titles = ["CT01", "US01", "WS01", "XX"];
        string[] addresses = ["10.1.0.11", "10.1.0.31", "10.1.0.50"];
        PolicyOperation[] operations = [PolicyOperation.Echo, PolicyOperation.Store, PolicyOperation.Find, PolicyOperation.Move, PolicyOperation.Get, PolicyOperation.Worklist];
        string?[] sops = [CT, MR, US, StudyRootFind, StudyRootMove, Worklist, null];
        foreach (string title in titles)
        {
            foreach (string address in addresses)
            {
                foreach (PolicyOperation op in operations)
                {
                    foreach (string? sop in sops)
                    {
                        PolicyRequest request = Dimse(op, title, address, op == PolicyOperation.Worklist ? "GW_MWL" : "GW_PACS", sop) with { MoveDestination = "WS01" };
                        PolicyExplanation explanation = PolicyExplainer.Explain(Site, request, nearest: int.MaxValue);
                        if (explanation.Decision.Reason == PolicyReason.Allowed)
                        {
                            Assert.Empty(explanation.DecidingRule!.Mismatches);
                        }
                        else if (explanation.Decision.Reason is not (PolicyReason.AddressMismatch or PolicyReason.UnknownPeer))
                        {
                            Assert.All(explanation.NearestRules, r => Assert.NotEmpty(r.Mismatches));
                        }
                    }
                }
            }
        }
    }
}
