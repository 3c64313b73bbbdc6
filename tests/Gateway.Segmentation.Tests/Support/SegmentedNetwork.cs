using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Dicom.Network.Interop.Tests.Support;

namespace Gateway.Segmentation.Tests.Support;

/// <summary>
/// A hospital in network namespaces, built once for the test class and torn down afterwards (also when building it
/// failed half-way):
/// <code>
///   modality ns (10.20.0.11) ──┐                                          ┌── clinical ns: Orthanc "PACS" (10.10.0.20)
///   rogue ns    (10.20.0.66) ──┴─ br-vlan 10.20.0.2 │ gateway ns │ 10.10.0.2 ─┘    DICOM TLS 4242, REST 127.0.0.1:8042
/// </code>
/// The gateway (the built gateway.dll, as a real process) runs in its own namespace with the VLAN leg (plain DIMSE on
/// port 104) on the VLAN bridge and the clinical leg (mutual TLS, 2762) and HTTPS (8443) on the clinical address. The
/// device and PACS namespaces route everything through the gateway's addresses, as they would through a router: only
/// the gateway namespace's <c>ip_forward=0</c> (and the gateway itself) stands between them.
/// </summary>
public sealed class SegmentedNetwork : IAsyncLifetime
{
    public const string VlanAddress = "10.20.0.2";
    public const string ModalityAddress = "10.20.0.11";
    public const string RogueAddress = "10.20.0.66";
    public const string ClinicalAddress = "10.10.0.2";
    public const string PacsAddress = "10.10.0.20";
    public const int VlanPort = 104;
    public const int ClinicalPort = 2762;
    public const int HttpsPort = 8443;
    public const int PacsDicomPort = 4242;
    public const int PacsHttpPort = 8042;
    public const string GatewayAE = "GATEWAY";
    public const string PacsAE = "PACS";

    /// <summary>The AE title the policy binds to the modality's address.</summary>
    public const string ModalityAE = "CT01";

    /// <summary>The called AE title of a worklist service no flow lets the modality use.</summary>
    public const string WorklistAE = "GW_MWL";

    /// <summary>The name of the VLAN bridge in the gateway's namespace (the SECURITY.md firewall names it).</summary>
    public const string VlanInterface = "br-vlan";

    /// <summary>
    /// The policy: the CT scanner may echo and store CT images to the PACS service; a worklist service exists, but no
    /// flow lets anybody use it.
    /// </summary>
    public const string Policy = """
        version: 1
        mode: enforce
        timezone: UTC
        zones:
          - name: device-vlan
            kind: device
            networks: [10.20.0.0/24]
        peers:
          - name: ct-scanner
            zone: device-vlan
            ae-titles: [CT01]
            addresses: [10.20.0.11]
        services:
          - name: pacs
            kind: pacs
            ae-title: GATEWAY
          - name: ris
            kind: worklist
            ae-title: GW_MWL
        flows:
          - name: ct-stores-images
            from: ct-scanner
            to: pacs
            operations: [echo, store]
            sop-classes: [ct]
        """;

    private readonly List<string> _namespaces = [];
    private readonly TempDirectory _temp = new();
    private BackgroundTool? _pacs;
    private BackgroundTool? _gateway;

    /// <summary>The namespace of the modality on the VLAN.</summary>
    public string Modality { get; private set; } = "";

    /// <summary>The namespace of a rogue host on the same VLAN.</summary>
    public string Rogue { get; private set; } = "";

    /// <summary>The namespace of the PACS on the clinical network.</summary>
    public string Clinical { get; private set; } = "";

    /// <summary>The gateway's namespace.</summary>
    public string Gateway { get; private set; } = "";

    public string Root => _temp.Path;

    public string DataDirectory => Path.Combine(Root, "gateway", "data");

    /// <summary>Synthetic instances written to disk: CT (allowed) and MR (no flow allows it).</summary>
    public string CtFile { get; private set; } = "";

    public string MrFile { get; private set; } = "";

    public string CtSopInstanceUid { get; } = TestStudies.Instance(1);

    public string MrSopInstanceUid { get; } = TestStudies.Instance(4);

    internal SegmentationPki Pki { get; private set; } = null!;

    /// <summary>The gateway's last output lines, for failure messages.</summary>
    public string GatewayOutput => _gateway?.Output ?? "";

