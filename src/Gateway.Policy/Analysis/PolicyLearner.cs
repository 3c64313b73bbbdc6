using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Policy.Loading;
using Gateway.Policy.Model;

namespace Gateway.Policy.Analysis;

/// <summary>
/// Proposes a least-privilege policy from recorded requests: one peer per calling AE title bound to the addresses
/// (and certificates) it was seen with, one service per called AE title or DICOMweb/admin service, one flow per peer
/// and service with exactly the operations, SOP classes and move destinations observed, and for DICOMweb and admin one
/// role per client with what it was seen doing. The result is YAML for a person to review; REVIEW comments mark guesses.
/// </summary>
public static class PolicyLearner
{
    /// <summary>Learns from <paramref name="records"/>; the YAML loads with <see cref="PolicyLoader"/>.</summary>
    public static string Learn(IEnumerable<RecordedRequest> records, PolicyLearnOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        options ??= new PolicyLearnOptions();
        var names = new NameAllocator();
        names.Reserve("learned-devices");
        names.Reserve("learned-clinical");
        var peers = new Dictionary<string, LearnedPeer>(StringComparer.Ordinal);
        var services = new Dictionary<string, LearnedService>(StringComparer.Ordinal);
        var flows = new Dictionary<(string Peer, string Service), LearnedFlow>();
        var clients = new Dictionary<string, LearnedClient>(StringComparer.Ordinal);
        int used = 0;
        int skipped = 0;
        DateTimeOffset? first = null;
        DateTimeOffset? last = null;
        foreach (RecordedRequest record in records)
        {
            PolicyRequest r = record.Request;
            bool denied = record.RecordedOutcome == PolicyOutcome.Deny && !options.IncludeDenied;
            bool alert = record.RecordedReason is { } reason && PolicyReasons.IsSecurityAlert(reason);
            if (denied || alert || !Usable(r))
            {
                skipped++;
                continue;
            }

            used++;
            first = first is null || r.At < first ? r.At : first;
            last = last is null || r.At > last ? r.At : last;
            if (r.Protocol == PolicyProtocol.Dimse)
            {
                LearnDimse(r, names, peers, services, flows);
            }
            else
            {
                LearnPrincipal(r, names, services, clients);
            }
        }

        return Write(options, peers, services, flows, clients, used, skipped, first, last);
    }

    private static bool Usable(in PolicyRequest r) => r.Protocol == PolicyProtocol.Dimse
        ? !string.IsNullOrWhiteSpace(r.CallingAE) && (r.CalledAE is not null || r.Service is not null) && r.RemoteAddress is not null &&
          PolicyValues.TryParseAETitle(r.CallingAE!, out _, out _) && (r.CalledAE is null || PolicyValues.TryParseAETitle(r.CalledAE, out _, out _))
        : r.ClientId is { Length: > 0 } && r.Service is { Length: > 0 };

    private static void LearnDimse(in PolicyRequest r, NameAllocator names, Dictionary<string, LearnedPeer> peers, Dictionary<string, LearnedService> services, Dictionary<(string, string), LearnedFlow> flows)
    {
        string calling = r.CallingAE!.Trim(' ');
        if (!peers.TryGetValue(calling, out LearnedPeer? peer))
        {
            peers[calling] = peer = new LearnedPeer(names.Allocate(calling), calling);
        }

        peer.Addresses.Add(r.RemoteAddress!.IsIPv4MappedToIPv6 ? r.RemoteAddress.MapToIPv4() : r.RemoteAddress);
        if (r.Certificate is { } certificate)
        {
            peer.Certificates.Add(certificate);
        }

        string key = r.Service ?? r.CalledAE!.Trim(' ');
        if (!services.TryGetValue(key, out LearnedService? service))
        {
            string name = r.Service is { } named && PolicyValues.IsName(named) ? names.Reserve(named) : names.Allocate(key);
            services[key] = service = new LearnedService(name, r.Service is null ? key : null, PolicyProtocol.Dimse);
        }

        if (r.Operation == PolicyOperation.Worklist)
        {
            service.SawWorklist = true;
        }

        if (!flows.TryGetValue((peer.Name, service.Name), out LearnedFlow? flow))
        {
            flows[(peer.Name, service.Name)] = flow = new LearnedFlow(peer, service);
        }

        flow.Observe(r);
    }

