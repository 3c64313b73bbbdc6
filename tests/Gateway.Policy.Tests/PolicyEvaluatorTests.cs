using System.Net;
using Gateway.Policy.Tests.Support;
using static Gateway.Policy.Tests.Support.Requests;

namespace Gateway.Policy.Tests;

/// <summary>Table-driven decisions on the <see cref="Policies.Site"/> policy: each binding, each rule condition.</summary>
public sealed class PolicyEvaluatorTests
{
    private static readonly PolicyEvaluator Site = Policies.Compile(Policies.Site);

    public static TheoryData<string, PolicyRequest, PolicyOutcome, PolicyReason, string> DimseCases => new()
    {
        // Peer bindings: AE title and address must both match.
        { "known AE, right address", CtStore(), PolicyOutcome.Allow, PolicyReason.Allowed, "flow:ct-store" },
        { "unknown AE title", Dimse(PolicyOperation.Store, "CT99", "10.1.0.11", sopClass: CT), PolicyOutcome.Deny, PolicyReason.UnknownPeer, "default-deny" },
        { "known AE, wrong address", Dimse(PolicyOperation.Store, "CT01", "10.1.0.12", sopClass: CT), PolicyOutcome.Deny, PolicyReason.AddressMismatch, "peer:ct" },
        { "known AE, address of another peer", Dimse(PolicyOperation.Store, "CT01", "10.1.0.31", sopClass: CT), PolicyOutcome.Deny, PolicyReason.AddressMismatch, "peer:ct" },
        { "AE title padded with spaces", Dimse(PolicyOperation.Store, "CT01  ", "10.1.0.11", "GW_PACS ", CT), PolicyOutcome.Allow, PolicyReason.Allowed, "flow:ct-store" },
        { "AE titles are case-sensitive", Dimse(PolicyOperation.Store, "ct01", "10.1.0.11", sopClass: CT), PolicyOutcome.Deny, PolicyReason.UnknownPeer, "default-deny" },
        { "IPv4-mapped IPv6 address", Dimse(PolicyOperation.Store, "CT01", "::ffff:10.1.0.11", sopClass: CT), PolicyOutcome.Allow, PolicyReason.Allowed, "flow:ct-store" },
        { "second AE title of a peer", Dimse(PolicyOperation.Store, "US01B", "10.1.0.32", sopClass: US), PolicyOutcome.Allow, PolicyReason.Allowed, "flow:us-store" },
        { "empty calling AE", Dimse(PolicyOperation.Store, "  ", "10.1.0.11", sopClass: CT), PolicyOutcome.Deny, PolicyReason.InvalidRequest, "default-deny" },

        // Services.
        { "unknown called AE", Dimse(PolicyOperation.Store, "CT01", "10.1.0.11", "PACS", CT), PolicyOutcome.Deny, PolicyReason.UnknownService, "default-deny" },
        { "service with no flow from the peer", Dimse(PolicyOperation.Worklist, "VIEWER", "10.2.5.9", "GW_MWL", Worklist) with { Certificate = ViewerCertificate() }, PolicyOutcome.Deny, PolicyReason.NoMatchingRule, "default-deny" },

        // Operations.
        { "echo allowed", Dimse(PolicyOperation.Echo, "CT01", "10.1.0.11"), PolicyOutcome.Allow, PolicyReason.Allowed, "flow:ct-store" },
        { "echo with Verification UID", Dimse(PolicyOperation.Echo, "CT01", "10.1.0.11", sopClass: Verification), PolicyOutcome.Allow, PolicyReason.Allowed, "flow:ct-store" },
        { "echo with another UID", Dimse(PolicyOperation.Echo, "CT01", "10.1.0.11", sopClass: CT), PolicyOutcome.Deny, PolicyReason.SopClassNotAllowed, "default-deny" },
        { "operation not in the flow", Dimse(PolicyOperation.Find, "CT01", "10.1.0.11", sopClass: StudyRootFind), PolicyOutcome.Deny, PolicyReason.OperationNotAllowed, "default-deny" },
        { "store without echo in flow", Dimse(PolicyOperation.Echo, "US01", "10.1.0.31"), PolicyOutcome.Deny, PolicyReason.OperationNotAllowed, "default-deny" },

        // SOP classes.
        { "SOP class in a group", CtStore(BasicTextSR), PolicyOutcome.Allow, PolicyReason.Allowed, "flow:ct-store" },
        { "SOP class padded with NUL", CtStore(CT + "\0"), PolicyOutcome.Allow, PolicyReason.Allowed, "flow:ct-store" },
        { "SOP class not in the flow", CtStore(MR), PolicyOutcome.Deny, PolicyReason.SopClassNotAllowed, "default-deny" },
        { "store without a SOP class", CtStore(null!), PolicyOutcome.Deny, PolicyReason.SopClassRequired, "default-deny" },
        { "retired US class in us group", Dimse(PolicyOperation.Store, "US01", "10.1.0.31", sopClass: "1.2.840.10008.5.1.4.1.1.6"), PolicyOutcome.Allow, PolicyReason.Allowed, "flow:us-store" },
        { "worklist model", Dimse(PolicyOperation.Worklist, "CT01", "10.1.0.11", "GW_MWL", Worklist), PolicyOutcome.Allow, PolicyReason.Allowed, "flow:device-worklist" },
        { "worklist with a Q/R model", Dimse(PolicyOperation.Worklist, "CT01", "10.1.0.11", "GW_MWL", StudyRootFind), PolicyOutcome.Deny, PolicyReason.SopClassNotAllowed, "default-deny" },
        { "find with study root", Dimse(PolicyOperation.Find, "WS01", "10.1.0.50", sopClass: StudyRootFind), PolicyOutcome.Allow, PolicyReason.Allowed, "flow:ws-priors" },
        { "find with a storage class", Dimse(PolicyOperation.Find, "WS01", "10.1.0.50", sopClass: CT), PolicyOutcome.Deny, PolicyReason.SopClassNotAllowed, "default-deny" },
        { "get model", Dimse(PolicyOperation.Get, "WS01", "10.1.0.50", sopClass: StudyRootGet), PolicyOutcome.Allow, PolicyReason.Allowed, "flow:ws-priors" },
        { "get sub-operation, allowed class", Dimse(PolicyOperation.Get, "WS01", "10.1.0.50", sopClass: CT), PolicyOutcome.Allow, PolicyReason.Allowed, "flow:ws-priors" },
        { "get sub-operation, other class", Dimse(PolicyOperation.Get, "WS01", "10.1.0.50", sopClass: MR), PolicyOutcome.Deny, PolicyReason.SopClassNotAllowed, "default-deny" },

        // Move destinations.
        { "move to an allowed destination", Dimse(PolicyOperation.Move, "WS01", "10.1.0.50", sopClass: StudyRootMove) with { MoveDestination = "WS01" }, PolicyOutcome.Allow, PolicyReason.Allowed, "flow:ws-priors" },
        { "move to another AE", Dimse(PolicyOperation.Move, "WS01", "10.1.0.50", sopClass: StudyRootMove) with { MoveDestination = "CT01" }, PolicyOutcome.Deny, PolicyReason.MoveDestinationNotAllowed, "default-deny" },
        { "move without destination", Dimse(PolicyOperation.Move, "WS01", "10.1.0.50", sopClass: StudyRootMove), PolicyOutcome.Deny, PolicyReason.MoveDestinationNotAllowed, "default-deny" },
        { "move sub-operation, allowed class", Dimse(PolicyOperation.Move, "WS01", "10.1.0.50", sopClass: CT) with { MoveDestination = "WS01" }, PolicyOutcome.Allow, PolicyReason.Allowed, "flow:ws-priors" },

        // Time windows (ws-priors: mon-fri 07:00-19:00 UTC).
        { "inside the window", Dimse(PolicyOperation.Find, "WS01", "10.1.0.50", sopClass: StudyRootFind) with { At = new DateTimeOffset(2025, 3, 4, 18, 59, 0, TimeSpan.Zero) }, PolicyOutcome.Allow, PolicyReason.Allowed, "flow:ws-priors" },
        { "at the window's end", Dimse(PolicyOperation.Find, "WS01", "10.1.0.50", sopClass: StudyRootFind) with { At = new DateTimeOffset(2025, 3, 4, 19, 0, 0, TimeSpan.Zero) }, PolicyOutcome.Deny, PolicyReason.OutsideTimeWindow, "default-deny" },
        { "on a Saturday", Dimse(PolicyOperation.Find, "WS01", "10.1.0.50", sopClass: StudyRootFind) with { At = new DateTimeOffset(2025, 3, 8, 10, 0, 0, TimeSpan.Zero) }, PolicyOutcome.Deny, PolicyReason.OutsideTimeWindow, "default-deny" },
        { "time given with an offset", Dimse(PolicyOperation.Find, "WS01", "10.1.0.50", sopClass: StudyRootFind) with { At = new DateTimeOffset(2025, 3, 4, 20, 30, 0, TimeSpan.FromHours(2)) }, PolicyOutcome.Allow, PolicyReason.Allowed, "flow:ws-priors" },

        // Size.
        { "object at the limit", CtStore() with { ObjectSize = 1 << 20 }, PolicyOutcome.Allow, PolicyReason.Allowed, "flow:ct-store" },
        { "object over the limit", CtStore() with { ObjectSize = (1 << 20) + 1 }, PolicyOutcome.Deny, PolicyReason.ObjectTooLarge, "default-deny" },

        // Zone-wide flow: every peer of the zone.
        { "zone flow for another peer", Dimse(PolicyOperation.Worklist, "US01", "10.1.0.31", "GW_MWL", Worklist), PolicyOutcome.Allow, PolicyReason.Allowed, "flow:device-worklist" },

        // Certificate bindings.
        { "certificate matches", Dimse(PolicyOperation.Find, "VIEWER", "10.2.5.9", sopClass: StudyRootFind) with { Certificate = ViewerCertificate() }, PolicyOutcome.Allow, PolicyReason.Allowed, "flow:viewer-query" },
        { "certificate over IPv6", Dimse(PolicyOperation.Find, "VIEWER", "fd00::5", sopClass: StudyRootFind) with { Certificate = ViewerCertificate() }, PolicyOutcome.Allow, PolicyReason.Allowed, "flow:viewer-query" },
        { "DN compared ignoring case", Dimse(PolicyOperation.Find, "VIEWER", "10.2.5.9", sopClass: StudyRootFind) with { Certificate = ViewerCertificate(subject: "cn=VIEWER.example.org, o=example") }, PolicyOutcome.Allow, PolicyReason.Allowed, "flow:viewer-query" },
        { "no certificate", Dimse(PolicyOperation.Find, "VIEWER", "10.2.5.9", sopClass: StudyRootFind), PolicyOutcome.Deny, PolicyReason.CertificateRequired, "peer:viewer" },
        { "wrong subject", Dimse(PolicyOperation.Find, "VIEWER", "10.2.5.9", sopClass: StudyRootFind) with { Certificate = ViewerCertificate(subject: "CN=evil.example.org, O=Example") }, PolicyOutcome.Deny, PolicyReason.CertificateMismatch, "peer:viewer" },
        { "wrong issuer", Dimse(PolicyOperation.Find, "VIEWER", "10.2.5.9", sopClass: StudyRootFind) with { Certificate = ViewerCertificate(issuer: "CN=Other CA") }, PolicyOutcome.Deny, PolicyReason.CertificateMismatch, "peer:viewer" },
        { "wrong SAN", Dimse(PolicyOperation.Find, "VIEWER", "10.2.5.9", sopClass: StudyRootFind) with { Certificate = ViewerCertificate(san: "DNS:other.example.org") }, PolicyOutcome.Deny, PolicyReason.CertificateMismatch, "peer:viewer" },
        { "right certificate, wrong address", Dimse(PolicyOperation.Find, "VIEWER", "10.2.6.9", sopClass: StudyRootFind) with { Certificate = ViewerCertificate() }, PolicyOutcome.Deny, PolicyReason.AddressMismatch, "peer:viewer" },

        // Protocol and operation must agree.
        { "DICOMweb operation on DIMSE", Dimse(PolicyOperation.Qido, "CT01", "10.1.0.11"), PolicyOutcome.Deny, PolicyReason.InvalidRequest, "default-deny" },
        { "no address", Dimse(PolicyOperation.Store, "CT01", "10.1.0.11", sopClass: CT) with { RemoteAddress = null }, PolicyOutcome.Deny, PolicyReason.AddressMismatch, "peer:ct" },
    };

