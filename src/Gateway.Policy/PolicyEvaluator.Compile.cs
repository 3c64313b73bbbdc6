using System.Collections.Frozen;
using Gateway.Policy.Evaluation;
using Gateway.Policy.Loading;
using Gateway.Policy.Model;

namespace Gateway.Policy;

// Compilation: the model becomes lookup tables once per load, so that each decision only looks things up.
public sealed partial class PolicyEvaluator
{
    /// <summary>Compiles a model. The model is validated first.</summary>
    /// <exception cref="ArgumentException">The model has errors (unknown names, duplicates ...).</exception>
    public PolicyEvaluator(PolicyModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var diagnostics = new List<PolicyDiagnostic>();
        PolicyModelValidator.Validate(model, diagnostics);
        if (diagnostics.Any(d => d.IsError))
        {
            throw new ArgumentException("The policy has errors: " + string.Join("; ", diagnostics.Where(d => d.IsError)), nameof(model));
        }

        Model = model;
        Mode = model.Mode;
        _timeZone = string.Equals(model.TimeZone, "UTC", StringComparison.Ordinal) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(model.TimeZone);
        var resolver = new SopClassResolver(model.SopClassSets);

        CompiledService[] services = [.. model.Services.Select((s, i) => new CompiledService(s, i))];
        _servicesByName = services.ToFrozenDictionary(s => s.Name, StringComparer.Ordinal);
        _servicesByAE = model.Services
            .Select((s, i) => (s.AETitle, Service: services[i]))
            .Where(x => x.AETitle is not null)
            .ToFrozenDictionary(x => x.AETitle!, x => x.Service, StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();

        var peers = new Dictionary<string, CompiledPeer>(StringComparer.Ordinal);
        var peersByAE = new Dictionary<string, List<CompiledPeer>>(StringComparer.Ordinal);
        var peerAETitles = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (PeerDefinition definition in model.Peers)
        {
            var peer = new CompiledPeer(definition, services.Length);
            peers.Add(definition.Name, peer);
            peerAETitles.Add(definition.Name, definition.AETitles);
            foreach (string title in definition.AETitles)
            {
                if (!peersByAE.TryGetValue(title, out List<CompiledPeer>? list))
                {
                    peersByAE[title] = list = [];
                }

                list.Add(peer);
            }
        }

        _peersByAE = peersByAE.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

        // Per peer and service, the flows from that peer (named, or through its zone) in policy order.
        var rules = new Dictionary<(string Peer, int Service), List<(CompiledRule Rule, FlowDefinition Flow)>>();
        var setCache = new Dictionary<string, FrozenSet<string>>(StringComparer.Ordinal);
        foreach (FlowDefinition flow in model.Flows)
        {
            int serviceIndex = _servicesByName[flow.To].Index;
            FrozenSet<string>? destinations = flow.MoveDestinations.Count == 0
                ? null
                : flow.MoveDestinations.SelectMany(d => peerAETitles[d]).ToFrozenSet(StringComparer.Ordinal);
            var rule = new CompiledRule(
                "flow:" + flow.Name,
                flow.Operations,
                flow.SopClasses.Count == 0 ? null : Resolve(resolver, flow.SopClasses, setCache),
                destinations,
                flow.TimeWindows,
                flow.RateLimit,
                flow.MaxObjectSize,
                flow.RequireIdentity,
                flow.IdentityRoles.Count == 0 ? null : flow.IdentityRoles.ToFrozenSet(StringComparer.Ordinal));
            foreach (PeerDefinition source in model.SourcePeers(flow))
            {
                if (!rules.TryGetValue((source.Name, serviceIndex), out var list))
                {
                    rules[(source.Name, serviceIndex)] = list = [];
                }

                list.Add((rule, flow));
            }
        }

        var syntaxCache = new Dictionary<string, PolicyAbstractSyntaxSet>(StringComparer.Ordinal);
        foreach (CompiledPeer peer in peers.Values)
        {
            for (int s = 0; s < services.Length; s++)
            {
                if (rules.TryGetValue((peer.Name, s), out var list))
                {
                    peer.RulesByService[s] = [.. list.Select(x => x.Rule)];
                    peer.SyntaxesByService[s] = Syntaxes(list, syntaxCache);
                }
                else
                {
                    peer.RulesByService[s] = [];
                    peer.SyntaxesByService[s] = PolicyAbstractSyntaxSet.Empty;
                }
            }
        }

        _roles = new CompiledRole[model.Roles.Count];
        var roleIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int r = 0; r < model.Roles.Count; r++)
        {
            RoleDefinition definition = model.Roles[r];
            roleIndex[definition.Name] = r;
            var role = new CompiledRole(definition.Name, definition.TokenClaim, services.Length);
            var perService = new List<CompiledRule>[services.Length];
            foreach (RoleGrant grant in definition.Grants)
            {
                var rule = new CompiledRule(
                    "role:" + definition.Name + "/" + grant.Name,
                    grant.Operations,
                    grant.SopClasses.Count == 0 ? null : Resolve(resolver, grant.SopClasses, setCache),
                    null,
                    grant.TimeWindows,
                    grant.RateLimit,
                    grant.MaxObjectSize);
                    foreach (string name in grant.Services)
                {
                    int s = _servicesByName[name].Index;
                    (perService[s] ??= []).Add(rule);
                }
            }

            for (int s = 0; s < services.Length; s++)
            {
                role.GrantsByService[s] = perService[s] is null ? [] : [.. perService[s]];
            }

            _roles[r] = role;
        }

        _rolesByName = roleIndex.ToFrozenDictionary(StringComparer.Ordinal);
        _clientsById = model.Clients.ToFrozenDictionary(
            c => c.ClientId,
            c => new CompiledClient(c, [.. c.Roles.Select(r => roleIndex[r])]),
            StringComparer.Ordinal);
        _usersById = model.Users.ToFrozenDictionary(u => u.Id, u => u.Roles.Select(r => roleIndex[r]).ToArray(), StringComparer.Ordinal);
    }

