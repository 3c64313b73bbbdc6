using Gateway.Dicom;
using Gateway.Policy.Loading;
using Gateway.Policy.Model;

namespace Gateway.Policy.Analysis;

/// <summary>
/// Finds what a reviewer should look at in a valid policy: ambiguous and overlapping peers, flows shadowed by earlier
/// ones, over-broad grants (any address, every SOP class from a device zone), plain DIMSE on a clinical leg, and
/// definitions nothing uses. Load errors (unknown names, bad values) come from <see cref="PolicyLoader"/>.
/// </summary>
/// <remarks>Every code is listed in policies/README.md. Errors make <c>gatewayctl policy lint</c> exit 1; warnings do not.</remarks>
public static class PolicyLinter
{
    /// <summary>The load diagnostics, followed by the lint findings when the policy loaded.</summary>
    public static IReadOnlyList<PolicyDiagnostic> Lint(PolicyLoadResult loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        return loaded.Model is null ? loaded.Diagnostics : [.. loaded.Diagnostics, .. Lint(loaded.Model)];
    }

    /// <summary>The lint findings of a valid model, ordered by file and line.</summary>
    public static IReadOnlyList<PolicyDiagnostic> Lint(PolicyModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var d = new List<PolicyDiagnostic>();
        var resolver = new SopClassResolver(model.SopClassSets);
        if (model.Mode == PolicyMode.Observe)
        {
            d.Add(PolicyDiagnostic.Warning("observe-mode", "the policy is in observe mode: nothing is denied, denials are only recorded as would-deny", null));
        }

        if (model.Flows.Count == 0 && model.Roles.Count == 0)
        {
            d.Add(PolicyDiagnostic.Warning("empty-policy", "the policy allows nothing: no flows and no roles", null));
        }

        LintPeers(model, d);
        LintAddresses(model, d);
        LintFlows(model, resolver, d);
        LintShadowing(model, resolver, d);
        LintUnused(model, d);
        LintSopClasses(model, d);
        return [.. d.OrderBy(x => x.Location is null ? -1 : Math.Max(IndexOf(model.Files, x.Location.Value.File), 0))
            .ThenBy(x => x.Location?.Line ?? 0)
            .ThenBy(x => x.Location?.Column ?? 0)];
    }

    private static void LintPeers(PolicyModel model, List<PolicyDiagnostic> d)
    {
        for (int i = 0; i < model.Peers.Count; i++)
        {
            PeerDefinition a = model.Peers[i];
            for (int j = i + 1; j < model.Peers.Count; j++)
            {
                PeerDefinition b = model.Peers[j];
                IpNetwork? overlap = Overlap(a.Addresses, b.Addresses);
                if (overlap is null)
                {
                    continue;
                }

                string[] shared = [.. a.AETitles.Intersect(b.AETitles, StringComparer.Ordinal)];
                if (shared.Length > 0)
                {
                    d.Add(PolicyDiagnostic.Error("ambiguous-peer", $"peers '{a.Name}' and '{b.Name}' both use AE title {string.Join(", ", shared)} from {overlap}: a request cannot tell them apart", b.Location));
                }
                else
                {
                    d.Add(PolicyDiagnostic.Warning("overlapping-peers", $"peers '{a.Name}' and '{b.Name}' may both come from {overlap}: one device can present either identity (list both AE titles on one peer if it is one device)", b.Location));
                }
            }

            if (a.Certificate is { IsIssuerOnly: true })
            {
                d.Add(PolicyDiagnostic.Warning("issuer-only-certificate", $"peer '{a.Name}' binds only the certificate issuer: any certificate that CA issued matches; bind the subject, a SAN or a thumbprint", a.Certificate.Location));
            }
        }

        foreach (ClientDefinition client in model.Clients)
        {
            if (client.Certificate is { IsIssuerOnly: true })
            {
                d.Add(PolicyDiagnostic.Warning("issuer-only-certificate", $"client '{client.Name}' binds only the certificate issuer: any certificate that CA issued matches", client.Certificate.Location));
            }
        }
    }

    private static void LintAddresses(PolicyModel model, List<PolicyDiagnostic> d)
    {
        void Check(IEnumerable<IpNetwork> networks, string what, SourceLocation location, bool zone)
        {
            foreach (IpNetwork network in networks)
            {
                if (network.IsAny)
                {
                    d.Add(PolicyDiagnostic.Warning("any-address", $"{what} allows {network}: every address of the family", location));
                }
                else if (!zone && network.WrittenPrefixLength < (network.IsV4 ? 16 : 48))
                {
                    d.Add(PolicyDiagnostic.Warning("broad-address", $"{what} may come from all of {network}; bind the device's own addresses", location));
                }
            }
        }

        foreach (ZoneDefinition zone in model.Zones)
        {
            Check(zone.Networks, $"zone '{zone.Name}'", zone.Location, zone: true);
        }

        foreach (PeerDefinition peer in model.Peers)
        {
            Check(peer.Addresses, $"peer '{peer.Name}'", peer.Location, zone: false);
        }

        foreach (ClientDefinition client in model.Clients)
        {
            Check(client.Addresses, $"client '{client.Name}'", client.Location, zone: false);
        }
    }

