using System.Globalization;
using System.Net;
using System.Text;
using Gateway.Policy.Loading;

namespace Gateway.Policy.Benchmarks;

/// <summary>
/// A large synthetic policy: 1,000 peers on a device VLAN, 10 DIMSE services, 5 flows per peer (5,000 flows, all to
/// the peer's service, so a request may have to pass four flows before the fifth allows it), 200 DICOMweb clients and
/// users, time windows in Europe/Berlin.
/// </summary>
public static class SyntheticSite
{
    public const int Peers = 1000;
    public const int FlowsPerPeer = 5;
    public const int Services = 10;
    public const int Clients = 200;

    public const string CT = "1.2.840.10008.5.1.4.1.1.2";
    public const string MR = "1.2.840.10008.5.1.4.1.1.4";
    public const string NM = "1.2.840.10008.5.1.4.1.1.20";
    public const string BasicTextSR = "1.2.840.10008.5.1.4.1.1.88.11";
    public const string StudyRootMove = "1.2.840.10008.5.1.4.1.2.2.2";

    /// <summary>Tuesday 4 March 2025, 10:00 in Berlin.</summary>
    public static readonly DateTimeOffset Tuesday = new(2025, 3, 4, 9, 0, 0, TimeSpan.Zero);

    public static string AETitle(int peer) => "DEV" + peer.ToString("D4", CultureInfo.InvariantCulture);

    public static IPAddress Address(int peer) => new([10, 100, (byte)(peer / 250), (byte)(peer % 250 + 1)]);

    public static string CalledAE(int peer) => "GW_SVC" + (peer % Services).ToString(CultureInfo.InvariantCulture);

    /// <summary>The policy as YAML sources (one file per section, as a site would split it).</summary>
    public static IReadOnlyList<PolicySource> Sources()
    {
        var site = new StringBuilder("version: 1\nmode: enforce\ntimezone: Europe/Berlin\nzones:\n  - {name: devices, kind: device, networks: [10.100.0.0/16]}\n  - {name: clinical, kind: clinical, networks: [10.10.0.0/16]}\n");
        var peers = new StringBuilder("peers:\n");
        var services = new StringBuilder("services:\n");
        var flows = new StringBuilder("flows:\n");
        for (int s = 0; s < Services; s++)
        {
            services.Append(CultureInfo.InvariantCulture, $"  - {{name: svc{s}, kind: pacs, ae-title: GW_SVC{s}, upstream: {{ae-title: PACS{s}, host: pacs{s}.example.org, port: 2762, tls: true}}}}\n");
        }

        services.Append("  - {name: web, kind: dicomweb}\n");
        for (int p = 0; p < Peers; p++)
        {
            string name = "p" + p.ToString("D4", CultureInfo.InvariantCulture);
            peers.Append(CultureInfo.InvariantCulture, $"  - {{name: {name}, zone: devices, ae-titles: [{AETitle(p)}], addresses: [{Address(p)}]}}\n");
            string to = "svc" + (p % Services).ToString(CultureInfo.InvariantCulture);
            flows.Append(CultureInfo.InvariantCulture, $"  - {{name: {name}-ct, from: {name}, to: {to}, operations: [echo, store], sop-classes: [ct], max-object-size: 2 GiB}}\n");
            flows.Append(CultureInfo.InvariantCulture, $"  - {{name: {name}-mr, from: {name}, to: {to}, operations: [store], sop-classes: [mr], time-windows: [{{days: [mon-fri], from: \"07:00\", to: \"19:00\"}}]}}\n");
            flows.Append(CultureInfo.InvariantCulture, $"  - {{name: {name}-us, from: {name}, to: {to}, operations: [store], sop-classes: [us], max-object-size: 1 GiB}}\n");
            flows.Append(CultureInfo.InvariantCulture, $"  - {{name: {name}-qr, from: {name}, to: {to}, operations: [find, move], sop-classes: [all-image-storage], move-destinations: [{name}]}}\n");
            flows.Append(CultureInfo.InvariantCulture, $"  - {{name: {name}-sr, from: {name}, to: {to}, operations: [store], sop-classes: [sr, presentation-states], rate-limit: {{associations-per-minute: 60, instances-per-minute: 6000}}}}\n");
        }

        var people = new StringBuilder("roles:\n  - {name: clinician, token-claim: true, grants: [{name: view, services: [web], operations: [qido, wado]}]}\n  - {name: ai, grants: [{name: read, services: [web], operations: [qido, wado]}, {name: write, services: [web], operations: [stow], sop-classes: [sr]}]}\nclients:\n");
        var users = new StringBuilder("users:\n");
        for (int c = 0; c < Clients; c++)
        {
            people.Append(CultureInfo.InvariantCulture, $"  - {{name: client{c}, client-id: client-{c}, roles: [{(c % 2 == 0 ? "clinician" : "ai")}], addresses: [10.10.{c}.0/24]}}\n");
            users.Append(CultureInfo.InvariantCulture, $"  - {{id: user{c}, roles: [clinician]}}\n");
        }

        return
        [
            new PolicySource("site.yaml", site.ToString()),
            new PolicySource("peers.yaml", peers.ToString()),
            new PolicySource("services.yaml", services.ToString()),
            new PolicySource("flows.yaml", flows.ToString()),
            new PolicySource("people.yaml", people.Append(users).ToString()),
        ];
    }

    /// <summary>Loads and compiles the policy; throws when it is invalid.</summary>
    public static PolicyEvaluator Compile()
    {
        PolicyLoadResult result = PolicyLoader.Load(Sources());
        return result.Model is null
            ? throw new InvalidOperationException("synthetic policy invalid: " + string.Join("; ", result.Diagnostics.Take(5)))
            : new PolicyEvaluator(result.Model);
    }

    /// <summary>1,024 requests of one kind from random peers (a fixed seed), so that lookups are not always the same.</summary>
    public static PolicyRequest[] Requests(Func<int, PolicyRequest> make)
    {
        var random = new Random(42);
        return [.. Enumerable.Range(0, 1024).Select(_ => make(random.Next(Peers)))];
    }

    public static PolicyRequest Store(int peer, string sopClass) => new()
    {
        Protocol = PolicyProtocol.Dimse,
        Operation = PolicyOperation.Store,
        CallingAE = AETitle(peer),
        CalledAE = CalledAE(peer),
        RemoteAddress = Address(peer),
        SopClassUid = sopClass,
        ObjectSize = 512 * 1024,
        At = Tuesday,
    };
}
