using System.Globalization;
using System.Text;
using Gateway.Policy.Loading;
using Gateway.Policy.Model;

namespace Gateway.Policy.Analysis;

/// <summary>
/// Compares two policies and says what the new one grants, takes away or changes otherwise, one sentence per change.
/// Definitions are matched by name; SOP class lists are compared as written and as the SOP classes they resolve to.
/// </summary>
public static class PolicyDiffer
{
    /// <summary>Every change from <paramref name="old"/> to <paramref name="new"/>.</summary>
    public static IReadOnlyList<PolicyChange> Compare(PolicyModel old, PolicyModel @new)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(@new);
        var c = new List<PolicyChange>();
        var context = new Context(old, @new);
        Settings(old, @new, c);
        Zones(old, @new, c);
        Peers(context, c);
        Services(old, @new, c);
        Sets(context, c);
        Flows(context, c);
        Roles(context, c);
        Clients(old, @new, c);
        Users(old, @new, c);
        return c;
    }

    /// <summary>The changes as text: grants, then removals, then other changes, with a summary line.</summary>
    public static string ToText(IReadOnlyList<PolicyChange> changes, string oldName, string newName)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var text = new StringBuilder();
        text.Append("policy diff: ").Append(oldName).Append(" -> ").Append(newName).Append('\n');
        if (changes.Count == 0)
        {
            return text.Append("No change: the two policies allow and require the same.\n").ToString();
        }

        Section(text, changes, PolicyChangeKind.Grant, "Grants (more is allowed)", '+');
        Section(text, changes, PolicyChangeKind.Revoke, "Takes away (less is allowed)", '-');
        Section(text, changes, PolicyChangeKind.Change, "Other changes", '~');
        int grants = changes.Count(x => x.Kind == PolicyChangeKind.Grant);
        int revokes = changes.Count(x => x.Kind == PolicyChangeKind.Revoke);
        int others = changes.Count - grants - revokes;
        text.Append('\n').Append(CultureInfo.InvariantCulture, $"{grants} grants, {revokes} removals, {others} other changes.").Append('\n');
        return text.ToString();
    }

    private static void Section(StringBuilder text, IReadOnlyList<PolicyChange> changes, PolicyChangeKind kind, string title, char mark)
    {
        PolicyChange[] items = [.. changes.Where(x => x.Kind == kind)];
        if (items.Length == 0)
        {
            return;
        }

        text.Append('\n').Append(title).Append(CultureInfo.InvariantCulture, $" ({items.Length}):").Append('\n');
        foreach (PolicyChange item in items)
        {
            text.Append("  ").Append(mark).Append(' ').Append(item.Text).Append('\n');
        }
    }

    private static void Settings(PolicyModel old, PolicyModel @new, List<PolicyChange> c)
    {
        if (old.Mode != @new.Mode)
        {
            c.Add(@new.Mode == PolicyMode.Observe
                ? new(PolicyChangeKind.Grant, "mode", "The mode changes from enforce to observe: requests the policy does not allow are no longer refused, only recorded as would-deny.")
                : new(PolicyChangeKind.Revoke, "mode", "The mode changes from observe to enforce: requests the policy does not allow are now refused."));
        }

        if (old.TimeZone != @new.TimeZone)
        {
            c.Add(new(PolicyChangeKind.Change, "timezone", $"Time windows are now read in {@new.TimeZone} (were {old.TimeZone})."));
        }
    }

    private static void Zones(PolicyModel old, PolicyModel @new, List<PolicyChange> c)
    {
        foreach ((ZoneDefinition? a, ZoneDefinition? b) in Pair(old.Zones, @new.Zones, z => z.Name))
        {
            string subject = "zone:" + (a ?? b)!.Name;
            if (a is null)
            {
                c.Add(new(PolicyChangeKind.Change, subject, $"Zone {b!.Name} is new: a {KindName(b.Kind)} zone covering {Networks(b.Networks)}."));
            }
            else if (b is null)
            {
                c.Add(new(PolicyChangeKind.Change, subject, $"Zone {a.Name} is removed."));
            }
            else
            {
                if (a.Kind != b.Kind)
                {
                    c.Add(new(PolicyChangeKind.Change, subject, $"Zone {a.Name} is now a {KindName(b.Kind)} zone (was {KindName(a.Kind)})."));
                }

                if (Networks(a.Networks) != Networks(b.Networks))
                {
                    c.Add(new(PolicyChangeKind.Change, subject, $"Zone {a.Name} now covers {Networks(b.Networks)} (was {Networks(a.Networks)})."));
                }
            }
        }
    }

    private static void Peers(Context x, List<PolicyChange> c)
    {
        foreach ((PeerDefinition? a, PeerDefinition? b) in Pair(x.Old.Peers, x.New.Peers, p => p.Name))
        {
            string subject = "peer:" + (a ?? b)!.Name;
            if (a is null)
            {
                string[] zoneFlows = [.. x.New.Flows.Where(f => f.From.Contains(b!.Zone)).Select(f => f.Name)];
                c.Add(new(PolicyChangeKind.Grant, subject, $"Peer {b!.Name} is new: AE title{Plural(b.AETitles.Count)} {string.Join(", ", b.AETitles)} from {Networks(b.Addresses)} in zone {b.Zone}, {Certificate(b.Certificate)}" +
                    (zoneFlows.Length > 0 ? $"; as a member of zone {b.Zone} it gets flow{Plural(zoneFlows.Length)} {string.Join(", ", zoneFlows)}." : ".")));
                continue;
            }

            if (b is null)
            {
                c.Add(new(PolicyChangeKind.Revoke, subject, $"Peer {a.Name} is removed: AE title{Plural(a.AETitles.Count)} {string.Join(", ", a.AETitles)} from {Networks(a.Addresses)} {(a.AETitles.Count > 1 ? "are" : "is")} no longer accepted."));
                continue;
            }

            foreach (string title in b.AETitles.Except(a.AETitles, StringComparer.Ordinal))
            {
                c.Add(new(PolicyChangeKind.Grant, subject, $"Peer {a.Name} may now also call as AE title {title}."));
            }

            foreach (string title in a.AETitles.Except(b.AETitles, StringComparer.Ordinal))
            {
                c.Add(new(PolicyChangeKind.Revoke, subject, $"Peer {a.Name} may no longer call as AE title {title}."));
            }

            foreach (IpNetwork address in b.Addresses.Except(a.Addresses))
            {
                c.Add(new(PolicyChangeKind.Grant, subject, $"Peer {a.Name} may now also connect from {address}."));
            }

            foreach (IpNetwork address in a.Addresses.Except(b.Addresses))
            {
                c.Add(new(PolicyChangeKind.Revoke, subject, $"Peer {a.Name} may no longer connect from {address}."));
            }

            if (a.Zone != b.Zone)
            {
                c.Add(new(PolicyChangeKind.Change, subject, $"Peer {a.Name} moves from zone {a.Zone} to zone {b.Zone}: flows written for zone {a.Zone} no longer apply to it, flows for zone {b.Zone} do."));
            }

            CertificateChange(c, subject, $"Peer {a.Name}", a.Certificate, b.Certificate);
        }
    }

    private static void CertificateChange(List<PolicyChange> c, string subject, string who, CertificateBinding? a, CertificateBinding? b)
    {
        if (a is null && b is null)
        {
            return;
        }

        if (a is null)
        {
            c.Add(new(PolicyChangeKind.Revoke, subject, $"{who} must now present a TLS certificate: {Certificate(b)}."));
        }
        else if (b is null)
        {
            c.Add(new(PolicyChangeKind.Grant, subject, $"{who} no longer needs a certificate: its AE title or client id and address alone identify it."));
        }
        else if (Certificate(a) != Certificate(b))
        {
            c.Add(new(PolicyChangeKind.Change, subject, $"{who} must now present {Certificate(b)} (was {Certificate(a)})."));
        }
    }

    private static void Services(PolicyModel old, PolicyModel @new, List<PolicyChange> c)
    {
        foreach ((ServiceDefinition? a, ServiceDefinition? b) in Pair(old.Services, @new.Services, s => s.Name))
        {
            string subject = "service:" + (a ?? b)!.Name;
            if (a is null)
            {
                c.Add(new(PolicyChangeKind.Change, subject, $"Service {b!.Name} is new: {Describe(b)}."));
                continue;
            }

            if (b is null)
            {
                c.Add(new(PolicyChangeKind.Revoke, subject, $"Service {a.Name} is removed ({Describe(a)})."));
                continue;
            }

            if (a.Kind != b.Kind || a.AETitle != b.AETitle || a.Origin != b.Origin)
            {
                c.Add(new(PolicyChangeKind.Change, subject, $"Service {a.Name} is now {Describe(b)} (was {Describe(a)})."));
            }

            if (a.Upstream != b.Upstream && !(a.Upstream is not null && b.Upstream is not null && a.Upstream with { Location = default } == b.Upstream with { Location = default }))
            {
                string warning = a.Upstream is { Tls: true } && b.Upstream is { Tls: false } ? "; its leg to the clinical network LOSES TLS" : string.Empty;
                c.Add(new(PolicyChangeKind.Change, subject, $"Service {a.Name} now forwards to {Upstream(b.Upstream)} (was {Upstream(a.Upstream)}){warning}."));
            }
        }
    }

    private static void Sets(Context x, List<PolicyChange> c)
    {
        foreach ((SopClassSetDefinition? a, SopClassSetDefinition? b) in Pair(x.Old.SopClassSets, x.New.SopClassSets, s => s.Name))
        {
            if (a is null || b is null)
            {
                continue; // Flows and grants that use a new or removed set report the effect.
            }

            string[] users = [.. x.New.Flows.Where(f => f.SopClasses.Contains(b.Name)).Select(f => "flow " + f.Name)
                .Concat(x.New.Roles.SelectMany(r => r.Grants.Where(g => g.SopClasses.Contains(b.Name)).Select(g => $"role {r.Name}/{g.Name}")))];
            string usedBy = users.Length == 0 ? "used by nothing" : "used by " + string.Join(", ", users);
            SetChange(c, "sop-class-set:" + b.Name, $"SOP class set {b.Name}", $"({usedBy})", a.Members, b.Members, x.OldResolver.Resolve(a.Members), x.NewResolver.Resolve(b.Members));
        }
    }

    private static void Flows(Context x, List<PolicyChange> c)
    {
        foreach ((FlowDefinition? a, FlowDefinition? b) in Pair(x.Old.Flows, x.New.Flows, f => f.Name))
        {
            string subject = "flow:" + (a ?? b)!.Name;
            if (a is null)
            {
                c.Add(new(PolicyChangeKind.Grant, subject, $"New flow {b!.Name}: {DescribeFlow(x.NewResolver, b)}."));
                continue;
            }

            if (b is null)
            {
                c.Add(new(PolicyChangeKind.Revoke, subject, $"Flow {a.Name} is removed: {Sources(a)} may no longer {Verbs(a.Operations)} on {a.To}."));
                continue;
            }

            string who = $"Flow {a.Name}";
            foreach (string source in b.From.Except(a.From, StringComparer.Ordinal))
            {
                c.Add(new(PolicyChangeKind.Grant, subject, $"{who} now also applies to {SourceName(x.New, source)}."));
            }

            foreach (string source in a.From.Except(b.From, StringComparer.Ordinal))
            {
                c.Add(new(PolicyChangeKind.Revoke, subject, $"{who} no longer applies to {SourceName(x.Old, source)}."));
            }

            if (a.To != b.To)
            {
                c.Add(new(PolicyChangeKind.Change, subject, $"{who} now goes to service {b.To} instead of {a.To}."));
            }

            Rule(c, subject, who, x, a.Operations, b.Operations, a.SopClasses, b.SopClasses, a.TimeWindows, b.TimeWindows, a.RateLimit, b.RateLimit, a.MaxObjectSize, b.MaxObjectSize);
            foreach (string destination in b.MoveDestinations.Except(a.MoveDestinations, StringComparer.Ordinal))
            {
                c.Add(new(PolicyChangeKind.Grant, subject, $"{who} may now also move to {destination}."));
            }

            foreach (string destination in a.MoveDestinations.Except(b.MoveDestinations, StringComparer.Ordinal))
            {
                c.Add(new(PolicyChangeKind.Revoke, subject, $"{who} may no longer move to {destination}."));
            }
        }
    }

    private static void Roles(Context x, List<PolicyChange> c)
    {
        foreach ((RoleDefinition? a, RoleDefinition? b) in Pair(x.Old.Roles, x.New.Roles, r => r.Name))
        {
            string subject = "role:" + (a ?? b)!.Name;
            if (a is null)
            {
                c.Add(new(PolicyChangeKind.Grant, subject, $"New role {b!.Name}" + (b.TokenClaim ? " (also granted by tokens naming it)" : string.Empty) + ": " +
                    string.Join("; ", b.Grants.Select(g => DescribeGrant(x.NewResolver, g))) + "."));
                continue;
            }

            if (b is null)
            {
                c.Add(new(PolicyChangeKind.Revoke, subject, $"Role {a.Name} is removed: nobody may {string.Join("; ", a.Grants.Select(g => $"{Verbs(g.Operations)} on {string.Join(", ", g.Services)}"))} through it any more."));
                continue;
            }

            if (a.TokenClaim != b.TokenClaim)
            {
                c.Add(b.TokenClaim
                    ? new(PolicyChangeKind.Grant, subject, $"Role {a.Name} is now granted to any user whose token names it (trusts the token issuer for it).")
                    : new(PolicyChangeKind.Revoke, subject, $"Role {a.Name} is no longer granted by tokens, only by users: bindings."));
            }

            foreach ((RoleGrant? ga, RoleGrant? gb) in Pair(a.Grants, b.Grants, g => g.Name))
            {
                string grantName = $"Role {a.Name} grant {(ga ?? gb)!.Name}";
                if (ga is null)
                {
                    c.Add(new(PolicyChangeKind.Grant, subject, $"{grantName} is new: {DescribeGrant(x.NewResolver, gb!)}."));
                    continue;
                }

                if (gb is null)
                {
                    c.Add(new(PolicyChangeKind.Revoke, subject, $"{grantName} is removed: it no longer allows {Verbs(ga.Operations)} on {string.Join(", ", ga.Services)}."));
                    continue;
                }

                foreach (string service in gb.Services.Except(ga.Services, StringComparer.Ordinal))
                {
                    c.Add(new(PolicyChangeKind.Grant, subject, $"{grantName} now also applies to service {service}."));
                }

                foreach (string service in ga.Services.Except(gb.Services, StringComparer.Ordinal))
                {
                    c.Add(new(PolicyChangeKind.Revoke, subject, $"{grantName} no longer applies to service {service}."));
                }

                Rule(c, subject, grantName, x, ga.Operations, gb.Operations, ga.SopClasses, gb.SopClasses, ga.TimeWindows, gb.TimeWindows, ga.RateLimit, gb.RateLimit, ga.MaxObjectSize, gb.MaxObjectSize, anyWhenEmpty: true);
            }
        }
    }

    private static void Clients(PolicyModel old, PolicyModel @new, List<PolicyChange> c)
    {
        foreach ((ClientDefinition? a, ClientDefinition? b) in Pair(old.Clients, @new.Clients, x => x.Name))
        {
            string subject = "client:" + (a ?? b)!.Name;
            if (a is null)
            {
                c.Add(new(PolicyChangeKind.Grant, subject, $"New client {b!.Name} (client id {b.ClientId}) may act as {string.Join(", ", b.Roles)} from {(b.Addresses.Count == 0 ? "any address" : Networks(b.Addresses))}, {Certificate(b.Certificate)}."));
                continue;
            }

            if (b is null)
            {
                c.Add(new(PolicyChangeKind.Revoke, subject, $"Client {a.Name} (client id {a.ClientId}) is removed: its requests are refused."));
                continue;
            }

            string who = $"Client {a.Name}";
            if (a.ClientId != b.ClientId)
            {
                c.Add(new(PolicyChangeKind.Change, subject, $"{who} is now client id {b.ClientId} (was {a.ClientId})."));
            }

            ListChange(c, subject, b.Roles, a.Roles, r => $"{who} may now also act as {r}.", r => $"{who} may no longer act as {r}.");
            if (a.Addresses.Count > 0 && b.Addresses.Count == 0)
            {
                c.Add(new(PolicyChangeKind.Grant, subject, $"{who} may now connect from any address (was {Networks(a.Addresses)})."));
            }
            else if (a.Addresses.Count == 0 && b.Addresses.Count > 0)
            {
                c.Add(new(PolicyChangeKind.Revoke, subject, $"{who} may now connect only from {Networks(b.Addresses)} (was any address)."));
            }
            else
            {
                ListChange(c, subject, b.Addresses.Select(n => n.ToString()), a.Addresses.Select(n => n.ToString()),
                    n => $"{who} may now also connect from {n}.", n => $"{who} may no longer connect from {n}.");
            }

            CertificateChange(c, subject, who, a.Certificate, b.Certificate);
        }
    }

    private static void Users(PolicyModel old, PolicyModel @new, List<PolicyChange> c)
    {
        foreach ((UserDefinition? a, UserDefinition? b) in Pair(old.Users, @new.Users, u => u.Id))
        {
            string subject = "user:" + (a ?? b)!.Id;
            if (a is null)
            {
                c.Add(new(PolicyChangeKind.Grant, subject, $"User {b!.Id} is new with role{Plural(b.Roles.Count)} {string.Join(", ", b.Roles)}."));
            }
            else if (b is null)
            {
                c.Add(new(PolicyChangeKind.Revoke, subject, $"User {a.Id} is removed (had role{Plural(a.Roles.Count)} {string.Join(", ", a.Roles)})."));
            }
            else
            {
                ListChange(c, subject, b.Roles, a.Roles, r => $"User {a.Id} now also has role {r}.", r => $"User {a.Id} no longer has role {r}.");
            }
        }
    }

    // Operations, SOP classes, time windows, rate limits and size of a flow or grant.
    private static void Rule(
        List<PolicyChange> c,
        string subject,
        string who,
        Context x,
        IReadOnlyList<PolicyOperation> opsA,
        IReadOnlyList<PolicyOperation> opsB,
        IReadOnlyList<string> sopA,
        IReadOnlyList<string> sopB,
        IReadOnlyList<TimeWindow> windowsA,
        IReadOnlyList<TimeWindow> windowsB,
        PolicyRateLimit rateA,
        PolicyRateLimit rateB,
        long? sizeA,
        long? sizeB,
        bool anyWhenEmpty = false)
    {
        PolicyOperation[] added = [.. opsB.Except(opsA)];
        PolicyOperation[] removed = [.. opsA.Except(opsB)];
        if (added.Length > 0)
        {
            c.Add(new(PolicyChangeKind.Grant, subject, $"{who} now also allows {Verbs(added)}."));
        }

        if (removed.Length > 0)
        {
            c.Add(new(PolicyChangeKind.Revoke, subject, $"{who} no longer allows {Verbs(removed)}."));
        }

        if (anyWhenEmpty && (sopA.Count == 0) != (sopB.Count == 0))
        {
            c.Add(sopB.Count == 0
                ? new(PolicyChangeKind.Grant, subject, $"{who} now allows any SOP class (was {PolicyText.List(sopA)}).")
                : new(PolicyChangeKind.Revoke, subject, $"{who} now allows only SOP classes {PolicyText.List(sopB)} (was any)."));
        }
        else if (!sopA.SequenceEqual(sopB, StringComparer.Ordinal))
        {
            // Same list as written but other members: a set changed, and the set's own sentence names this rule.
            SetChange(c, subject, who, string.Empty, sopA, sopB, x.OldResolver.Resolve(sopA), x.NewResolver.Resolve(sopB));
        }

        if (!windowsA.SequenceEqual(windowsB))
        {
            bool wider = windowsB.Count == 0 || (windowsA.Count > 0 && windowsA.All(w => windowsB.Any(v => v.Covers(w))));
            bool narrower = windowsA.Count == 0 || (windowsB.Count > 0 && windowsB.All(w => windowsA.Any(v => v.Covers(w))));
            PolicyChangeKind kind = wider && !narrower ? PolicyChangeKind.Grant : narrower && !wider ? PolicyChangeKind.Revoke : PolicyChangeKind.Change;
            c.Add(new(kind, subject, $"{who} now applies {PolicyText.Windows(windowsB)} (was {PolicyText.Windows(windowsA)})."));
        }

        Limit(c, subject, who, "associations per minute", rateA.AssociationsPerMinute, rateB.AssociationsPerMinute);
        Limit(c, subject, who, "instances per minute", rateA.InstancesPerMinute, rateB.InstancesPerMinute);
        Limit(c, subject, who, "requests per minute", rateA.RequestsPerMinute, rateB.RequestsPerMinute);
        if (sizeA != sizeB)
        {
            bool larger = sizeB is null || (sizeA is not null && sizeB > sizeA);
            c.Add(new(larger ? PolicyChangeKind.Grant : PolicyChangeKind.Revoke, subject,
                $"{who} now allows objects up to {(sizeB is null ? "any size" : PolicyValues.FormatSize(sizeB.Value))} (was {(sizeA is null ? "any size" : PolicyValues.FormatSize(sizeA.Value))})."));
        }
    }

    private static void Limit(List<PolicyChange> c, string subject, string who, string what, int a, int b)
    {
        if (a == b)
        {
            return;
        }

        bool looser = b == 0 || (a != 0 && b > a);
        c.Add(new(looser ? PolicyChangeKind.Grant : PolicyChangeKind.Revoke, subject,
            $"{who}: {what} {(b == 0 ? "no longer limited" : "limited to " + b.ToString(CultureInfo.InvariantCulture))} (was {(a == 0 ? "unlimited" : a.ToString(CultureInfo.InvariantCulture))})."));
    }

    private static void SetChange(List<PolicyChange> c, string subject, string who, string suffix, IReadOnlyList<string> writtenA, IReadOnlyList<string> writtenB, HashSet<string> uidsA, HashSet<string> uidsB)
    {
        string[] membersAdded = [.. writtenB.Except(writtenA, StringComparer.Ordinal)];
        string[] membersRemoved = [.. writtenA.Except(writtenB, StringComparer.Ordinal)];
        int uidsAdded = uidsB.Count(u => !uidsA.Contains(u));
        int uidsRemoved = uidsA.Count(u => !uidsB.Contains(u));
        string tail = suffix.Length == 0 ? "." : " " + suffix + ".";
        if (uidsAdded > 0)
        {
            string what = membersAdded.Length > 0 ? $"SOP classes {string.Join(", ", membersAdded)}" : "SOP classes";
            c.Add(new(PolicyChangeKind.Grant, subject, $"{who} now also allows {what} ({uidsAdded} more SOP class{(uidsAdded == 1 ? string.Empty : "es")}){tail}"));
        }

        if (uidsRemoved > 0)
        {
            string what = membersRemoved.Length > 0 ? $"SOP classes {string.Join(", ", membersRemoved)}" : "some SOP classes";
            c.Add(new(PolicyChangeKind.Revoke, subject, $"{who} no longer allows {what} ({uidsRemoved} SOP class{(uidsRemoved == 1 ? string.Empty : "es")} fewer){tail}"));
        }
    }

    private static void ListChange(List<PolicyChange> c, string subject, IEnumerable<string> now, IEnumerable<string> before, Func<string, string> added, Func<string, string> removed)
    {
        string[] a = [.. before];
        string[] b = [.. now];
        foreach (string item in b.Except(a, StringComparer.Ordinal))
        {
            c.Add(new(PolicyChangeKind.Grant, subject, added(item)));
        }

        foreach (string item in a.Except(b, StringComparer.Ordinal))
        {
            c.Add(new(PolicyChangeKind.Revoke, subject, removed(item)));
        }
    }

    private static string DescribeFlow(SopClassResolver resolver, FlowDefinition flow)
    {
        var text = new StringBuilder();
        text.Append(Sources(flow)).Append(" may ").Append(Verbs(flow.Operations)).Append(" on ").Append(flow.To);
        if (flow.SopClasses.Count > 0)
        {
            int count = resolver.Resolve(flow.SopClasses).Count;
            text.Append(" with SOP classes ").Append(string.Join(", ", flow.SopClasses)).Append(CultureInfo.InvariantCulture, $" ({count} SOP class{(count == 1 ? string.Empty : "es")})");
        }

        if (flow.MoveDestinations.Count > 0)
        {
            text.Append(", moving to ").Append(string.Join(", ", flow.MoveDestinations));
        }

        text.Append(", ").Append(PolicyText.Windows(flow.TimeWindows));
        text.Append(", ").Append(PolicyText.RateLimit(flow.RateLimit));
        text.Append(", ").Append(flow.MaxObjectSize is { } max ? "objects up to " + PolicyValues.FormatSize(max) : "objects of any size");
        return text.ToString();
    }

    private static string DescribeGrant(SopClassResolver resolver, RoleGrant grant)
    {
        string sop = grant.SopClasses.Count == 0 ? string.Empty : $" with SOP classes {string.Join(", ", grant.SopClasses)} ({resolver.Resolve(grant.SopClasses).Count})";
        return $"{Verbs(grant.Operations)} on {string.Join(", ", grant.Services)}{sop}, {PolicyText.Windows(grant.TimeWindows)}, {PolicyText.RateLimit(grant.RateLimit)}" +
            (grant.MaxObjectSize is { } max ? ", objects up to " + PolicyValues.FormatSize(max) : string.Empty);
    }

    private static string Sources(FlowDefinition flow) => string.Join(" and ", flow.From);

    private static string SourceName(PolicyModel model, string name) => model.FindZone(name) is null ? "peer " + name : "every peer of zone " + name;

    private static string Verbs(IEnumerable<PolicyOperation> operations)
    {
        string[] names = [.. operations.Select(PolicyOperations.Name)];
        return names.Length <= 1 ? string.Concat(names) : string.Join(", ", names[..^1]) + " and " + names[^1];
    }

    private static string Networks(IEnumerable<IpNetwork> networks) => string.Join(", ", networks.Select(n => n.ToString()));

    private static string Certificate(CertificateBinding? binding)
    {
        if (binding is null)
        {
            return "no certificate";
        }

        var parts = new List<string>();
        if (binding.Subject is { } subject)
        {
            parts.Add($"subject '{subject}'");
        }

        if (binding.Issuer is { } issuer)
        {
            parts.Add($"issuer '{issuer}'");
        }

        if (binding.SubjectAlternativeNames.Count > 0)
        {
            parts.Add("SAN " + string.Join(" or ", binding.SubjectAlternativeNames));
        }

        if (binding.Sha256Thumbprints.Count > 0)
        {
            parts.Add("SHA-256 " + string.Join(" or ", binding.Sha256Thumbprints.Select(t => t[..16] + "...")));
        }

        return "a certificate with " + string.Join(", ", parts);
    }

    private static string Describe(ServiceDefinition service) =>
        PolicyModelValidator.KindName(service.Kind) + " service" +
        (service.AETitle is null ? string.Empty : " at AE title " + service.AETitle) +
        (service.Origin is null ? string.Empty : " for " + service.Origin);

    private static string Upstream(UpstreamDefinition? upstream) =>
        upstream is null ? "nothing (answered by the gateway)" : $"{upstream.AETitle} at {upstream.Host}:{upstream.Port}{(upstream.Tls ? " over TLS" : " without TLS")}";

    private static string KindName(ZoneKind kind) => kind == ZoneKind.Clinical ? "clinical" : "device";

    private static string Plural(int count) => count == 1 ? string.Empty : "s";

    // Definitions matched by key: first those of the old policy (with their new counterpart or null), then new ones.
    private static IEnumerable<(T? Old, T? New)> Pair<T>(IReadOnlyList<T> old, IReadOnlyList<T> @new, Func<T, string> key)
        where T : class
    {
        var byKey = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (T item in @new)
        {
            byKey.TryAdd(key(item), item);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (T item in old)
        {
            seen.Add(key(item));
            yield return (item, byKey.GetValueOrDefault(key(item)));
        }

        foreach (T item in @new)
        {
            if (!seen.Contains(key(item)))
            {
                yield return (null, item);
            }
        }
    }

    private sealed class Context(PolicyModel old, PolicyModel @new)
    {
        public PolicyModel Old { get; } = old;

        public PolicyModel New { get; } = @new;

        public SopClassResolver OldResolver { get; } = new(old.SopClassSets);

        public SopClassResolver NewResolver { get; } = new(@new.SopClassSets);
    }
}