    private static void LintFlows(PolicyModel model, SopClassResolver resolver, List<PolicyDiagnostic> d)
    {
        IReadOnlySet<string> everything = SopClassCatalog.TryGetGroup("all-storage", out IReadOnlySet<string> all) ? all : new HashSet<string>();
        var deviceZones = new HashSet<string>(model.Zones.Where(z => z.Kind == ZoneKind.Device).Select(z => z.Name), StringComparer.Ordinal);
        var clinicalZones = new HashSet<string>(model.Zones.Where(z => z.Kind == ZoneKind.Clinical).Select(z => z.Name), StringComparer.Ordinal);
        var plainClinicalPeers = new HashSet<string>(StringComparer.Ordinal);
        foreach (FlowDefinition flow in model.Flows)
        {
            IReadOnlyList<PeerDefinition> sources = model.SourcePeers(flow);
            bool fromDevices = flow.From.Any(deviceZones.Contains) || sources.Any(p => deviceZones.Contains(p.Zone));
            if (fromDevices && flow.SopClasses.Count > 0 && resolver.Resolve(flow.SopClasses).IsSupersetOf(everything))
            {
                d.Add(PolicyDiagnostic.Warning("all-sop-classes", $"flow '{flow.Name}' lets devices of a device zone send or retrieve every storage SOP class; name the groups the devices need", flow.Location));
            }

            if (flow.From.Any(deviceZones.Contains) || flow.From.Any(clinicalZones.Contains))
            {
                d.Add(PolicyDiagnostic.Warning("zone-wide-flow", $"flow '{flow.Name}' is from a whole zone ({string.Join(", ", flow.From.Where(f => deviceZones.Contains(f) || clinicalZones.Contains(f)))}): every peer added to the zone later gets it too", flow.Location));
            }

            foreach (PeerDefinition peer in sources)
            {
                if (clinicalZones.Contains(peer.Zone) && peer.Certificate is null && plainClinicalPeers.Add(peer.Name))
                {
                    d.Add(PolicyDiagnostic.Warning("plain-dimse-clinical-leg", $"peer '{peer.Name}' is in clinical zone '{peer.Zone}' but has no certificate binding: its DIMSE traffic crosses the clinical network without TLS", peer.Location));
                }
            }

            if (flow.SopClasses.Count > 0 && !flow.Operations.Any(o => o is PolicyOperation.Store or PolicyOperation.Move or PolicyOperation.Get))
            {
                d.Add(PolicyDiagnostic.Warning("sop-classes-unused", $"flow '{flow.Name}' lists sop-classes but allows no store, move or get: the list has no effect", flow.Location));
            }

            if (model.FindService(flow.To) is { } service)
            {
                foreach (PolicyOperation op in flow.Operations)
                {
                    bool served = service.Kind switch
                    {
                        ServiceKind.Worklist => op is PolicyOperation.Echo or PolicyOperation.Worklist,
                        ServiceKind.QueryRetrieve => op is PolicyOperation.Echo or PolicyOperation.Find or PolicyOperation.Move or PolicyOperation.Get,
                        ServiceKind.Pacs => op is not PolicyOperation.Worklist,
                        _ => true,
                    };
                    if (!served)
                    {
                        d.Add(PolicyDiagnostic.Warning("operation-not-served", $"flow '{flow.Name}' allows {PolicyOperations.Name(op)} on {PolicyModelValidator.KindName(service.Kind)} service '{service.Name}', which does not serve it", flow.Location));
                    }
                }
            }
        }

        foreach (ServiceDefinition service in model.Services)
        {
            if (service.Upstream is { Tls: false } upstream)
            {
                d.Add(PolicyDiagnostic.Warning("plain-dimse-clinical-leg", $"service '{service.Name}' forwards to {upstream.AETitle} at {upstream.Host}:{upstream.Port} without TLS", upstream.Location));
            }
        }
    }

