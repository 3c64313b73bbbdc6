using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Pdus;

namespace Gateway.Dicom.Network.Tests.Support;

/// <summary>
/// The other end of a connection, scripted by a test: sends PDUs (or raw bytes) built with our own
/// <see cref="PduWriter"/>, and reads PDUs with its own framing and <see cref="PduReader"/>, recording the length of
/// each one. It does whatever the test tells it, valid or not.
/// </summary>
internal sealed class FakePeer : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private static readonly PduLimits Unlimited = new()
    {
        MaxDataPduLength = uint.MaxValue,
        MaxAssociatePduLength = uint.MaxValue,
    };

    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private FakePeer(Socket socket)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Every PDU received: its type and the length its header declared.</summary>
    public List<(PduType Type, uint Length)> Received { get; } = [];

    /// <summary>Connects, from <paramref name="from"/> when given (any 127.x address on loopback is this host).</summary>
    public static async Task<FakePeer> ConnectAsync(IPEndPoint endPoint, IPAddress? from = null)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (from is not null)
        {
            socket.Bind(new IPEndPoint(from, 0));
        }

        await socket.ConnectAsync(endPoint);
        return new FakePeer(socket);
    }

    internal static FakePeer FromAccepted(Socket socket) => new(socket);

    public Task SendAsync(Pdu pdu) => SendRawAsync(PduWriter.Encode(pdu));

    public async Task SendRawAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Reads the next PDU, or null when the connection closed (or was reset) between PDUs.</summary>
    public async Task<Pdu?> ReceiveAsync(TimeSpan? timeout = null)
    {
        (PduType Type, byte[] Body)? raw = await ReceiveRawAsync(timeout);
        return raw is { } r ? PduReader.Parse(r.Type, r.Body, Unlimited) : null;
    }

    /// <summary>Reads the next PDU and checks it is a <typeparamref name="T"/>.</summary>
    public async Task<T> ReceiveAsync<T>(TimeSpan? timeout = null)
        where T : Pdu
    {
        Pdu? pdu = await ReceiveAsync(timeout);
        return pdu is T t ? t : throw new Xunit.Sdk.XunitException($"expected {typeof(T).Name}, received {(pdu is null ? "end of connection" : PduText.Describe(pdu))}");
    }

    public async Task<(PduType Type, byte[] Body)?> ReceiveRawAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        byte[] header = new byte[6];
        try
        {
            if (!await ReadExactlyOrEndAsync(header, cts.Token))
            {
                return null;
            }
        }
        catch (IOException ex) when (ex is not EndOfStreamException)
        {
            // Reset by the other side.
            return null;
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(2));
        Received.Add(((PduType)header[0], length));
        byte[] body = new byte[checked((int)length)];
        await _stream.ReadExactlyAsync(body, cts.Token);
        return ((PduType)header[0], body);
    }

    /// <summary>True when the other side closes the connection within <paramref name="timeout"/>; PDUs read meanwhile are recorded.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (await _stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Sends A-ASSOCIATE-RQ and expects an A-ASSOCIATE-AC.</summary>
    public async Task<AssociateAcceptPdu> AssociateAsync(AssociateRequestPdu? request = null)
    {
        await SendAsync(request ?? TestPdus.Request());
        return await ReceiveAsync<AssociateAcceptPdu>();
    }

    /// <summary>Sends a command in one PDV.</summary>
    public Task SendCommandAsync(byte contextId, DimseCommand command) =>
        SendAsync(new DataTransferPdu([new PresentationDataValue(contextId, true, true, command.Encode())]));

    /// <summary>Reads P-DATA-TF PDUs until a whole command (and its data set, when it announces one) has arrived.</summary>
    public async Task<(DimseCommand Command, byte[]? DataSet, byte ContextId)> ReceiveMessageAsync(TimeSpan? timeout = null)
    {
        var command = new MemoryStream();
        MemoryStream? dataSet = null;
        DimseCommand? decoded = null;
        byte contextId = 0;
        while (true)
        {
            var pdu = await ReceiveAsync<DataTransferPdu>(timeout);
            foreach (PresentationDataValue pdv in pdu.Values)
            {
                contextId = pdv.PresentationContextId;
                if (pdv.IsCommand)
                {
                    Assert.Null(decoded);
                    command.Write(pdv.Data.Span);
                    if (pdv.IsLast)
                    {
                        decoded = await DimseCommand.DecodeAsync(command.ToArray());
                        if (!decoded.HasDataSet)
                        {
                            return (decoded, null, contextId);
                        }

                        dataSet = new MemoryStream();
                    }
                }
                else
                {
                    Assert.NotNull(dataSet);
                    dataSet.Write(pdv.Data.Span);
                    if (pdv.IsLast)
                    {
                        return (decoded!, dataSet.ToArray(), contextId);
                    }
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
    }

    private async Task<bool> ReadExactlyOrEndAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int n = await _stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (n == 0)
            {
                if (filled == 0)
                {
                    return false;
                }

                throw new EndOfStreamException("the connection closed inside a PDU header");
            }

            filled += n;
        }

        return true;
    }
}
