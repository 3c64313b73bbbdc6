using System.Net;
using System.Net.Sockets;
using Gateway.Dicom.Network.Associations;

namespace Gateway.Dicom.Network.Tests.Support;

/// <summary>A listening socket on a free loopback port whose connections become <see cref="FakePeer"/>s: the acceptor our client talks to.</summary>
internal sealed class FakeAcceptor : IDisposable
{
    private readonly Socket _listener;

    public FakeAcceptor()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public IPEndPoint EndPoint { get; }

    public DicomClientOptions ClientOptions(AssociationOptions? association = null) => new()
    {
        Host = "127.0.0.1",
        Port = EndPoint.Port,
        Association = association ?? AssociationOptions.Default,
    };

    public async Task<FakePeer> AcceptAsync()
    {
        using var cts = new CancellationTokenSource(FakePeer.DefaultTimeout);
        Socket socket = await _listener.AcceptAsync(cts.Token);
        return FakePeer.FromAccepted(socket);
    }

    public void Dispose() => _listener.Dispose();
}