    private static void LintShadowing(PolicyModel model, SopClassResolver resolver, List<PolicyDiagnostic> d)
    {
        var facts = model.Flows.Select(f => new FlowFacts(f, model, resolver)).ToList();
        for (int i = 0; i < facts.Count; i++)
        {
            FlowFacts later = facts[i];
            if (later.Sources.Count == 0)
            {
                continue;
            }

            for (int j = 0; j < i; j++)
            {
                FlowFacts earlier = facts[j];
                if (earlier.Covers(later))
                {
                    d.Add(PolicyDiagnostic.Warning("shadowed-flow", $"flow '{later.Flow.Name}' is shadowed by flow '{earlier.Flow.Name}' ({earlier.Flow.Location}): every request it allows is allowed first by '{earlier.Flow.Name}', so it never decides and its limits never apply", later.Flow.Location));
                    break;
                }
            }
        }
    }

    private static void LintUnused(PolicyModel model, List<PolicyDiagnostic> d)
    {
        var usedPeers = new HashSet<string>(StringComparer.Ordinal);
        var usedServices = new HashSet<string>(StringComparer.Ordinal);
        foreach (FlowDefinition flow in model.Flows)
        {
            usedPeers.UnionWith(model.SourcePeers(flow).Select(p => p.Name));
            usedPeers.UnionWith(flow.MoveDestinations);
            usedServices.Add(flow.To);
        }

        foreach (RoleDefinition role in model.Roles)
        {
            usedServices.UnionWith(role.Grants.SelectMany(g => g.Services));
        }

        foreach (PeerDefinition peer in model.Peers.Where(p => !usedPeers.Contains(p.Name)))
        {
            d.Add(PolicyDiagnostic.Warning("unused-peer", $"peer '{peer.Name}' is in no flow and no move destination: remove it, or add the flow it needs", peer.Location));
        }

        foreach (ServiceDefinition service in model.Services.Where(s => !usedServices.Contains(s.Name)))
        {
            d.Add(PolicyDiagnostic.Warning("unused-service", $"service '{service.Name}' is the target of no flow and no role grant", service.Location));
        }

        var usedRoles = new HashSet<string>(model.Clients.SelectMany(c => c.Roles).Concat(model.Users.SelectMany(u => u.Roles)), StringComparer.Ordinal);
        foreach (RoleDefinition role in model.Roles.Where(r => !usedRoles.Contains(r.Name) && !r.TokenClaim))
        {
            d.Add(PolicyDiagnostic.Warning("unused-role", $"role '{role.Name}' is bound to no client or user and not accepted from tokens", role.Location));
        }

        var usedSets = new HashSet<string>(
            model.Flows.SelectMany(f => f.SopClasses)
                .Concat(model.Roles.SelectMany(r => r.Grants).SelectMany(g => g.SopClasses))
                .Concat(model.SopClassSets.SelectMany(s => s.Members)),
            StringComparer.Ordinal);
        foreach (SopClassSetDefinition set in model.SopClassSets.Where(s => !usedSets.Contains(s.Name)))
        {
            d.Add(PolicyDiagnostic.Warning("unused-sop-class-set", $"SOP class set '{set.Name}' is used by no flow, grant or set", set.Location));
        }
    }

    private static void LintSopClasses(PolicyModel model, List<PolicyDiagnostic> d)
    {
        void Check(IEnumerable<string> members, string what, SourceLocation location)
        {
            foreach (string member in members)
            {
                if (!SopClassCatalog.IsGroup(member) && model.SopClassSets.All(s => s.Name != member) && !SopClassCatalog.TryGetKeyword(member, out _) &&
                    new DicomUid(member).IsValid && DicomUids.Find(member) is null)
                {
                    d.Add(PolicyDiagnostic.Warning("unknown-sop-class", $"{what}: {member} is not a registered SOP class (private or mistyped?)", location));
                }
            }
        }

        foreach (FlowDefinition flow in model.Flows)
        {
            Check(flow.SopClasses, $"flow '{flow.Name}'", flow.Location);
        }

        foreach (SopClassSetDefinition set in model.SopClassSets)
        {
            Check(set.Members, $"SOP class set '{set.Name}'", set.Location);
        }

        foreach (RoleDefinition role in model.Roles)
        {
            foreach (RoleGrant grant in role.Grants)
            {
                Check(grant.SopClasses, $"role '{role.Name}' grant '{grant.Name}'", grant.Location);
            }
        }
    }

    private static IpNetwork? Overlap(IReadOnlyList<IpNetwork> a, IReadOnlyList<IpNetwork> b)
    {
        foreach (IpNetwork x in a)
        {
            foreach (IpNetwork y in b)
            {
                if (x.Overlaps(y))
                {
                    return x.PrefixLength >= y.PrefixLength ? x : y;
                }
            }
        }

        return null;
    }

    private static int IndexOf(IReadOnlyList<string> files, string file)
    {
        for (int i = 0; i < files.Count; i++)
        {
            if (string.Equals(files[i], file, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
