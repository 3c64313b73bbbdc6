using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Dicom.Network.Interop.Tests.Support;

/// <summary>
/// Debian's Orthanc (<c>/usr/sbin/Orthanc</c>) started for one test with a generated configuration: loopback REST API,
/// a DICOM port with a checked called AE title, the DICOMweb plugin, the given modalities, and optionally DICOM TLS
/// with a required client certificate.
/// </summary>
internal sealed class OrthancServer : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/Orthanc";
    public const string DicomWebPlugin = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";

    private readonly string _configFile;
    private BackgroundTool? _process;

    private OrthancServer(BackgroundTool process, string configFile, int httpPort, int dicomPort, string aeTitle)
    {
        _process = process;
        _configFile = configFile;
        HttpPort = httpPort;
        DicomPort = dicomPort;
        AETitle = aeTitle;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int HttpPort { get; }

    public int DicomPort { get; }

    public string AETitle { get; }

    public HttpClient Http { get; }

    public string Output => _process?.Output ?? string.Empty;

    /// <summary>Throws with an installation hint unless Orthanc and its DICOMweb plugin are installed.</summary>
    public static void EnsureInstalled()
    {
        if (!File.Exists(Executable) || !File.Exists(DicomWebPlugin))
        {
            throw new InvalidOperationException(
                $"The Orthanc interop tests need {Executable} and {DicomWebPlugin}; install them with `apt-get install orthanc orthanc-dicomweb` (./run-tests does).");
        }
    }

    /// <summary>Starts Orthanc and waits until both its REST API and its DICOM port answer.</summary>
    /// <param name="directory">Its storage and index directory, and where the configuration is written.</param>
    /// <param name="aeTitle">Its AE title (called AE titles are checked).</param>
    /// <param name="modalities">The peers it may C-STORE and C-MOVE to: AE title and port on 127.0.0.1.</param>
    /// <param name="tls">Server certificate, key and trusted CA (PEM) for DICOM TLS, or null for plain DICOM.</param>
    public static async Task<OrthancServer> StartAsync(
        string directory, string aeTitle, IEnumerable<(string AETitle, int Port)> modalities, (string Cert, string Key, string Ca)? tls = null, Action<JsonObject>? configure = null)
    {
        EnsureInstalled();

        // A free port can be taken by another process between FreePort and Orthanc's bind; Orthanc's REST API then never
        // answers. Such a start is retried on fresh ports, twice at most.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnFreePortsAsync(directory, aeTitle, modalities, tls, configure);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    private static async Task<OrthancServer> StartOnFreePortsAsync(
        string directory, string aeTitle, IEnumerable<(string AETitle, int Port)> modalities, (string Cert, string Key, string Ca)? tls, Action<JsonObject>? configure)
    {
        int httpPort = FreePort.Next();
        int dicomPort = FreePort.Next();
        string storage = Directory.CreateDirectory(Path.Combine(directory, "db")).FullName;
        var modalityTable = new JsonObject();
        foreach ((string ae, int port) in modalities)
        {
            modalityTable[ae] = new JsonObject { ["AET"] = ae, ["Host"] = "127.0.0.1", ["Port"] = port };
        }

        var config = new JsonObject
        {
            ["Name"] = "gateway-interop",
            ["StorageDirectory"] = storage,
            ["IndexDirectory"] = storage,
            ["StorageCompression"] = false,
            ["Plugins"] = new JsonArray(DicomWebPlugin),
            ["HttpServerEnabled"] = true,
            ["HttpPort"] = httpPort,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            ["OrthancExplorerEnabled"] = false,
            ["DicomServerEnabled"] = true,
            ["DicomAet"] = aeTitle,
            ["DicomPort"] = dicomPort,
            ["DicomCheckCalledAet"] = true,
            ["DicomAlwaysAllowEcho"] = true,
            ["DicomAlwaysAllowStore"] = true,
            ["DicomAlwaysAllowFind"] = true,
            ["DicomAlwaysAllowMove"] = true,
            ["DicomAlwaysAllowGet"] = true,
            ["DicomScpTimeout"] = 30,
            ["SaveJobs"] = false,
            ["DicomModalities"] = modalityTable,
            ["DicomWeb"] = new JsonObject { ["Enable"] = true, ["Root"] = "/dicom-web/" },
        };
        if (tls is { } t)
        {
            config["DicomTlsEnabled"] = true;
            config["DicomTlsCertificate"] = t.Cert;
            config["DicomTlsPrivateKey"] = t.Key;
            config["DicomTlsTrustedCertificates"] = t.Ca;
            config["DicomTlsRemoteCertificateRequired"] = true;
        }

        configure?.Invoke(config);
        string file = Path.Combine(directory, "orthanc.json");
        await File.WriteAllTextAsync(file, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        BackgroundTool process = await BackgroundTool.StartAsync(Executable, dicomPort, file);
        var server = new OrthancServer(process, file, httpPort, dicomPort, aeTitle);
        await server.WaitForRestAsync();
        return server;
    }

    /// <summary>Kills Orthanc (an outage of the PACS); its storage, configuration and ports stay for <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Starts Orthanc again after <see cref="StopAsync"/>, on the same ports with the same storage, and waits until it answers.</summary>
    public async Task StartAgainAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("Orthanc is running");
        }

        _process = await BackgroundTool.StartAsync(Executable, DicomPort, _configFile);
        await WaitForRestAsync();
    }

    private async Task WaitForRestAsync()
    {
        DateTime end = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            try
            {
                using HttpResponseMessage response = await Http.GetAsync("system");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (DateTime.UtcNow > end)
            {
                string output = Output;
                await DisposeAsync();
                throw new InvalidOperationException($"Orthanc's REST API did not answer within 15 s:{Environment.NewLine}{output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The SOP Instance UIDs of every instance Orthanc holds.</summary>
    public async Task<IReadOnlyList<string>> InstanceUidsAsync()
    {
        JsonArray ids = (await Http.GetFromJsonAsync<JsonArray>("instances"))!;
        var uids = new List<string>();
        foreach (JsonNode? id in ids)
        {
            JsonObject tags = (await Http.GetFromJsonAsync<JsonObject>($"instances/{id}/simplified-tags"))!;
            uids.Add((string)tags["SOPInstanceUID"]!);
        }

        uids.Sort(StringComparer.Ordinal);
        return uids;
    }

    /// <summary>The stored file of the instance with <paramref name="sopInstanceUid"/>, as Orthanc serves it.</summary>
    public async Task<byte[]> InstanceFileAsync(string sopInstanceUid)
    {
        using var content = JsonContent.Create(new JsonObject { ["Level"] = "Instance", ["Query"] = new JsonObject { ["SOPInstanceUID"] = sopInstanceUid } });
        using HttpResponseMessage found = await Http.PostAsync("tools/find", content);
        found.EnsureSuccessStatusCode();
        JsonArray ids = (await found.Content.ReadFromJsonAsync<JsonArray>())!;
        Assert.Single(ids);
        return await Http.GetByteArrayAsync($"instances/{ids[0]}/file");
    }

    public string PortText => DicomPort.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await StopAsync();
    }
}