    [Theory]
    [MemberData(nameof(DimseCases))]
    public void Evaluate_Dimse_DecidesAsTheTableSays(string scenario, PolicyRequest request, PolicyOutcome outcome, PolicyReason reason, string rule)
    {
        PolicyDecision decision = Site.Evaluate(request);

        Assert.True(decision.Outcome == outcome && decision.Reason == reason && decision.Rule == rule, $"{scenario}: {decision}");
        Assert.Equal(PolicyReasons.IsSecurityAlert(reason), decision.SecurityAlert);
    }

    public static TheoryData<string, PolicyRequest, PolicyOutcome, PolicyReason, string> WebCases => new()
    {
        // Clients and users.
        { "client acting alone", Web(PolicyOperation.Qido, "ai-app") with { Certificate = new PolicyCertificate(null, null, null, new string('A', 2) + "BBCCDDEEFF00112233445566778899AABBCCDDEEFF00112233445566778899") }, PolicyOutcome.Allow, PolicyReason.Allowed, "role:ai/read" },
        { "unknown client", Web(PolicyOperation.Qido, "nobody"), PolicyOutcome.Deny, PolicyReason.UnknownClient, "default-deny" },
        { "client without certificate", Web(PolicyOperation.Qido, "ai-app"), PolicyOutcome.Deny, PolicyReason.CertificateRequired, "client:ai-app" },
        { "client with another certificate", Web(PolicyOperation.Qido, "ai-app") with { Certificate = new PolicyCertificate(null, null, null, new string('0', 64)) }, PolicyOutcome.Deny, PolicyReason.CertificateMismatch, "client:ai-app" },
        { "client from outside its addresses", Web(PolicyOperation.Qido, "viewer-app", "dr.who", "10.3.0.1"), PolicyOutcome.Deny, PolicyReason.AddressMismatch, "client:viewer-app" },
        { "bound user", Web(PolicyOperation.Wado, "viewer-app", "dr.who"), PolicyOutcome.Allow, PolicyReason.Allowed, "role:clinician/view" },
        { "user with a token role", Web(PolicyOperation.Wado, "viewer-app", "dr.new", roles: ["clinician"]), PolicyOutcome.Allow, PolicyReason.Allowed, "role:clinician/view" },
        { "token role not accepted from tokens", Web(PolicyOperation.Qido, "viewer-app", "dr.new", roles: ["ai"]), PolicyOutcome.Deny, PolicyReason.UnknownUser, "default-deny" },
        { "unknown user without roles", Web(PolicyOperation.Qido, "viewer-app", "mallory"), PolicyOutcome.Deny, PolicyReason.UnknownUser, "default-deny" },
        { "user may, client may not", Web(PolicyOperation.AuditRead, "viewer-app", "audrey", service: "admin"), PolicyOutcome.Deny, PolicyReason.ClientNotAllowed, "default-deny" },
        { "client may, user may not", Web(PolicyOperation.AuditRead, "console", "dr.who", service: "admin"), PolicyOutcome.Deny, PolicyReason.NoMatchingRule, "default-deny" },
        { "both may", Web(PolicyOperation.AuditRead, "console", "audrey", service: "admin"), PolicyOutcome.Allow, PolicyReason.Allowed, "role:auditor/1" },

        // Grants: operations, services, SOP classes, size.
        { "operation outside the grant", Web(PolicyOperation.Stow, "viewer-app", "dr.who"), PolicyOutcome.Deny, PolicyReason.OperationNotAllowed, "default-deny" },
        { "admin operation on DICOMweb service", Web(PolicyOperation.AuditRead, "console", "audrey"), PolicyOutcome.Deny, PolicyReason.UnknownService, "default-deny" },
        { "protocol and operation disagree", Web(PolicyOperation.Qido, "viewer-app", "dr.who") with { Protocol = PolicyProtocol.Admin }, PolicyOutcome.Deny, PolicyReason.InvalidRequest, "default-deny" },
        { "unknown service", Web(PolicyOperation.Qido, "viewer-app", "dr.who", service: "other"), PolicyOutcome.Deny, PolicyReason.UnknownService, "default-deny" },
        { "DIMSE service name on DICOMweb", Web(PolicyOperation.Qido, "viewer-app", "dr.who", service: "pacs"), PolicyOutcome.Deny, PolicyReason.UnknownService, "default-deny" },
    };

