using Gateway.Policy.Model;

namespace Gateway.Policy.Loading;

/// <summary>
/// Checks what spans definitions: unique names, references that resolve (zones, peers, services, roles, SOP class
/// sets), operations that fit the service, and the fields an operation needs (SOP classes for store, destinations
/// for move). Adds every problem found; stops at none.
/// </summary>
internal static class PolicyModelValidator
{
    public static void Validate(PolicyModel model, List<PolicyDiagnostic> diagnostics)
    {
        var d = diagnostics;
        var zones = Unique(model.Zones, z => z.Name, z => z.Location, "zone", d);
        var peers = Unique(model.Peers, p => p.Name, p => p.Location, "peer", d);
        var services = Unique(model.Services, s => s.Name, s => s.Location, "service", d);
        Unique(model.SopClassSets, s => s.Name, s => s.Location, "SOP class set", d);
        Unique(model.Flows, f => f.Name, f => f.Location, "flow", d);
        var roles = Unique(model.Roles, r => r.Name, r => r.Location, "role", d);
        Unique(model.Clients, c => c.Name, c => c.Location, "client", d);
        Unique(model.Clients, c => c.ClientId, c => c.Location, "client-id", d);
        Unique(model.Users, u => u.Id, u => u.Location, "user", d);
        Unique(model.Services.Where(s => s.AETitle is not null), s => s.AETitle!, s => s.Location, "service AE title", d);

        foreach (PeerDefinition peer in model.Peers)
        {
            if (zones.ContainsKey(peer.Name))
            {
                d.Add(PolicyDiagnostic.Error("duplicate-name", $"peer '{peer.Name}' has the name of a zone; flows name both in 'from', so the names must differ", peer.Location));
            }
        }

        foreach (SopClassSetDefinition set in model.SopClassSets)
        {
            if (SopClassCatalog.IsGroup(set.Name))
            {
                d.Add(PolicyDiagnostic.Error("duplicate-name", $"SOP class set '{set.Name}' has the name of a built-in group", set.Location));
            }
        }

        var resolver = new SopClassResolver(model.SopClassSets);
        foreach (SopClassSetDefinition set in model.SopClassSets)
        {
            Resolve(resolver, set.Members, $"SOP class set '{set.Name}'", set.Location, d);
        }

        ValidatePeers(model, zones, d);
        ValidateFlows(model, zones, peers, services, resolver, d);
        foreach (FlowDefinition flow in model.Flows)
        {
            RequireRoles(flow.IdentityRoles, roles, $"flow '{flow.Name}' identity-roles", flow.Location, d);
        }
        ValidateRoles(model, services, resolver, d);

        foreach (ClientDefinition client in model.Clients)
        {
            RequireRoles(client.Roles, roles, $"client '{client.Name}'", client.Location, d);
            if (client.ClientId.Length == 0)
            {
                d.Add(PolicyDiagnostic.Error("missing-key", $"client '{client.Name}': 'client-id' must not be empty", client.Location));
            }
        }

        foreach (UserDefinition user in model.Users)
        {
            RequireRoles(user.Roles, roles, $"user '{user.Id}'", user.Location, d);
        }
    }

    private static void ValidatePeers(PolicyModel model, Dictionary<string, ZoneDefinition> zones, List<PolicyDiagnostic> d)
    {
        foreach (PeerDefinition peer in model.Peers)
        {
            if (!zones.TryGetValue(peer.Zone, out ZoneDefinition? zone))
            {
                if (peer.Zone.Length > 0)
                {
                    d.Add(UnknownName($"peer '{peer.Name}': zone '{peer.Zone}' is not defined", peer.Zone, zones.Keys, peer.Location));
                }

                continue;
            }

            foreach (IpNetwork address in peer.Addresses)
            {
                if (!zone.Networks.Any(n => n.Covers(address)))
                {
                    d.Add(PolicyDiagnostic.Error("address-outside-zone", $"peer '{peer.Name}': address {address} is not inside zone '{zone.Name}' ({string.Join(", ", zone.Networks)})", peer.Location));
                }
            }
        }
    }

