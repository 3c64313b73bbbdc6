using System.Net;
using Gateway.Policy.Loading;
using Gateway.Policy.Tests.Support;

namespace Gateway.Policy.Tests;

/// <summary>Flows that require a verified DIMSE user identity (PS3.7 D.3.3.7), optionally with a role.</summary>
public sealed class PolicyIdentityTests
{
    private const string Yaml = """
        version: 1
        mode: enforce
        timezone: UTC
        zones:
          - name: vlan
            kind: device
            networks: [10.1.0.0/16]
        peers:
          - name: ct
            zone: vlan
            ae-titles: [CT01]
            addresses: [10.1.0.11]
          - name: us
            zone: vlan
            ae-titles: [US01]
            addresses: [10.1.0.31]
        services:
          - name: pacs
            kind: pacs
            ae-title: GW_PACS
          - name: web
            kind: dicomweb
        flows:
          - name: ct-store
            from: ct
            to: pacs
            operations: [echo, store]
            sop-classes: [ct]
            require-identity: true
          - name: us-store
            from: us
            to: pacs
            operations: [echo, store]
            sop-classes: [us]
            identity-roles: [sonographer]
        roles:
          - name: sonographer
            grants:
              - services: [web]
                operations: [qido]
          - name: porter
            grants:
              - services: [web]
                operations: [qido]
        clients:
          - name: ct-console
            client-id: ct-console
            roles: [porter]
        users:
          - id: alice
            roles: [sonographer]
        """;

    private const string CT = "1.2.840.10008.5.1.4.1.1.2";
    private const string US = "1.2.840.10008.5.1.4.1.1.6.1";

    private static readonly PolicyEvaluator Evaluator = Policies.Compile(Yaml);

    public static TheoryData<string, string, string, string?, string?, string[]?, PolicyOutcome, PolicyReason> Cases => new()
    {
        { "no identity where one is required", "CT01", "10.1.0.11", null, null, null, PolicyOutcome.Deny, PolicyReason.IdentityRequired },
        { "a known client", "CT01", "10.1.0.11", null, "ct-console", null, PolicyOutcome.Allow, PolicyReason.Allowed },
        { "an identity the policy does not know", "CT01", "10.1.0.11", "mallory", null, null, PolicyOutcome.Deny, PolicyReason.IdentityRequired },
        { "a user with the role", "US01", "10.1.0.31", "alice", null, null, PolicyOutcome.Allow, PolicyReason.Allowed },
        { "a client without the role", "US01", "10.1.0.31", null, "ct-console", null, PolicyOutcome.Deny, PolicyReason.IdentityRoleNotAllowed },
        { "a client whose token carries the role", "US01", "10.1.0.31", null, "ct-console", ["sonographer"], PolicyOutcome.Allow, PolicyReason.Allowed },
        { "no identity where a role is required", "US01", "10.1.0.31", null, null, null, PolicyOutcome.Deny, PolicyReason.IdentityRequired },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Store_And_Association_DecideOnTheIdentity(string what, string callingAE, string address, string? user, string? client, string[]? roles, PolicyOutcome outcome, PolicyReason reason)
    {
        PolicyDecision store = Evaluator.Evaluate(new PolicyRequest
        {
            Protocol = PolicyProtocol.Dimse,
            Operation = PolicyOperation.Store,
            CallingAE = callingAE,
            CalledAE = "GW_PACS",
            RemoteAddress = IPAddress.Parse(address),
            SopClassUid = callingAE == "CT01" ? CT : US,
            UserId = user,
            ClientId = client,
            Roles = roles,
            At = DateTimeOffset.UtcNow,
        });
        PolicyAssociationDecision association = Evaluator.EvaluateAssociation(new PolicyAssociationRequest
        {
            CallingAE = callingAE,
            CalledAE = "GW_PACS",
            RemoteAddress = IPAddress.Parse(address),
            UserId = user,
            ClientId = client,
            Roles = roles,
            At = DateTimeOffset.UtcNow,
        });

        Assert.True(outcome == store.Outcome && reason == store.Reason, $"{what}: store {store}");
        Assert.True(outcome == association.Decision.Outcome && reason == association.Decision.Reason, $"{what}: association {association.Decision}");
    }

    [Fact]
    public void Load_IdentityRoleThatIsNoRole_IsAnError()
    {
        PolicyLoadResult result = Policies.Load(Yaml.Replace("identity-roles: [sonographer]", "identity-roles: [sonografer]", StringComparison.Ordinal));

        Assert.False(result.Succeeded);
        Assert.Contains(result.Diagnostics, d => d.ToString().Contains("'sonografer'", StringComparison.Ordinal));
    }

    [Fact]
    public void PolicyReasons_HaveCodes()
    {
        Assert.Equal("identity-required", PolicyReasons.Code(PolicyReason.IdentityRequired));
        Assert.Equal("identity-role-not-allowed", PolicyReasons.Code(PolicyReason.IdentityRoleNotAllowed));
    }
}
