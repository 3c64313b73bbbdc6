using System.Collections.Concurrent;
using System.Net;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Services;

namespace Gateway.Dicom.Network.Tests.Support;

/// <summary>
/// Our real <see cref="DicomServer"/> on a free loopback port, serving with <see cref="DimseServiceDispatcher"/> and
/// a <see cref="DirectoryStoreService"/> writing to a temporary directory.
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    private TestServer(DicomServer server, TempDirectory store)
    {
        Server = server;
        Store = store;
    }

    public DicomServer Server { get; }

    public TempDirectory Store { get; }

    public IPEndPoint EndPoint => Server.LocalEndPoint!;

    /// <summary>Every association the server established.</summary>
    public ConcurrentQueue<DicomAssociation> Established { get; } = new();

    /// <summary>The policy used unless a test gives one: Verification, Study Root Q/R, and all storage.</summary>
    public static AssociationAcceptancePolicy DefaultPolicy { get; } = new()
    {
        AETitle = "GATEWAY",
        AbstractSyntaxes = new Dictionary<string, IReadOnlyList<DicomTransferSyntax>>
        {
            [TestPdus.Verification] = [DicomTransferSyntax.ImplicitVRLittleEndian, DicomTransferSyntax.ExplicitVRLittleEndian],
            [TestPdus.StudyRootFind] = [DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.ImplicitVRLittleEndian],
            [TestPdus.StudyRootMove] = [DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.ImplicitVRLittleEndian],
            [TestPdus.StudyRootGet] = [DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.ImplicitVRLittleEndian],
        },
        AcceptAllStorage = true,
    };

    public static async Task<TestServer> StartAsync(
        DicomServerOptions? options = null,
        AssociationAcceptancePolicy? policy = null,
        IFindService? find = null,
        IRetrieveService? retrieve = null)
    {
        var store = new TempDirectory();
        var storeService = new DirectoryStoreService(store.Path);
        options = (options ?? new DicomServerOptions()) with { Port = 0 };
        var server = new DicomServer(options, policy ?? DefaultPolicy, () => new DimseServiceDispatcher(storeService, find, retrieve));
        var result = new TestServer(server, store);
        server.AssociationEstablished += result.Established.Enqueue;
        await server.StartAsync();
        return result;
    }

    /// <summary>Connects our client and requests an association.</summary>
    public Task<DicomAssociation> ConnectAsync(AssociationRequest? request = null, AssociationOptions? options = null, IDimseRequestHandler? handler = null) =>
        DicomClient.ConnectAsync(
            new DicomClientOptions { Host = "127.0.0.1", Port = EndPoint.Port, Association = options ?? AssociationOptions.Default },
            request ?? Request(TestPdus.Verification),
            handler);

    /// <summary>An association request from "SCU" to "GATEWAY" for the abstract syntaxes, offering explicit then implicit VR LE.</summary>
    public static AssociationRequest Request(params string[] abstractSyntaxes) => new()
    {
        CallingAE = "SCU",
        CalledAE = "GATEWAY",
        PresentationContexts = AssociationRequest.PresentationContextsFor(abstractSyntaxes, [DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.ImplicitVRLittleEndian]),
    };

    /// <summary>Waits until the server counts <paramref name="count"/> connections (associations or connections awaiting one).</summary>
    public async Task WaitForActiveAsync(int count)
    {
        using var cts = new CancellationTokenSource(FakePeer.DefaultTimeout);
        while (Server.ActiveAssociations != count)
        {
            await Task.Delay(10, cts.Token);
        }
    }

    /// <summary>Waits until the server has raised <see cref="DicomServer.AssociationEstablished"/> <paramref name="count"/> times.</summary>
    public async Task<DicomAssociation[]> WaitForEstablishedAsync(int count)
    {
        using var cts = new CancellationTokenSource(FakePeer.DefaultTimeout);
        while (Established.Count < count)
        {
            await Task.Delay(10, cts.Token);
        }

        return [.. Established];
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Store.Dispose();
    }

    /// <summary>A fresh association request PDU for a fake peer, as our client would send it.</summary>
    public static AssociateRequestPdu RequestPdu(params PresentationContextProposal[] contexts) => TestPdus.Request("GATEWAY", "FAKE", contexts);
}
