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
    public string[] Vlan(string callingAE = "MODALITY") => ["-aet", callingAE, "-aec", AETitle];

    public string VlanPortText => VlanPort.ToString(CultureInfo.InvariantCulture);

    public static async Task<GatewayProcess> StartAsync(string root, IDictionary<string, string?>? settings = null)
    {
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
        };
        foreach ((string key, string? value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        WebApplication app = GatewayApplication.Build([], configuration => configuration.AddInMemoryCollection(all));
        await app.StartAsync();
        return new GatewayProcess(app, root, vlan, clinical, https);
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