    [Theory]
    [MemberData(nameof(WebCases))]
    public void Evaluate_DicomWebAndAdmin_DecidesAsTheTableSays(string scenario, PolicyRequest request, PolicyOutcome outcome, PolicyReason reason, string rule)
    {
        PolicyDecision decision = Site.Evaluate(request);

        Assert.True(decision.Outcome == outcome && decision.Reason == reason && decision.Rule == rule, $"{scenario}: {decision}");
    }

    private static readonly PolicyCertificate AiCertificate = new(null, null, null, "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99");

    [Theory]
    [InlineData(Requests.BasicTextSR, 1000L, PolicyOutcome.Allow, PolicyReason.Allowed)]
    [InlineData(Requests.CT, 1000L, PolicyOutcome.Deny, PolicyReason.SopClassNotAllowed)]
    [InlineData(null, 1000L, PolicyOutcome.Deny, PolicyReason.SopClassRequired)]
    [InlineData(Requests.BasicTextSR, 2_000_000L, PolicyOutcome.Deny, PolicyReason.ObjectTooLarge)]
    public void Evaluate_Stow_ChecksSopClassAndSize(string? sopClass, long size, PolicyOutcome outcome, PolicyReason reason)
    {
        PolicyRequest request = Web(PolicyOperation.Stow, "ai-app") with { Certificate = AiCertificate, SopClassUid = sopClass, ObjectSize = size };

        PolicyDecision decision = Site.Evaluate(request);

        Assert.Equal((outcome, reason), (decision.Outcome, decision.Reason));
    }