    private static void LearnPrincipal(in PolicyRequest r, NameAllocator names, Dictionary<string, LearnedService> services, Dictionary<string, LearnedClient> clients)
    {
        string serviceName = r.Service!;
        if (!services.TryGetValue("web:" + serviceName, out LearnedService? service))
        {
            services["web:" + serviceName] = service = new LearnedService(PolicyValues.IsName(serviceName) ? names.Reserve(serviceName) : names.Allocate(serviceName), null, r.Protocol);
        }

        if (!clients.TryGetValue(r.ClientId!, out LearnedClient? client))
        {
            clients[r.ClientId!] = client = new LearnedClient(names.Allocate(r.ClientId!), r.ClientId!);
        }

        if (r.RemoteAddress is { } address)
        {
            client.Addresses.Add(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
        }

        if (r.Certificate is { } certificate)
        {
            client.Certificates.Add(certificate);
        }

        if (r.UserId is { } user)
        {
            client.Users.Add(user);
        }

        if (!client.Grants.TryGetValue(service.Name, out LearnedFlow? grant))
        {
            client.Grants[service.Name] = grant = new LearnedFlow(null, service);
        }

        grant.Observe(r);
    }

    private static string Write(
        PolicyLearnOptions options,
        Dictionary<string, LearnedPeer> peers,
        Dictionary<string, LearnedService> services,
        Dictionary<(string, string), LearnedFlow> flows,
        Dictionary<string, LearnedClient> clients,
        int used,
        int skipped,
        DateTimeOffset? first,
        DateTimeOffset? last)
    {
        var y = new StringBuilder();
        y.Append("# Proposed by gatewayctl policy learn from ").Append(options.SourceName).Append(".\n");
        y.Append("# ").Append(used).Append(" requests used").Append(skipped > 0 ? $", {skipped} skipped (denied, security alerts or incomplete)" : string.Empty);
        if (first is { } f && last is { } l)
        {
            y.Append(", observed ").Append(Time(f)).Append(" to ").Append(Time(l));
        }

        y.Append(".\n# It allows exactly what was observed. Review every REVIEW comment, then lint, simulate and switch to enforce.\n");
        y.Append("version: 1\n");
        y.Append("mode: ").Append(options.Mode == PolicyMode.Observe ? "observe" : "enforce").Append('\n');

        LearnedPeer[] devicePeers = [.. peers.Values.Where(p => p.Certificates.Count == 0).OrderBy(p => p.Name, StringComparer.Ordinal)];
        LearnedPeer[] tlsPeers = [.. peers.Values.Where(p => p.Certificates.Count > 0).OrderBy(p => p.Name, StringComparer.Ordinal)];
        if (peers.Count > 0)
        {
            y.Append("\nzones:\n");
            WriteZone(y, "learned-devices", "device", devicePeers);
            WriteZone(y, "learned-clinical", "clinical", tlsPeers);
            y.Append("\npeers:\n");
            foreach (LearnedPeer peer in devicePeers.Concat(tlsPeers))
            {
                y.Append("  - name: ").Append(peer.Name).Append('\n');
                y.Append("    zone: ").Append(peer.Certificates.Count == 0 ? "learned-devices" : "learned-clinical").Append('\n');
                y.Append("    ae-titles: ").Append(YamlText.List([peer.AETitle])).Append('\n');
                y.Append("    addresses: ").Append(YamlText.List(SortedAddresses(peer.Addresses))).Append('\n');
                WriteCertificate(y, peer.Certificates, "    ");
            }
        }

        if (services.Count > 0)
        {
            y.Append("\nservices:\n");
            foreach (LearnedService service in services.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                y.Append("  - name: ").Append(service.Name).Append('\n');
                string kind = service.Protocol switch
                {
                    PolicyProtocol.DicomWeb => "dicomweb",
                    PolicyProtocol.Admin => "admin",
                    _ => service.SawWorklist ? "worklist" : "pacs",
                };
                y.Append("    kind: ").Append(kind).Append(service.Protocol == PolicyProtocol.Dimse ? "  # REVIEW: guessed from the operations seen; add the upstream" : string.Empty).Append('\n');
                if (service.Protocol == PolicyProtocol.Dimse)
                {
                    string title = service.CalledAE ?? service.Name.ToUpperInvariant();
                    y.Append("    ae-title: ").Append(YamlText.Scalar(title.Length > 16 ? title[..16] : title)).Append('\n');
                }
            }
        }

        if (flows.Count > 0)
        {
            y.Append("\nflows:\n");
            foreach (LearnedFlow flow in flows.Values.OrderBy(x => x.Peer!.Name, StringComparer.Ordinal).ThenBy(x => x.Service.Name, StringComparer.Ordinal))
            {
                WriteFlow(y, flow, peers);
            }
        }

        if (clients.Count > 0)
        {
            y.Append("\nroles:\n");
            foreach (LearnedClient client in clients.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                y.Append("  - name: learned-").Append(client.Name).Append('\n');
                y.Append("    description: ").Append(YamlText.Scalar($"What client {client.ClientId} was seen doing.")).Append('\n');
                y.Append("    grants:\n");
                foreach (LearnedFlow grant in client.Grants.Values.OrderBy(g => g.Service.Name, StringComparer.Ordinal))
                {
                    y.Append("      - name: ").Append(grant.Service.Name).Append('\n');
                    y.Append("        services: [").Append(grant.Service.Name).Append("]\n");
                    y.Append("        operations: ").Append(YamlText.List(grant.Operations.Order().Select(PolicyOperations.Name))).Append('\n');
                    if (grant.Operations.Contains(PolicyOperation.Stow) && grant.StorageClasses.Count > 0)
                    {
                        WriteSopClasses(y, grant.StorageClasses, "        ");
                    }

                    WriteSize(y, grant, "        ");
                }
            }

            y.Append("\nclients:\n");
            foreach (LearnedClient client in clients.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                y.Append("  - name: ").Append(client.Name).Append('\n');
                y.Append("    client-id: ").Append(YamlText.Scalar(client.ClientId)).Append('\n');
                y.Append("    roles: [learned-").Append(client.Name).Append("]\n");
                if (client.Addresses.Count > 0)
                {
                    y.Append("    addresses: ").Append(YamlText.List(SortedAddresses(client.Addresses))).Append('\n');
                }

                WriteCertificate(y, client.Certificates, "    ");
            }

            var users = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            foreach (LearnedClient client in clients.Values)
            {
                foreach (string user in client.Users)
                {
                    if (!users.TryGetValue(user, out SortedSet<string>? roles))
                    {
                        users[user] = roles = new SortedSet<string>(StringComparer.Ordinal);
                    }

                    roles.Add("learned-" + client.Name);
                }
            }

            if (users.Count > 0)
            {
                y.Append("\n# Each user is bound to the roles of the clients they were seen using.\nusers:\n");
                foreach ((string user, SortedSet<string> roles) in users)
                {
                    y.Append("  - id: ").Append(YamlText.Scalar(user)).Append('\n');
                    y.Append("    roles: ").Append(YamlText.List(roles)).Append('\n');
                }
            }
        }

        return y.ToString();
    }

    private static void WriteFlow(StringBuilder y, LearnedFlow flow, Dictionary<string, LearnedPeer> peers)
    {
        var operations = new SortedSet<PolicyOperation>(flow.Operations);
        var destinations = new SortedSet<string>(StringComparer.Ordinal);
        var unknownDestinations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string ae in flow.MoveDestinations)
        {
            if (peers.TryGetValue(ae, out LearnedPeer? destination))
            {
                destinations.Add(destination.Name);
            }
            else
            {
                unknownDestinations.Add(ae);
            }
        }

        if (operations.Contains(PolicyOperation.Move) && destinations.Count == 0)
        {
            operations.Remove(PolicyOperation.Move);
        }

        if (operations.Count == 0)
        {
            y.Append("  # REVIEW: ").Append(flow.Peer!.Name).Append(" -> ").Append(flow.Service.Name).Append(": only C-MOVEs to unknown destinations were seen; no flow proposed\n");
            return;
        }

        y.Append("  - name: ").Append(flow.Peer!.Name).Append("-to-").Append(flow.Service.Name).Append('\n');
        y.Append("    from: ").Append(flow.Peer.Name).Append('\n');
        y.Append("    to: ").Append(flow.Service.Name).Append('\n');
        y.Append("    operations: ").Append(YamlText.List(operations.Select(PolicyOperations.Name))).Append('\n');
        bool needsSopClasses = operations.Any(o => o is PolicyOperation.Store or PolicyOperation.Move or PolicyOperation.Get);
        if (needsSopClasses)
        {
            if (flow.StorageClasses.Count == 0)
            {
                y.Append("    # REVIEW: no instance was seen; add the SOP classes retrieved\n");
                y.Append("    sop-classes: [verification]\n");
            }
            else
            {
                WriteSopClasses(y, flow.StorageClasses, "    ");
            }
        }

        if (operations.Contains(PolicyOperation.Move))
        {
            y.Append("    move-destinations: ").Append(YamlText.List(destinations)).Append('\n');
        }

        if (unknownDestinations.Count > 0)
        {
            y.Append("    # REVIEW: C-MOVE destinations seen that are not calling peers (add them as peers to allow): ")
                .Append(string.Join(", ", unknownDestinations)).Append('\n');
        }

        WriteSize(y, flow, "    ");
        y.Append("    # observed: ").Append(flow.Count).Append(" requests, at most ").Append(flow.PeakPerMinute).Append(" in one minute, between ")
            .Append(flow.Earliest.ToString("HH:mm", CultureInfo.InvariantCulture)).Append(" and ").Append(flow.Latest.ToString("HH:mm", CultureInfo.InvariantCulture)).Append(" UTC\n");
    }