    public async Task InitializeAsync()
    {
        if (NetworkNamespaces.UnavailableReason is not null)
        {
            return;
        }

        try
        {
            await NetworkNamespaces.DeleteStaleAsync();
            await BuildNetworkAsync();
            await WriteInstancesAsync();
            Directory.CreateDirectory(Path.Combine(Root, "pki"));
            Pki = new SegmentationPki(Path.Combine(Root, "pki"), IPAddress.Parse(ClinicalAddress), IPAddress.Parse(PacsAddress));
            _pacs = await StartPacsAsync();
            _gateway = await StartGatewayAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
            _gateway = null;
        }

        if (_pacs is not null)
        {
            await _pacs.DisposeAsync();
            _pacs = null;
        }

        foreach (string name in _namespaces)
        {
            await NetworkNamespaces.DeleteAsync(name);
        }

        _namespaces.Clear();
        _temp.Dispose();
    }

    /// <summary>Runs a program inside a namespace.</summary>
    internal static Task<ToolResult> ExecAsync(string netns, string program, params string[] arguments) => NetworkNamespaces.ExecAsync(netns, program, arguments);

    /// <summary>Asks Orthanc's REST API (loopback inside the clinical namespace) for <paramref name="path"/>.</summary>
    public async Task<JsonNode> PacsRestAsync(string path)
    {
        ToolResult result = (await ExecAsync(Clinical, "curl", "-fsS", "--max-time", "20", $"http://127.0.0.1:{PacsHttpPort.ToString(CultureInfo.InvariantCulture)}/{path}")).EnsureSuccess();
        return JsonNode.Parse(result.StandardOutput)!;
    }

    /// <summary>The SOP Instance UIDs the PACS holds.</summary>
    public async Task<IReadOnlyList<string>> PacsInstanceUidsAsync()
    {
        JsonArray ids = (JsonArray)await PacsRestAsync("instances?expand");
        return [.. ids.Select(i => (string)i!["MainDicomTags"]!["SOPInstanceUID"]!).Order(StringComparer.Ordinal)];
    }

    private async Task BuildNetworkAsync()
    {
        // Unique per run (several test runs may share the machine); the process id lets a later run remove what a
        // killed one left (NetworkNamespaces.DeleteStaleAsync).
        string run = $"{NetworkNamespaces.Prefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        Gateway = await AddNamespaceAsync(run + "-gw");
        Modality = await AddNamespaceAsync(run + "-mod");
        Rogue = await AddNamespaceAsync(run + "-rogue");
        Clinical = await AddNamespaceAsync(run + "-clin");

        // The VLAN: a bridge in the gateway's namespace with both hosts' links on it.
        await NetworkNamespaces.IpAsync("-n", Gateway, "link", "add", VlanInterface, "type", "bridge");
        await NetworkNamespaces.IpAsync("-n", Gateway, "addr", "add", VlanAddress + "/24", "dev", VlanInterface);
        await NetworkNamespaces.IpAsync("-n", Gateway, "link", "set", VlanInterface, "up");
        await ConnectAsync(Modality, "vlan-mod", ModalityAddress, VlanAddress, bridge: VlanInterface);
        await ConnectAsync(Rogue, "vlan-rogue", RogueAddress, VlanAddress, bridge: VlanInterface);

        // The clinical network: one link, the gateway's clinical address on its end.
        await ConnectAsync(Clinical, "clin", PacsAddress, ClinicalAddress, bridge: null);
        await NetworkNamespaces.IpAsync("-n", Gateway, "addr", "add", ClinicalAddress + "/24", "dev", "clin");
        await NetworkNamespaces.IpAsync("-n", Gateway, "link", "set", "clin", "up");
    }

    private async Task<string> AddNamespaceAsync(string name)
    {
        await NetworkNamespaces.IpAsync("netns", "add", name);
        _namespaces.Add(name);
        await NetworkNamespaces.IpAsync("-n", name, "link", "set", "lo", "up");
        return name;
    }

    // A veth pair: eth0 with ADDRESS/24 and a default route via GATEWAY in HOST's namespace, PEER in the gateway's
    // namespace (on BRIDGE when given).
    private async Task ConnectAsync(string host, string peer, string address, string gateway, string? bridge)
    {
        await NetworkNamespaces.IpAsync("link", "add", "eth0", "netns", host, "type", "veth", "peer", "name", peer, "netns", Gateway);
        await NetworkNamespaces.IpAsync("-n", host, "addr", "add", address + "/24", "dev", "eth0");
        await NetworkNamespaces.IpAsync("-n", host, "link", "set", "eth0", "up");
        await NetworkNamespaces.IpAsync("-n", host, "route", "add", "default", "via", gateway);
        if (bridge is not null)
        {
            await NetworkNamespaces.IpAsync("-n", Gateway, "link", "set", peer, "master", bridge);
            await NetworkNamespaces.IpAsync("-n", Gateway, "link", "set", peer, "up");
        }
    }