    [Fact]
    public void Evaluate_Allowed_CarriesTheRuleRateLimitPrincipalAndService()
    {
        PolicyDecision decision = Site.Evaluate(CtStore());

        Assert.Equal(new PolicyRateLimit(10, 100, 0), decision.RateLimit);
        Assert.Equal("ct", decision.Principal);
        Assert.Equal("pacs", decision.Service);
        Assert.Equal(PolicyMode.Enforce, decision.Mode);
        Assert.Null(decision.NearestRule);
    }

    [Fact]
    public void Evaluate_DeniedByDefault_NamesTheNearestRule()
    {
        PolicyDecision decision = Site.Evaluate(CtStore(MR));

        Assert.Equal("flow:ct-store", decision.NearestRule);
        Assert.Equal(PolicyRateLimit.None, decision.RateLimit);
    }

    [Fact]
    public void Evaluate_DeniedByDefault_NearestIsTheRuleThatGotFurthest()
    {
        // ws-priors fails on the time window (later check) only; it is nearer than any rule failing on the operation.
        PolicyRequest request = Dimse(PolicyOperation.Find, "WS01", "10.1.0.50", sopClass: StudyRootFind) with { At = new DateTimeOffset(2025, 3, 9, 10, 0, 0, TimeSpan.Zero) };

        Assert.Equal("flow:ws-priors", Site.Evaluate(request).NearestRule);
    }

