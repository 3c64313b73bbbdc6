using System.Globalization;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Dimse;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Host.Tests.Support;

/// <summary>
/// The gateway (<see cref="GatewayApplication"/>) started in-process on free loopback ports, with its data directory and
/// development PKI in a temporary directory and the given settings on top of the embedded defaults.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    public const string AETitle = "GATEWAY";

    private readonly WebApplication _app;

    private GatewayProcess(WebApplication app, string root, int vlanPort, int clinicalPort, int httpsPort)
    {
        _app = app;
        Root = root;
        VlanPort = vlanPort;
        ClinicalPort = clinicalPort;
        HttpsPort = httpsPort;
    }

    public string Root { get; }

    public int VlanPort { get; }

    public int ClinicalPort { get; }

    public int HttpsPort { get; }

    public string Certs => Path.Combine(Root, "certs");

    public string DataDirectory => Path.Combine(Root, "data");

    public IServiceProvider Services => _app.Services;

    /// <summary>Arguments of a DCMTK tool calling the VLAN leg: <c>-aet CALLING -aec GATEWAY 127.0.0.1 PORT</c> goes last.</summary>
    public string[] Vlan(string callingAE = "MODALITY", string calledAE = AETitle) => ["-aet", callingAE, "-aec", calledAE];

    public string VlanPortText => VlanPort.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The policy the tests run under unless they give one: devices MODALITY, CTSCANNER1, MRSCANNER1 and VIEWER on
    /// 127.0.0.1; service "pacs" at the gateway's AE title (echo, store, find, move to VIEWER, get; every storage
    /// class) and service "ris" at GW_MWL (echo, worklist).
    /// </summary>
    public const string DefaultPolicy = """
        version: 1
        mode: enforce
        timezone: UTC
        zones:
          - name: test-vlan
            kind: device
            networks: [127.0.0.0/8]
        peers:
          - name: modality
            zone: test-vlan
            ae-titles: [MODALITY, CTSCANNER1, MRSCANNER1]
            addresses: [127.0.0.1]
          - name: viewer
            zone: test-vlan
            ae-titles: [VIEWER]
            addresses: [127.0.0.1]
        services:
          - name: pacs
            kind: pacs
            ae-title: GATEWAY
          - name: ris
            kind: worklist
            ae-title: GW_MWL
        flows:
          - name: modality-to-pacs
            from: modality
            to: pacs
            operations: [echo, store, find, move, get]
            sop-classes: [all-storage]
            move-destinations: [viewer]
          - name: modality-worklist
            from: modality
            to: ris
            operations: [echo, worklist]
        """;

    public static async Task<GatewayProcess> StartAsync(string root, IDictionary<string, string?>? settings = null, string policy = DefaultPolicy)
    {
        (Dictionary<string, string?> all, int vlan, int clinical, int https) = await PrepareAsync(root, settings, policy);
        WebApplication app = GatewayApplication.Build([], configuration => configuration.AddInMemoryCollection(all));
        await app.StartAsync();
        return new GatewayProcess(app, root, vlan, clinical, https);
    }

    /// <summary>
    /// Writes <paramref name="policy"/> under <paramref name="root"/> and returns the settings of a gateway living there (data
    /// directory, development PKI, policy, free loopback ports) with <paramref name="settings"/> on top, and its ports.
    /// </summary>
    public static async Task<(Dictionary<string, string?> Settings, int Vlan, int Clinical, int Https)> PrepareAsync(
        string root, IDictionary<string, string?>? settings, string policy)
    {
        string policies = Directory.CreateDirectory(Path.Combine(root, "policies")).FullName;
        await File.WriteAllTextAsync(Path.Combine(policies, "test.yaml"), policy);
        int vlan = FreePort.Next();
        int clinical = FreePort.Next();
        int https = FreePort.Next();
        var all = new Dictionary<string, string?>
        {
            ["Gateway:DataDirectory"] = Path.Combine(root, "data"),
            ["Gateway:AETitle"] = AETitle,
            ["Gateway:Vlan:Port"] = vlan.ToString(CultureInfo.InvariantCulture),
            ["Gateway:Clinical:Port"] = clinical.ToString(CultureInfo.InvariantCulture),
            ["Gateway:Https:Port"] = https.ToString(CultureInfo.InvariantCulture),
            ["Gateway:Tls:DevelopmentPkiDirectory"] = Path.Combine(root, "certs"),
            ["Gateway:PolicyDirectory"] = policies,
        };
        foreach ((string key, string? value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return (all, vlan, clinical, https);
    }

    /// <summary>Creates the development PKI that a gateway started in <paramref name="root"/> will use, before it starts (to configure peers with it).</summary>
    public static string CreatePki(string root)
    {
        string certs = Path.Combine(root, "certs");
        Gateway.Host.Pki.DevelopmentPki.EnsureCreated(certs);
        return certs;
    }

    public DimseListeners Listeners => _app.Services.GetRequiredService<DimseListeners>();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