    private static void WriteSopClasses(StringBuilder y, SortedSet<string> uids, string indent)
    {
        y.Append(indent).Append("sop-classes:\n");
        foreach (string uid in uids)
        {
            string keyword = SopClassCatalog.Describe(uid);
            y.Append(indent).Append("  - ").Append(YamlText.Scalar(uid)).Append(keyword == uid ? "  # REVIEW: not a registered SOP class" : "  # " + keyword).Append('\n');
        }
    }

    private static void WriteSize(StringBuilder y, LearnedFlow flow, string indent)
    {
        if (flow.MaxSize is { } max && max > 0)
        {
            // Rounded up to a whole MiB so that the limit reads well and a slightly larger instance of the same kind fits.
            long mib = (max + (1L << 20) - 1) >> 20;
            y.Append(indent).Append("max-object-size: ").Append(mib.ToString(CultureInfo.InvariantCulture)).Append(" MiB  # largest seen: ")
                .Append(max.ToString(CultureInfo.InvariantCulture)).Append(" bytes\n");
        }
    }

    private static void WriteZone(StringBuilder y, string name, string kind, LearnedPeer[] members)
    {
        if (members.Length == 0)
        {
            return;
        }

        var networks = new SortedSet<string>(StringComparer.Ordinal);
        foreach (IPAddress address in members.SelectMany(p => p.Addresses))
        {
            networks.Add(Enclosing(address));
        }

        y.Append("  - name: ").Append(name).Append('\n');
        y.Append("    kind: ").Append(kind).Append("  # REVIEW: the networks are the /24 (IPv4) or /64 (IPv6) around the addresses seen\n");
        y.Append("    networks: ").Append(YamlText.List(networks)).Append('\n');
    }