    private static void ValidateFlows(
        PolicyModel model,
        Dictionary<string, ZoneDefinition> zones,
        Dictionary<string, PeerDefinition> peers,
        Dictionary<string, ServiceDefinition> services,
        SopClassResolver resolver,
        List<PolicyDiagnostic> d)
    {
        foreach (FlowDefinition flow in model.Flows)
        {
            string what = $"flow '{flow.Name}'";
            foreach (string from in flow.From)
            {
                if (!peers.ContainsKey(from) && !zones.ContainsKey(from))
                {
                    d.Add(UnknownName($"{what}: 'from' names '{from}', which is not a peer or zone", from, peers.Keys.Concat(zones.Keys), flow.Location));
                }
            }

            if (flow.To.Length > 0)
            {
                if (!services.TryGetValue(flow.To, out ServiceDefinition? service))
                {
                    d.Add(UnknownName($"{what}: 'to' names '{flow.To}', which is not a service", flow.To, services.Keys, flow.Location));
                }
                else if (!service.IsDimse)
                {
                    d.Add(PolicyDiagnostic.Error("wrong-service-kind", $"{what}: flows are DIMSE; service '{service.Name}' is a {KindName(service.Kind)} service (grant it to roles instead)", flow.Location));
                }
            }

            foreach (PolicyOperation op in flow.Operations)
            {
                if (PolicyOperations.ProtocolOf(op) != PolicyProtocol.Dimse)
                {
                    d.Add(PolicyDiagnostic.Error("wrong-operation", $"{what}: '{PolicyOperations.Name(op)}' is not a DIMSE operation; flows allow echo, store, find, move, get, worklist", flow.Location));
                }
            }

            bool needsSopClasses = flow.Operations.Any(o => o is PolicyOperation.Store or PolicyOperation.Move or PolicyOperation.Get);
            if (needsSopClasses && flow.SopClasses.Count == 0)
            {
                d.Add(PolicyDiagnostic.Error("missing-key", $"{what}: store, move and get need 'sop-classes' (name groups such as ct or sr; write all-storage only if you mean every storage class)", flow.Location));
            }

            Resolve(resolver, flow.SopClasses, what, flow.Location, d);
            bool move = flow.Operations.Contains(PolicyOperation.Move);
            if (move && flow.MoveDestinations.Count == 0)
            {
                d.Add(PolicyDiagnostic.Error("missing-key", $"{what}: move needs 'move-destinations' (the peers retrieved objects may be sent to)", flow.Location));
            }
            else if (!move && flow.MoveDestinations.Count > 0)
            {
                d.Add(PolicyDiagnostic.Error("invalid-value", $"{what}: 'move-destinations' is set but the flow does not allow move", flow.Location));
            }

            foreach (string destination in flow.MoveDestinations)
            {
                if (!peers.ContainsKey(destination))
                {
                    d.Add(UnknownName($"{what}: move destination '{destination}' is not a peer", destination, peers.Keys, flow.Location));
                }
            }
        }
    }

    private static void ValidateRoles(PolicyModel model, Dictionary<string, ServiceDefinition> services, SopClassResolver resolver, List<PolicyDiagnostic> d)
    {
        foreach (RoleDefinition role in model.Roles)
        {
            foreach (RoleGrant grant in role.Grants)
            {
                string what = $"role '{role.Name}' grant '{grant.Name}'";
                foreach (string name in grant.Services)
                {
                    if (!services.TryGetValue(name, out ServiceDefinition? service))
                    {
                        d.Add(UnknownName($"{what}: service '{name}' is not defined", name, services.Keys, grant.Location));
                        continue;
                    }

                    if (service.IsDimse)
                    {
                        d.Add(PolicyDiagnostic.Error("wrong-service-kind", $"{what}: roles grant DICOMweb and admin services; '{name}' is a DIMSE service (use a flow)", grant.Location));
                        continue;
                    }

                    PolicyProtocol wanted = service.Kind == ServiceKind.DicomWeb ? PolicyProtocol.DicomWeb : PolicyProtocol.Admin;
                    foreach (PolicyOperation op in grant.Operations)
                    {
                        if (PolicyOperations.ProtocolOf(op) != wanted)
                        {
                            d.Add(PolicyDiagnostic.Error("wrong-operation", $"{what}: '{PolicyOperations.Name(op)}' is not an operation of {KindName(service.Kind)} service '{name}'", grant.Location));
                        }
                    }
                }

                Resolve(resolver, grant.SopClasses, what, grant.Location, d);
            }
        }
    }

    private static void RequireRoles(IReadOnlyList<string> names, Dictionary<string, RoleDefinition> roles, string what, SourceLocation location, List<PolicyDiagnostic> d)
    {
        foreach (string name in names)
        {
            if (!roles.ContainsKey(name))
            {
                d.Add(UnknownName($"{what}: role '{name}' is not defined", name, roles.Keys, location));
            }
        }
    }

    private static void Resolve(SopClassResolver resolver, IReadOnlyList<string> members, string what, SourceLocation location, List<PolicyDiagnostic> d)
    {
        var errors = new List<string>();
        foreach (string member in members)
        {
            errors.Clear();
            resolver.ResolveMember(member, [], errors);
            foreach (string error in errors)
            {
                string? suggestion = error.Contains("is not a SOP class group", StringComparison.Ordinal)
                    ? PolicyValues.Suggest(member, SopClassCatalog.Groups.Select(g => g.Name))
                    : null;
                d.Add(PolicyDiagnostic.Error("unknown-name", $"{what}: {error}" + (suggestion is null ? string.Empty : $"; did you mean '{suggestion}'?"), location));
            }
        }
    }

    private static PolicyDiagnostic UnknownName(string message, string name, IEnumerable<string> candidates, SourceLocation location)
    {
        string? suggestion = PolicyValues.Suggest(name, candidates);
        return PolicyDiagnostic.Error("unknown-name", message + (suggestion is null ? string.Empty : $"; did you mean '{suggestion}'?"), location);
    }

    private static Dictionary<string, T> Unique<T>(IEnumerable<T> items, Func<T, string> key, Func<T, SourceLocation> location, string what, List<PolicyDiagnostic> d)
    {
        var seen = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (T item in items)
        {
            string k = key(item);
            if (k.Length == 0)
            {
                continue;
            }

            if (seen.TryGetValue(k, out T? first))
            {
                d.Add(PolicyDiagnostic.Error("duplicate-name", $"{what} '{k}' is defined twice (first at {location(first)})", location(item)));
            }
            else
            {
                seen.Add(k, item);
            }
        }

        return seen;
    }

    internal static string KindName(ServiceKind kind) => kind switch
    {
        ServiceKind.Pacs => "pacs",
        ServiceKind.Worklist => "worklist",
        ServiceKind.QueryRetrieve => "query-retrieve",
        ServiceKind.DicomWeb => "dicomweb",
        _ => "admin",
    };
}