    [Fact]
    public void Evaluate_TwoFlowsMatch_FirstInPolicyOrderDecides()
    {
        PolicyEvaluator evaluator = Policies.Compile(Policies.Site, """
            flows:
              - name: later-ct
                from: ct
                to: pacs
                operations: [store]
                sop-classes: [ct, mr]
            """);

        Assert.Equal("flow:ct-store", evaluator.Evaluate(CtStore()).Rule);
        Assert.Equal("flow:later-ct", evaluator.Evaluate(CtStore(MR)).Rule);
    }

    [Fact]
    public void Evaluate_ObserveMode_AllowsWhatWouldBeDeniedAndSaysSo()
    {
        PolicyEvaluator evaluator = Policies.Compile(Policies.Site, "mode: observe");

        PolicyDecision wouldDeny = evaluator.Evaluate(CtStore(MR));
        PolicyDecision spoof = evaluator.Evaluate(Dimse(PolicyOperation.Store, "CT01", "10.1.0.99", sopClass: CT));
        PolicyDecision allow = evaluator.Evaluate(CtStore());

        Assert.Equal((PolicyOutcome.WouldDeny, PolicyReason.SopClassNotAllowed, true, true), (wouldDeny.Outcome, wouldDeny.Reason, wouldDeny.IsAllowed, wouldDeny.IsDeniedByPolicy));
        Assert.Equal((PolicyOutcome.WouldDeny, true), (spoof.Outcome, spoof.SecurityAlert));
        Assert.Equal((PolicyOutcome.Allow, PolicyMode.Observe, false), (allow.Outcome, allow.Mode, allow.IsDeniedByPolicy));
    }