    private static FrozenSet<string> Resolve(SopClassResolver resolver, IReadOnlyList<string> members, Dictionary<string, FrozenSet<string>> cache)
    {
        string key = string.Join('\n', members);
        if (!cache.TryGetValue(key, out FrozenSet<string>? set))
        {
            cache[key] = set = resolver.Resolve(members).ToFrozenSet(StringComparer.Ordinal);
        }

        return set;
    }

    // The abstract syntaxes the flows between a peer and a service need: Verification for echo, the storage classes
    // for store, the information models for find/move/get/worklist, and for get also the storage classes (its C-STOREs
    // come back on the same association).
    private static PolicyAbstractSyntaxSet Syntaxes(List<(CompiledRule Rule, FlowDefinition Flow)> flows, Dictionary<string, PolicyAbstractSyntaxSet> cache)
    {
        string key = string.Join('\n', flows.Select(f => f.Rule.Id));
        if (cache.TryGetValue(key, out PolicyAbstractSyntaxSet? cached))
        {
            return cached;
        }

        var uids = new HashSet<string>(StringComparer.Ordinal);
        foreach ((CompiledRule rule, FlowDefinition flow) in flows)
        {
            foreach (PolicyOperation op in flow.Operations)
            {
                switch (op)
                {
                    case PolicyOperation.Echo:
                        uids.Add(Gateway.Dicom.DicomUids.Verification.Value);
                        break;
                    case PolicyOperation.Store:
                        uids.UnionWith(rule.SopClasses);
                        break;
                    case PolicyOperation.Find:
                        uids.UnionWith(SopClassCatalog.FindModels);
                        break;
                    case PolicyOperation.Worklist:
                        uids.UnionWith(SopClassCatalog.WorklistModels);
                        break;
                    case PolicyOperation.Move:
                        uids.UnionWith(SopClassCatalog.MoveModels);
                        break;
                    case PolicyOperation.Get:
                        uids.UnionWith(SopClassCatalog.GetModels);
                        uids.UnionWith(rule.SopClasses);
                        break;
                    default:
                        break;
                }
            }
        }

        var set = new PolicyAbstractSyntaxSet(uids.ToFrozenSet(StringComparer.Ordinal));
        cache[key] = set;
        return set;
    }
}