    private static void WriteCertificate(StringBuilder y, CertificateFacts certificates, string indent)
    {
        string[] thumbprints = [.. certificates.Thumbprints.Order(StringComparer.Ordinal)];
        string[] subjects = [.. certificates.Subjects];
        string[] issuers = [.. certificates.Issuers];
        if (thumbprints.Length == 0 && subjects.Length != 1)
        {
            return;
        }

        y.Append(indent).Append("certificate:\n");
        if (subjects.Length == 1)
        {
            y.Append(indent).Append("  subject: ").Append(YamlText.Scalar(subjects[0])).Append('\n');
        }

        if (issuers.Length == 1)
        {
            y.Append(indent).Append("  issuer: ").Append(YamlText.Scalar(issuers[0])).Append('\n');
        }

        if (thumbprints.Length > 0)
        {
            y.Append(indent).Append("  sha256: ").Append(YamlText.List(thumbprints)).Append("  # REVIEW: pinned; drop to rely on subject and issuer across renewals\n");
        }
    }

    private static IEnumerable<string> SortedAddresses(IEnumerable<IPAddress> addresses) =>
        addresses.Select(IpNetwork.ForAddress).Distinct().OrderBy(n => n.First).Select(n => n.ToString());

    private static string Enclosing(IPAddress address)
    {
        byte[] bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return $"{bytes[0]}.{bytes[1]}.{bytes[2]}.0/24";
        }

        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private sealed class NameAllocator
    {
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);

        public string Reserve(string name)
        {
            _used.Add(name);
            return name;
        }

        public string Allocate(string text)
        {
            var name = new StringBuilder();
            foreach (char c in text.ToLowerInvariant())
            {
                name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '-');
            }