    [Fact]
    public void Evaluate_TimeWindowCrossingMidnight_InThePolicyTimeZone()
    {
        PolicyEvaluator evaluator = Policies.Compile(Policies.Site.Replace("version: 1", "version: 1\ntimezone: Europe/Berlin", StringComparison.Ordinal), """
            flows:
              - name: night-echo
                from: ct
                to: mwl
                operations: [echo]
                time-windows:
                  - { days: [fri], from: "22:00", to: "06:00" }
            """);
        PolicyRequest echo = Dimse(PolicyOperation.Echo, "CT01", "10.1.0.11", "GW_MWL");

        // Berlin is UTC+1 in March 2025 until the 30th. Friday 7 March.
        Assert.Equal(PolicyOutcome.Allow, evaluator.Evaluate(echo with { At = new DateTimeOffset(2025, 3, 7, 21, 0, 0, TimeSpan.Zero) }).Outcome);  // Fri 22:00
        Assert.Equal(PolicyOutcome.Allow, evaluator.Evaluate(echo with { At = new DateTimeOffset(2025, 3, 8, 4, 59, 0, TimeSpan.Zero) }).Outcome);  // Sat 05:59, from Friday
        Assert.Equal(PolicyOutcome.Deny, evaluator.Evaluate(echo with { At = new DateTimeOffset(2025, 3, 8, 5, 0, 0, TimeSpan.Zero) }).Outcome);   // Sat 06:00
        Assert.Equal(PolicyOutcome.Deny, evaluator.Evaluate(echo with { At = new DateTimeOffset(2025, 3, 7, 20, 59, 0, TimeSpan.Zero) }).Outcome); // Fri 21:59
        Assert.Equal(PolicyOutcome.Deny, evaluator.Evaluate(echo with { At = new DateTimeOffset(2025, 3, 8, 21, 30, 0, TimeSpan.Zero) }).Outcome); // Sat 22:30
    }

