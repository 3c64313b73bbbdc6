using System.Net;
using System.Net.Sockets;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;

namespace Gateway.Host.Tests.Faults;

/// <summary>
/// Issue 9, load and faults: one address holding connections open without ever associating (Slowloris) or opening
/// them faster than allowed (a flood). The gateway caps that address, keeps serving the devices, and writes one
/// Security Alert per address and limit, not one per refused connection.
/// </summary>
public sealed class GatewayFloodTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task SlowlorisAndFloodFromOneAddress_AreCappedAlertedOnceAndTheModalityStillStores()
    {
        string root = _temp.Sub("gateway");
        IReadOnlyList<(string Uid, string File)> instances = await FaultInstances.WriteAsync(_temp.Sub("source"), 3);
        string data;
        var held = new List<Socket>();
        await using (GatewayProcess gateway = await GatewayProcess.StartAsync(root, new Dictionary<string, string?>
        {
            ["Gateway:Vlan:MaxConnectionsPerAddress"] = "4",
            ["Gateway:Vlan:MaxConnectionsPerMinutePerAddress"] = "30",
        }))
        {
            data = gateway.DataDirectory;
            var endPoint = new IPEndPoint(IPAddress.Loopback, gateway.VlanPort);
            try
            {
                // Slowloris from 127.0.0.2: 4 connections held open, every one after them closed at once.
                for (int i = 0; i < 4; i++)
                {
                    held.Add(await ConnectAsync(IPAddress.Parse("127.0.0.2"), endPoint));
                }

                for (int i = 0; i < 10; i++)
                {
                    using Socket over = await ConnectAsync(IPAddress.Parse("127.0.0.2"), endPoint);
                    Assert.True(await ClosedByPeerAsync(over), $"connection {5 + i} from the Slowloris address must be closed");
                }

                // A flood from 127.0.0.3, one connection at a time (each closed by us, then a pause for the gateway to
                // see it go, so the open-at-once cap stays out of it): the first 30 in the minute are taken, the rest
                // refused. A slow gateway that still counts one as open refuses it under the other cap instead.
                int refused = 0;
                for (int i = 0; i < 60; i++)
                {
                    using Socket flood = await ConnectAsync(IPAddress.Parse("127.0.0.3"), endPoint);
                    if (i >= 30 && await ClosedByPeerAsync(flood))
                    {
                        refused++;
                    }

                    flood.Close();
                    await Task.Delay(50);
                }

                Assert.True(refused >= 25, $"{refused} of the last 30 flood connections refused");

                // The modality (127.0.0.1) stores as if nothing happened.
                StorescuBatch result = await StorescuBatch.SendAsync(gateway.VlanPort, [.. instances.Select(i => i.File)]);
                Assert.True(result.Acknowledged.Count == instances.Count, result.Tool.ToString());
            }
            finally
            {
                held.ForEach(s => s.Dispose());
            }
        }

        IReadOnlyList<string> alerts = await GatewayAuditLog.SearchAsync(data, GatewayAuditLog.SecurityAlert);
        Assert.Single(alerts, a => a.Contains("127.0.0.2", StringComparison.Ordinal) && a.Contains("more than 4 connections open at once", StringComparison.Ordinal));
        Assert.Single(alerts, a => a.Contains("127.0.0.3", StringComparison.Ordinal) && a.Contains("more than 30 new connections per minute", StringComparison.Ordinal));
        Assert.DoesNotContain(alerts, a => a.Contains("127.0.0.1\"", StringComparison.Ordinal));
    }

    private static async Task<Socket> ConnectAsync(IPAddress from, IPEndPoint to)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(from, 0));
        await socket.ConnectAsync(to);
        return socket;
    }

    // True when the gateway closes the connection within a second without a byte sent to it.
    private static async Task<bool> ClosedByPeerAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        byte[] buffer = new byte[64];
        try
        {
            return await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
