using System.Globalization;
using Gateway.Dicom;
using Gateway.Policy.Evaluation;
using Gateway.Policy.Model;

namespace Gateway.Policy.Analysis;

/// <summary>
/// Explains a decision: the evaluator decides, and the explainer checks every rule condition by condition to say how
/// the requester was recognised and why the nearest other rules did not match.
/// </summary>
public static class PolicyExplainer
{
    /// <summary>Explains <paramref name="request"/> against <paramref name="evaluator"/>, listing up to <paramref name="nearest"/> other rules.</summary>
    public static PolicyExplanation Explain(PolicyEvaluator evaluator, in PolicyRequest request, int nearest = 3)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        PolicyDecision decision = evaluator.Evaluate(request);
        PolicyRequest r = request;
        PolicyModel model = evaluator.Model;
        var resolver = new SopClassResolver(model.SopClassSets);
        var identity = new List<string>();
        List<(string Rule, SourceLocation Location, List<string> Mismatches, int Order)> rules;
        if (request.Protocol == PolicyProtocol.Dimse)
        {
            PeerDefinition? peer = IdentifyPeer(model, request, identity);
            ServiceDefinition? service = IdentifyService(model, request, identity);
            rules = [.. model.Flows.Select((flow, i) => ($"flow:{flow.Name}", flow.Location, FlowMismatches(model, resolver, evaluator, flow, peer, service, r), i))];
        }
        else
        {
            (HashSet<string> userRoles, HashSet<string> clientRoles) = IdentifyPrincipal(model, request, identity);
            ServiceDefinition? service = request.Service is null ? null : model.FindService(request.Service);
            identity.Add(service is null ? $"service: '{request.Service}' is not a service of the policy" : $"service: {service.Name} ({PolicyModelValidatorKind(service.Kind)})");
            int order = 0;
            rules = [];
            foreach (RoleDefinition role in model.Roles)
            {
                foreach (RoleGrant grant in role.Grants)
                {
                    rules.Add(($"role:{role.Name}/{grant.Name}", grant.Location, GrantMismatches(resolver, evaluator, role, grant, userRoles, clientRoles, request), order++));
                }
            }
        }

        // The evaluator's nearest rule first (it got furthest through the checks), then by how few conditions fail.
        RuleExplanation? deciding = null;
        var others = new List<RuleExplanation>();
        foreach ((string rule, SourceLocation location, List<string> mismatches, int _) in rules.OrderBy(r => r.Rule == decision.NearestRule ? 0 : 1).ThenBy(r => r.Mismatches.Count).ThenBy(r => r.Order))
        {
            var explanation = new RuleExplanation(rule, location, mismatches);
            if (decision.Outcome != PolicyOutcome.Deny && decision.Reason == PolicyReason.Allowed && rule == decision.Rule)
            {
                deciding = explanation;
            }
            else if (others.Count < nearest)
            {
                others.Add(explanation);
            }
        }