            string baseName = name.ToString().Trim('-', '.');
            if (baseName.Length == 0)
            {
                baseName = "x";
            }

            baseName = baseName.Length > 56 ? baseName[..56] : baseName;
            string candidate = baseName;
            for (int i = 2; !_used.Add(candidate); i++)
            {
                candidate = baseName + "-" + i.ToString(CultureInfo.InvariantCulture);
            }

            return candidate;
        }
    }

    private sealed class LearnedPeer(string name, string aeTitle)
    {
        public string Name { get; } = name;

        public string AETitle { get; } = aeTitle;

        public HashSet<IPAddress> Addresses { get; } = [];

        public CertificateFacts Certificates { get; } = new();
    }

    // Distinct facts of the certificates seen (the same certificate arrives as a new object with every record).
    private sealed class CertificateFacts
    {
        public HashSet<string> Thumbprints { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Subjects { get; } = new(StringComparer.OrdinalIgnoreCase);

        public HashSet<string> Issuers { get; } = new(StringComparer.OrdinalIgnoreCase);

        public int Count => Thumbprints.Count + Subjects.Count;

        public void Add(PolicyCertificate certificate)
        {
            if (certificate.Sha256Thumbprint is { } thumbprint)
            {
                Thumbprints.Add(thumbprint);
            }

            if (certificate.Subject is { } subject)
            {
                Subjects.Add(subject);
            }

            if (certificate.Issuer is { } issuer)
            {
                Issuers.Add(issuer);
            }
        }
    }

    private sealed class LearnedService(string name, string? calledAE, PolicyProtocol protocol)
    {
        public string Name { get; } = name;

        public string? CalledAE { get; } = calledAE;

        public PolicyProtocol Protocol { get; } = protocol;

        public bool SawWorklist { get; set; }
    }

    private sealed class LearnedClient(string name, string clientId)
    {
        public string Name { get; } = name;

        public string ClientId { get; } = clientId;

        public HashSet<IPAddress> Addresses { get; } = [];

        public CertificateFacts Certificates { get; } = new();

        public HashSet<string> Users { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, LearnedFlow> Grants { get; } = new(StringComparer.Ordinal);
    }

    private sealed class LearnedFlow(LearnedPeer? peer, LearnedService service)
    {
        private readonly Dictionary<long, int> _perMinute = [];

        public LearnedPeer? Peer { get; } = peer;

        public LearnedService Service { get; } = service;

        public HashSet<PolicyOperation> Operations { get; } = [];

        public SortedSet<string> StorageClasses { get; } = new(StringComparer.Ordinal);

        public HashSet<string> MoveDestinations { get; } = new(StringComparer.Ordinal);

        public long? MaxSize { get; private set; }

        public int Count { get; private set; }

        public int PeakPerMinute { get; private set; }

        public TimeOnly Earliest { get; private set; } = TimeOnly.MaxValue;

        public TimeOnly Latest { get; private set; } = TimeOnly.MinValue;

        public void Observe(in PolicyRequest r)
        {
            Count++;
            Operations.Add(r.Operation);
            string? uid = r.SopClassUid?.TrimEnd('\0', ' ');
            bool isModel = uid is not null &&
                (SopClassCatalog.FindModels.Contains(uid) || SopClassCatalog.MoveModels.Contains(uid) || SopClassCatalog.GetModels.Contains(uid) || SopClassCatalog.WorklistModels.Contains(uid));
            if (uid is { Length: > 0 } && !isModel && r.Operation is PolicyOperation.Store or PolicyOperation.Move or PolicyOperation.Get or PolicyOperation.Stow)
            {
                StorageClasses.Add(uid);
            }

            if (r.Operation == PolicyOperation.Move && r.MoveDestination is { } destination)
            {
                MoveDestinations.Add(destination.Trim(' '));
            }

            if (r.ObjectSize is { } size)
            {
                MaxSize = Math.Max(MaxSize ?? 0, size);
            }

            DateTime utc = r.At.UtcDateTime;
            long minute = utc.Ticks / TimeSpan.TicksPerMinute;
            int inMinute = _perMinute[minute] = _perMinute.GetValueOrDefault(minute) + 1;
            PeakPerMinute = Math.Max(PeakPerMinute, inMinute);
            TimeOnly time = TimeOnly.FromDateTime(utc);
            Earliest = time < Earliest ? time : Earliest;
            Latest = time > Latest ? time : Latest;
        }
    }
}