    private async Task WriteInstancesAsync()
    {
        string ct = Directory.CreateDirectory(Path.Combine(Root, "ct")).FullName;
        string mr = Directory.CreateDirectory(Path.Combine(Root, "mr")).FullName;
        CtFile = await TestStudies.All.Single(i => i.SopInstanceUid == CtSopInstanceUid).WriteAsync(ct);
        MrFile = await TestStudies.All.Single(i => i.SopInstanceUid == MrSopInstanceUid).WriteAsync(mr);
    }

    private async Task<BackgroundTool> StartPacsAsync()
    {
        string directory = Directory.CreateDirectory(Path.Combine(Root, "orthanc")).FullName;
        string storage = Directory.CreateDirectory(Path.Combine(directory, "db")).FullName;
        var config = new JsonObject
        {
            ["Name"] = "segmentation-pacs",
            ["StorageDirectory"] = storage,
            ["IndexDirectory"] = storage,
            ["HttpServerEnabled"] = true,
            ["HttpPort"] = PacsHttpPort,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            ["OrthancExplorerEnabled"] = false,
            ["DicomServerEnabled"] = true,
            ["DicomAet"] = PacsAE,
            ["DicomPort"] = PacsDicomPort,
            ["DicomCheckCalledAet"] = true,
            ["DicomAlwaysAllowEcho"] = true,
            ["DicomAlwaysAllowStore"] = true,
            ["DicomScpTimeout"] = 30,
            ["SaveJobs"] = false,
            ["DicomTlsEnabled"] = true,
            ["DicomTlsCertificate"] = Pki.Pacs.Cert,
            ["DicomTlsPrivateKey"] = Pki.Pacs.Key,
            ["DicomTlsTrustedCertificates"] = Pki.CaFile,
            ["DicomTlsRemoteCertificateRequired"] = true,
        };
        string file = Path.Combine(directory, "orthanc.json");
        await File.WriteAllTextAsync(file, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return await StartInAsync(Clinical, TimeSpan.FromSeconds(60), [PacsDicomPort, PacsHttpPort], "/usr/sbin/Orthanc", file);
    }

    private async Task<BackgroundTool> StartGatewayAsync()
    {
        string root = Directory.CreateDirectory(Path.Combine(Root, "gateway")).FullName;
        string policies = Directory.CreateDirectory(Path.Combine(root, "policies")).FullName;
        await File.WriteAllTextAsync(Path.Combine(policies, "segmentation.yaml"), Policy);
        var settings = new JsonObject
        {
            ["DataDirectory"] = DataDirectory,
            ["AETitle"] = GatewayAE,
            ["PolicyDirectory"] = policies,
            ["Vlan"] = new JsonObject { ["Address"] = VlanAddress, ["Port"] = VlanPort },
            ["Clinical"] = new JsonObject { ["Address"] = ClinicalAddress, ["Port"] = ClinicalPort, ["Tls"] = true },
            ["Https"] = new JsonObject { ["Address"] = ClinicalAddress, ["Port"] = HttpsPort },
            ["Tls"] = new JsonObject
            {
                ["Certificate"] = Pki.Gateway.Cert,
                ["PrivateKey"] = Pki.Gateway.Key,
                ["TrustedCa"] = new JsonArray(Pki.CaFile),
                ["GenerateDevelopmentPki"] = false,
            },
            ["Upstreams"] = new JsonObject
            {
                ["Pacs"] = new JsonObject { ["AETitle"] = PacsAE, ["Host"] = PacsAddress, ["Port"] = PacsDicomPort, ["Tls"] = true, ["TimeoutSeconds"] = 30 },
            },
            ["Routing"] = new JsonObject { ["ForwardTo"] = new JsonArray("Pacs") },
        };
        string configFile = Path.Combine(root, "gateway.json");
        await File.WriteAllTextAsync(configFile, new JsonObject { ["Gateway"] = settings }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        string dll = Path.Combine(AppContext.BaseDirectory, "gateway.dll");
        return await StartInAsync(Gateway, TimeSpan.FromSeconds(120), [VlanPort, ClinicalPort, HttpsPort], "dotnet", dll, "--config", configFile);
    }

    // Starts a server inside a namespace (`ip netns exec` becomes the program, so its process id is the server's) and
    // waits until each of PORTS listens there.
    private static Task<BackgroundTool> StartInAsync(string netns, TimeSpan timeout, int[] ports, string program, params string[] arguments) =>
        BackgroundTool.StartAsync(
            "ip",
            ["netns", "exec", netns, program, .. arguments],
            async () => (await Task.WhenAll(ports.Select(port => NetworkNamespaces.IsListeningAsync(netns, port)))).All(listening => listening),
            timeout,
            $"listen on ports {string.Join(", ", ports)} in {netns}");
}