        return new PolicyExplanation { Request = request, Decision = decision, Identity = identity, DecidingRule = deciding, NearestRules = others };
    }

    private static PeerDefinition? IdentifyPeer(PolicyModel model, in PolicyRequest request, List<string> identity)
    {
        string ae = (request.CallingAE ?? string.Empty).Trim(' ');
        PeerDefinition[] candidates = [.. model.Peers.Where(p => p.AETitles.Contains(ae, StringComparer.Ordinal))];
        if (candidates.Length == 0)
        {
            identity.Add($"peer: no peer has AE title '{ae}'");
            if (request.RemoteAddress is { } address)
            {
                foreach (PeerDefinition owner in model.Peers.Where(p => p.Addresses.Any(a => a.Contains(address))))
                {
                    identity.Add($"  address {address} belongs to peer {owner.Name}, whose AE titles are {PolicyText.List(owner.AETitles)}");
                }
            }

            return null;
        }

        PeerDefinition? recognised = null;
        foreach (PeerDefinition peer in candidates)
        {
            System.Net.IPAddress? remote = request.RemoteAddress;
            IpNetwork? match = remote is null ? null : peer.Addresses.Cast<IpNetwork?>().FirstOrDefault(n => n!.Value.Contains(remote));
            if (match is null)
            {
                identity.Add($"peer: AE title {ae} belongs to peer {peer.Name}, which may come from {PolicyText.List(peer.Addresses.Select(n => n.ToString()))}; the request came from {request.RemoteAddress?.ToString() ?? "no address"} (spoofing alert)");
                continue;
            }

            List<string> certificate = CertificateMismatches(peer.Certificate, request.Certificate);
            if (certificate.Count > 0)
            {
                identity.Add($"peer: AE title {ae} from {request.RemoteAddress} is peer {peer.Name}, but its certificate binding fails (spoofing alert):");
                identity.AddRange(certificate.Select(c => "  - " + c));
                continue;
            }

            identity.Add($"peer: {peer.Name} (AE title {ae}, address {request.RemoteAddress} in {match}, " +
                (peer.Certificate is null ? "no certificate required" : "certificate matches") + $", zone {peer.Zone})");
            recognised = peer;
            break;
        }

        // When the bindings failed, explain the rules as if the AE title's peer had been recognised.
        return recognised ?? candidates[0];
    }

    private static ServiceDefinition? IdentifyService(PolicyModel model, in PolicyRequest request, List<string> identity)
    {
        ServiceDefinition? service;
        if (request.Service is not null)
        {
            service = model.FindService(request.Service);
            identity.Add(service is null ? $"service: '{request.Service}' is not a service of the policy" : $"service: {service.Name}");
            return service;
        }

        string called = (request.CalledAE ?? string.Empty).Trim(' ');
        service = model.Services.FirstOrDefault(s => s.AETitle == called);
        identity.Add(service is null ? $"service: no service answers at called AE title '{called}'" : $"service: {service.Name} (called AE title {called})");
        return service;
    }

    private static (HashSet<string> UserRoles, HashSet<string> ClientRoles) IdentifyPrincipal(PolicyModel model, in PolicyRequest request, List<string> identity)
    {
        var userRoles = new HashSet<string>(StringComparer.Ordinal);
        var clientRoles = new HashSet<string>(StringComparer.Ordinal);
        string? clientId = request.ClientId;
        ClientDefinition? client = model.Clients.FirstOrDefault(c => c.ClientId == clientId);
        if (client is null)
        {
            identity.Add($"client: '{request.ClientId}' is not a client of the policy");
        }
        else
        {
            clientRoles.UnionWith(client.Roles);
            var problems = new List<string>();
            System.Net.IPAddress? remote = request.RemoteAddress;
            if (client.Addresses.Count > 0 && (remote is null || !client.Addresses.Any(a => a.Contains(remote))))
            {
                problems.Add($"it may come from {PolicyText.List(client.Addresses.Select(a => a.ToString()))}; the request came from {request.RemoteAddress?.ToString() ?? "no address"}");
            }

            problems.AddRange(CertificateMismatches(client.Certificate, request.Certificate));
            identity.Add($"client: {client.Name} (client id {client.ClientId}), roles {PolicyText.List(client.Roles)}" + (problems.Count > 0 ? "; bindings fail (spoofing alert):" : string.Empty));
            identity.AddRange(problems.Select(p => "  - " + p));
        }

        if (request.UserId is { } userId)
        {
            UserDefinition? user = model.Users.FirstOrDefault(u => u.Id == userId);
            if (user is not null)
            {
                userRoles.UnionWith(user.Roles);
            }

            string[] fromToken = [.. (request.Roles ?? []).Where(name => model.FindRole(name) is { TokenClaim: true })];
            userRoles.UnionWith(fromToken);
            identity.Add($"user: {userId}" + (user is null ? " (not in the policy)" : $", roles {PolicyText.List(user.Roles)}") +
                (fromToken.Length > 0 ? $", roles from the token {PolicyText.List(fromToken)}" : string.Empty));
        }

        return (userRoles, clientRoles);
    }

    private static List<string> FlowMismatches(
        PolicyModel model, SopClassResolver resolver, PolicyEvaluator evaluator, FlowDefinition flow, PeerDefinition? peer, ServiceDefinition? service, in PolicyRequest request)
    {
        var m = new List<string>();
        if (peer is null || !model.SourcePeers(flow).Contains(peer))
        {
            m.Add($"from {PolicyText.List(flow.From)}: does not include " + (peer is null ? "the requester" : $"peer {peer.Name}"));
        }

        if (service is null || service.Name != flow.To)
        {
            m.Add($"to {flow.To}, not " + (service?.Name ?? "the requested service"));
        }

        Conditions(m, resolver, evaluator, flow.Operations, flow.SopClasses, flow.Operations.Contains(PolicyOperation.Move) ? flow.MoveDestinations.SelectMany(d => model.FindPeer(d)?.AETitles ?? []).ToList() : null,
            flow.TimeWindows, flow.MaxObjectSize, request, dimse: true);
        return m;
    }

    private static List<string> GrantMismatches(
        SopClassResolver resolver, PolicyEvaluator evaluator, RoleDefinition role, RoleGrant grant, HashSet<string> userRoles, HashSet<string> clientRoles, in PolicyRequest request)
    {
        var m = new List<string>();
        if (request.UserId is not null && !userRoles.Contains(role.Name))
        {
            m.Add($"role {role.Name}: the user does not hold it");
        }

        if (!clientRoles.Contains(role.Name))
        {
            m.Add($"role {role.Name}: the client may not act in it");
        }

        if (request.Service is null || !grant.Services.Contains(request.Service))
        {
            m.Add($"services {PolicyText.List(grant.Services)}: not {request.Service ?? "(none)"}");
        }

        Conditions(m, resolver, evaluator, grant.Operations, grant.SopClasses, null, grant.TimeWindows, grant.MaxObjectSize, request, dimse: false);
        return m;
    }

    private static void Conditions(
        List<string> m,
        SopClassResolver resolver,
        PolicyEvaluator evaluator,
        IReadOnlyList<PolicyOperation> operations,
        IReadOnlyList<string> sopClasses,
        List<string>? destinations,
        IReadOnlyList<TimeWindow> windows,
        long? maxObjectSize,
        in PolicyRequest request,
        bool dimse)
    {
        if (!operations.Contains(request.Operation))
        {
            m.Add($"operation {PolicyOperations.Name(request.Operation)} is not in {PolicyText.Operations(operations)}");
        }

        string uid = CompiledRule.Trim(request.SopClassUid).ToString();
        HashSet<string> set = resolver.Resolve(sopClasses);
        string written = sopClasses.Count == 0 ? "(none)" : PolicyText.List(sopClasses);
        switch (request.Operation)
        {
            case PolicyOperation.Echo when uid.Length > 0 && uid != DicomUids.Verification.Value:
                m.Add($"SOP class {PolicyText.SopClass(uid)} is not Verification");
                break;
            case PolicyOperation.Store or PolicyOperation.Find or PolicyOperation.Worklist or PolicyOperation.Move or PolicyOperation.Get when uid.Length == 0:
                m.Add("the request names no SOP class");
                break;
            case PolicyOperation.Store when !set.Contains(uid):
                m.Add($"SOP class {PolicyText.SopClass(uid)} is not in {written}");
                break;
            case PolicyOperation.Find when !SopClassCatalog.FindModels.Contains(uid):
                m.Add($"{PolicyText.SopClass(uid)} is not a query/retrieve FIND model");
                break;
            case PolicyOperation.Worklist when !SopClassCatalog.WorklistModels.Contains(uid):
                m.Add($"{PolicyText.SopClass(uid)} is not a worklist model");
                break;
            case PolicyOperation.Move when !SopClassCatalog.MoveModels.Contains(uid) && !set.Contains(uid):
                m.Add($"SOP class {PolicyText.SopClass(uid)} is neither a MOVE model nor in {written}");
                break;
            case PolicyOperation.Get when !SopClassCatalog.GetModels.Contains(uid) && !set.Contains(uid):
                m.Add($"SOP class {PolicyText.SopClass(uid)} is neither a GET model nor in {written}");
                break;
            case PolicyOperation.Stow when sopClasses.Count > 0 && (uid.Length == 0 || !set.Contains(uid)):
            case PolicyOperation.Wado when sopClasses.Count > 0 && uid.Length > 0 && !set.Contains(uid):
                m.Add(uid.Length == 0 ? $"the request names no SOP class; the grant allows only {written}" : $"SOP class {PolicyText.SopClass(uid)} is not in {written}");
                break;
            default:
                break;
        }

        if (dimse && request.Operation == PolicyOperation.Move && destinations is not null)
        {
            string destination = (request.MoveDestination ?? string.Empty).Trim(' ');
            if (!destinations.Contains(destination, StringComparer.Ordinal))
            {
                m.Add($"move destination '{destination}' is not in {PolicyText.List(destinations)}");
            }
        }

        if (windows.Count > 0)
        {
            DateTime local = evaluator.LocalTime(request.At);
            if (!windows.Any(w => w.Contains(local)))
            {
                m.Add($"time {local.ToString("ddd HH:mm", CultureInfo.InvariantCulture).ToLowerInvariant()} ({evaluator.Model.TimeZone}) is outside {PolicyText.Windows(windows)}");
            }
        }

        if (maxObjectSize is { } max && request.ObjectSize is { } size && size > max)
        {
            m.Add($"size {size.ToString(CultureInfo.InvariantCulture)} B is over the limit of {Loading.PolicyValues.FormatSize(max)}");
        }
    }

    private static List<string> CertificateMismatches(CertificateBinding? binding, PolicyCertificate? presented)
    {
        var m = new List<string>();
        if (binding is null)
        {
            return m;
        }

        if (presented is null)
        {
            m.Add("a certificate is required; none was presented");
            return m;
        }

        if (binding.Subject is { } subject && !string.Equals(subject, presented.Subject, StringComparison.OrdinalIgnoreCase))
        {
            m.Add($"subject must be '{subject}', is '{presented.Subject}'");
        }

        if (binding.Issuer is { } issuer && !string.Equals(issuer, presented.Issuer, StringComparison.OrdinalIgnoreCase))
        {
            m.Add($"issuer must be '{issuer}', is '{presented.Issuer}'");
        }

        if (binding.Sha256Thumbprints.Count > 0 && !binding.Sha256Thumbprints.Contains(presented.Sha256Thumbprint ?? string.Empty, StringComparer.Ordinal))
        {
            m.Add($"SHA-256 thumbprint {presented.Sha256Thumbprint ?? "(none)"} is not pinned");
        }

        if (binding.SubjectAlternativeNames.Count > 0 &&
            !binding.SubjectAlternativeNames.Any(s => presented.SubjectAlternativeNames.Contains(s, StringComparer.OrdinalIgnoreCase)))
        {
            m.Add($"subject alternative names {PolicyText.List(presented.SubjectAlternativeNames)} include none of {PolicyText.List(binding.SubjectAlternativeNames)}");
        }

        return m;
    }

    private static string PolicyModelValidatorKind(ServiceKind kind) => Loading.PolicyModelValidator.KindName(kind);
}