    [Fact]
    public void Evaluate_PeersSharingAnAETitleFromDifferentAddresses_EachRecognisedByItsAddress()
    {
        PolicyEvaluator evaluator = Policies.Compile(Policies.Site, """
            peers:
              - name: us-2
                zone: devices
                ae-titles: [US01]
                addresses: [10.1.0.40]
            flows:
              - name: us2-echo
                from: us-2
                to: pacs
                operations: [echo]
            """);

        Assert.Equal("us", evaluator.Evaluate(Dimse(PolicyOperation.Store, "US01", "10.1.0.31", sopClass: US)).Principal);
        Assert.Equal(("us-2", "flow:us2-echo"), (evaluator.Evaluate(Dimse(PolicyOperation.Echo, "US01", "10.1.0.40")).Principal, evaluator.Evaluate(Dimse(PolicyOperation.Echo, "US01", "10.1.0.40")).Rule));
        Assert.Equal(PolicyReason.AddressMismatch, evaluator.Evaluate(Dimse(PolicyOperation.Echo, "US01", "10.1.0.41")).Reason);
    }

    [Fact]
    public void Evaluate_ServiceByName_OverridesTheCalledAE()
    {
        Assert.Equal(PolicyOutcome.Allow, Site.Evaluate(CtStore() with { CalledAE = null, Service = "pacs" }).Outcome);
        Assert.Equal(PolicyReason.UnknownService, Site.Evaluate(CtStore() with { CalledAE = null, Service = "web" }).Reason);
    }

    [Fact]
    public void Evaluate_EmptyPolicy_DeniesEverything()
    {
        PolicyEvaluator empty = Policies.Compile("version: 1");

        Assert.Equal(PolicyReason.UnknownPeer, empty.Evaluate(CtStore()).Reason);
        Assert.Equal(PolicyReason.UnknownService, empty.Evaluate(Web(PolicyOperation.Qido, "viewer-app")).Reason);
    }

    [Fact]
    public void Evaluate_DefaultRequest_IsDenied()
    {
        Assert.Equal(PolicyOutcome.Deny, Site.Evaluate(default).Outcome);
        Assert.Equal(PolicyOutcome.Deny, default(PolicyDecision).Outcome);
    }

    [Fact]
    public void EvaluateAssociation_KnownPeer_AcceptsOnlyTheAbstractSyntaxesItsFlowsNeed()
    {
        PolicyAssociationDecision decision = Site.EvaluateAssociation(new PolicyAssociationRequest
        {
            CallingAE = "CT01",
            CalledAE = "GW_PACS",
            RemoteAddress = IPAddress.Parse("10.1.0.11"),
            At = Tuesday10,
        });

        Assert.Equal((PolicyOutcome.Allow, "flow:ct-store"), (decision.Decision.Outcome, decision.Decision.Rule));
        Assert.True(decision.Accepts(CT));
        Assert.True(decision.Accepts(BasicTextSR));
        Assert.True(decision.Accepts(Verification));
        Assert.True(decision.Accepts(CT + "\0"));
        Assert.False(decision.Accepts(MR));
        Assert.False(decision.Accepts(StudyRootFind));
        Assert.Equal(10, decision.Decision.RateLimit.AssociationsPerMinute);
    }

    [Fact]
    public void EvaluateAssociation_QueryRetrievePeer_GetsModelsAndTheStorageClassesGetReturns()
    {
        PolicyAssociationDecision decision = Site.EvaluateAssociation(new PolicyAssociationRequest
        {
            CallingAE = "WS01",
            CalledAE = "GW_PACS",
            RemoteAddress = IPAddress.Parse("10.1.0.50"),
            At = Tuesday10,
        });

        Assert.True(decision.Accepts(StudyRootFind));
        Assert.True(decision.Accepts(StudyRootMove));
        Assert.True(decision.Accepts(StudyRootGet));
        Assert.True(decision.Accepts(CT));
        Assert.False(decision.Accepts(Worklist));
        Assert.False(decision.Accepts(Verification));
    }

