using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Services;

namespace Gateway.Dicom.Network.Interop.Tests.Support;

/// <summary>
/// An in-process storage and Query/Retrieve SCP on a free loopback port, wired as <c>gatewayctl dicom scp</c> wires it:
/// a <see cref="DicomServer"/> whose associations a <see cref="DimseServiceDispatcher"/> serves with a
/// <see cref="DirectoryStoreService"/> and a <see cref="DirectoryQueryRetrieveService"/> over the same directory.
/// </summary>
internal sealed class QueryRetrieveHost : IAsyncDisposable
{
    public const string AETitle = "GWQRSCP";

    private readonly DicomServer _server;

    private QueryRetrieveHost(DicomServer server, DirectoryStoreService store, DirectoryQueryRetrieveService service, string directory)
    {
        _server = server;
        Store = store;
        Service = service;
        Directory = directory;
    }

    public DirectoryStoreService Store { get; }

    public DirectoryQueryRetrieveService Service { get; }

    public string Directory { get; }

    public int Port => _server.LocalEndPoint!.Port;

    public string PortText => Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The presentation contexts the CLI's scp accepts besides storage.</summary>
    public static AssociationAcceptancePolicy Policy() => new()
    {
        AETitle = AETitle,
        AcceptAllStorage = true,
        AbstractSyntaxes = new[]
        {
            DicomUids.Verification,
            DicomUids.PatientRootQueryRetrieveInformationModelFind,
            DicomUids.PatientRootQueryRetrieveInformationModelMove,
            DicomUids.PatientRootQueryRetrieveInformationModelGet,
            DicomUids.StudyRootQueryRetrieveInformationModelFind,
            DicomUids.StudyRootQueryRetrieveInformationModelMove,
            DicomUids.StudyRootQueryRetrieveInformationModelGet,
        }.ToDictionary(u => u.Value, _ => (IReadOnlyList<DicomTransferSyntax>)[DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.ImplicitVRLittleEndian]),
    };

    /// <summary>Scans <paramref name="directory"/> and starts listening.</summary>
    /// <param name="directory">Where received instances go and what is served.</param>
    /// <param name="destinations">C-MOVE destinations by AE title.</param>
    /// <param name="server">Listener options (TLS, limits); the port is always a free one.</param>
    /// <param name="policy">The acceptance policy; <see cref="Policy"/> when null.</param>
    public static async Task<QueryRetrieveHost> StartAsync(
        string directory,
        IReadOnlyDictionary<string, DicomClientOptions>? destinations = null,
        DicomServerOptions? server = null,
        AssociationAcceptancePolicy? policy = null)
    {
        var store = new DirectoryStoreService(directory);
        var service = new DirectoryQueryRetrieveService(new DirectoryQueryRetrieveOptions
        {
            Directory = directory,
            AETitle = AETitle,
            MoveDestinations = destinations ?? new Dictionary<string, DicomClientOptions>(),
        });
        service.ObserveStores(store);
        await service.ScanAsync();
        var listener = new DicomServer((server ?? new DicomServerOptions()) with { Port = 0 }, policy ?? Policy(), () => new DimseServiceDispatcher(store, service, service));
        await listener.StartAsync();
        return new QueryRetrieveHost(listener, store, service, directory);
    }

    /// <summary>Common arguments of a DCMTK SCU calling this host: <c>-aet CALLING -aec GWQRSCP</c>.</summary>
    public string[] Calling(string callingAe = "DCMTKSCU") => ["-aet", callingAe, "-aec", AETitle];

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