    public static TheoryData<string, string, string, PolicyReason> AssociationDenials => new()
    {
        { "CT99", "10.1.0.11", "GW_PACS", PolicyReason.UnknownPeer },
        { "CT01", "10.1.0.12", "GW_PACS", PolicyReason.AddressMismatch },
        { "CT01", "10.1.0.11", "NOPE", PolicyReason.UnknownService },
        { "VIEWER", "10.2.5.1", "GW_MWL", PolicyReason.CertificateRequired },
    };

    [Theory]
    [MemberData(nameof(AssociationDenials))]
    public void EvaluateAssociation_Refused_AcceptsNoAbstractSyntax(string calling, string address, string called, PolicyReason reason)
    {
        PolicyAssociationDecision decision = Site.EvaluateAssociation(new PolicyAssociationRequest
        {
            CallingAE = calling,
            CalledAE = called,
            RemoteAddress = IPAddress.Parse(address),
            At = Tuesday10,
        });

        Assert.Equal((PolicyOutcome.Deny, reason), (decision.Decision.Outcome, decision.Decision.Reason));
        Assert.False(decision.Accepts(CT));
        Assert.False(decision.Accepts(Verification));
    }

    [Fact]
    public void EvaluateAssociation_NoFlowBetweenPeerAndService_IsRefused()
    {
        PolicyAssociationDecision decision = Site.EvaluateAssociation(new PolicyAssociationRequest
        {
            CallingAE = "VIEWER",
            CalledAE = "GW_MWL",
            RemoteAddress = IPAddress.Parse("10.2.5.1"),
            Certificate = ViewerCertificate(),
            At = Tuesday10,
        });

        Assert.Equal(PolicyReason.NoMatchingRule, decision.Decision.Reason);
        Assert.Equal(0, decision.AbstractSyntaxes.Count);
    }

    [Fact]
    public void EvaluateAssociation_OutsideEveryWindow_IsRefused()
    {
        PolicyAssociationDecision decision = Site.EvaluateAssociation(new PolicyAssociationRequest
        {
            CallingAE = "WS01",
            CalledAE = "GW_PACS",
            RemoteAddress = IPAddress.Parse("10.1.0.50"),
            At = new DateTimeOffset(2025, 3, 9, 10, 0, 0, TimeSpan.Zero),
        });

        Assert.Equal((PolicyOutcome.Deny, PolicyReason.OutsideTimeWindow, "flow:ws-priors"), (decision.Decision.Outcome, decision.Decision.Reason, decision.Decision.NearestRule));
        Assert.False(decision.Accepts(StudyRootFind));
    }

    [Fact]
    public void EvaluateAssociation_ObserveMode_AcceptsEverythingButRecordsWouldDeny()
    {
        PolicyEvaluator evaluator = Policies.Compile(Policies.Site, "mode: observe");

        PolicyAssociationDecision decision = evaluator.EvaluateAssociation(new PolicyAssociationRequest
        {
            CallingAE = "CT99",
            CalledAE = "GW_PACS",
            RemoteAddress = IPAddress.Parse("10.1.0.11"),
            At = Tuesday10,
        });

        Assert.Equal(PolicyOutcome.WouldDeny, decision.Decision.Outcome);
        Assert.True(decision.Accepts(MR));
        Assert.Equal(0, decision.AbstractSyntaxes.Count);
    }

    [Fact]
    public void Constructor_InvalidModel_Throws()
    {
        Gateway.Policy.Model.PolicyModel model = Policies.Model(Policies.Site) with { Flows = [] };
        Gateway.Policy.Model.PolicyModel broken = model with
        {
            Flows = [new Gateway.Policy.Model.FlowDefinition { Name = "x", From = ["nobody"], To = "pacs", Operations = [PolicyOperation.Echo] }],
        };

        Assert.Throws<ArgumentException>(() => new PolicyEvaluator(broken));
    }
}
