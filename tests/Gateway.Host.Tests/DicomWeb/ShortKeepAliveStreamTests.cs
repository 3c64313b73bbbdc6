using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Host.DicomWeb;

namespace Gateway.Host.Tests.DicomWeb;

/// <summary>
/// The origin connection's stream reads a response head's <c>Keep-Alive: timeout=1</c> as <c>timeout=2</c>, so that .NET
/// reuses the connection within the second the origin allows, and touches nothing else.
/// </summary>
public sealed class ShortKeepAliveStreamTests
{
    private const string Get = "GET /dicom-web/studies HTTP/1.1\r\nHost: pacs\r\n\r\n";
    private const string Orthanc = "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=1\r\nContent-Length: 31\r\n\r\n";

    // A body that holds what the head held: it must come through byte for byte.
    private const string Body = "\r\nKeep-Alive: timeout=1\r\n\r\nxyz!";

    [Fact]
    public async Task ResponseToAGet_TimeoutOfOneReadAsTwo_BodyUntouched()
    {
        string read = await ExchangeAsync([Get], Orthanc + Body);

        Assert.Equal(Orthanc.Replace("timeout=1", "timeout=2", StringComparison.Ordinal) + Body, read);
    }

    [Theory]
    [InlineData("Keep-Alive: timeout=5\r\n")]
    [InlineData("Keep-Alive: timeout=10\r\n")]
    [InlineData("Keep-Alive: timeout=0\r\n")]
    [InlineData("Keep-Alive: max=1\r\n")]
    [InlineData("X-Keep-Alive: timeout=1\r\n")]
    [InlineData("Server: timeout=1\r\n")]
    public async Task OtherTimeoutsAndHeaders_AreLeftAsTheyAre(string header)
    {
        string response = "HTTP/1.1 200 OK\r\n" + header + "Content-Length: 0\r\n\r\n";

        Assert.Equal(response, await ExchangeAsync([Get], response));
    }

    [Fact]
    public async Task HeaderNameAndParameter_MatchWhateverTheirCase()
    {
        string read = await ExchangeAsync([Get], "HTTP/1.1 200 OK\r\nkeep-alive: max=100, TIMEOUT=1\r\n\r\n");

        Assert.Equal("HTTP/1.1 200 OK\r\nkeep-alive: max=100, TIMEOUT=2\r\n\r\n", read);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(4096)]
    public async Task ReadInPiecesOfAnySize_HeadAtMostRewrittenBodyNeverTouched(int piece)
    {
        string read = await ExchangeAsync([Get], Orthanc + Body, piece);

        Assert.EndsWith(Body, read, StringComparison.Ordinal);
        string head = read[..^Body.Length];
        Assert.Contains(head, new[] { Orthanc, Orthanc.Replace("timeout=1", "timeout=2", StringComparison.Ordinal) });
    }

    [Fact]
    public async Task ValueSplitRightAfterTheDigit_IsLeftAlone()
    {
        // Whether "1" is the whole value is not known before the next byte: the connection is then simply not reused.
        int split = Orthanc.IndexOf("timeout=1", StringComparison.Ordinal) + "timeout=1".Length;
        var reads = new Queue<int>([split, 4096]);

        string read = await ExchangeAsync([Get], Orthanc, reads);

        Assert.Equal(Orthanc, read);
    }

    [Fact]
    public async Task TwoExchangesOnOneConnection_EachHeadIsRead()
    {
        await using var wire = new Wire();
        var stream = new ShortKeepAliveStream(wire);
        string expected = Orthanc.Replace("timeout=1", "timeout=2", StringComparison.Ordinal) + Body;

        for (int i = 0; i < 2; i++)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(Get));
            wire.Answer(Orthanc + Body);
            Assert.Equal(expected, await ReadAllAsync(stream, 4096));
        }
    }

    [Theory]
    [InlineData("POST /dicom-web/studies HTTP/1.1\r\nContent-Length: 4\r\n\r\n")]
    [InlineData("PUT /x HTTP/1.1\r\n\r\n")]
    public async Task AfterAnyOtherRequest_TheConnectionIsNeverScannedAgain(string other)
    {
        await using var wire = new Wire();
        var stream = new ShortKeepAliveStream(wire);

        await stream.WriteAsync(Encoding.ASCII.GetBytes(other));
        wire.Answer(Orthanc);
        Assert.Equal(Orthanc, await ReadAllAsync(stream, 4096));
        await stream.WriteAsync(Encoding.ASCII.GetBytes(Get));
        wire.Answer(Orthanc);
        Assert.Equal(Orthanc, await ReadAllAsync(stream, 4096));
    }

    [Fact]
    public async Task AGetWrittenInTwoParts_TurnsTheScanOff()
    {
        string read = await ExchangeAsync(["GET /dicom-web/", "studies HTTP/1.1\r\n\r\n"], Orthanc);

        Assert.Equal(Orthanc, read);
    }

    [Fact]
    public async Task HeadLongerThanTheLimit_IsNotScannedToItsEnd()
    {
        string padding = "X-Padding: " + new string('a', ShortKeepAliveStream.MaxHeadBytes) + "\r\n";
        string response = "HTTP/1.1 200 OK\r\n" + padding + "Keep-Alive: timeout=1\r\n\r\n";

        Assert.Equal(response, await ExchangeAsync([Get], response));
    }

    [Fact]
    public async Task BareLineFeeds_EndTheHeadToo()
    {
        string response = "HTTP/1.1 200 OK\nKeep-Alive: timeout=1\n\n" + Body;

        Assert.Equal("HTTP/1.1 200 OK\nKeep-Alive: timeout=2\n\n" + Body, await ExchangeAsync([Get], response));
    }

    [Fact]
    public async Task ThroughDotNetsHttpClient_AnOriginWithAOneSecondKeepAlive_IsReachedOnOneConnection()
    {
        await using var origin = await OneSecondKeepAliveOrigin.StartAsync();

        using (var plain = new HttpMessageInvoker(new SocketsHttpHandler()))
        {
            await origin.GetManyAsync(plain, 10);
        }

        int withoutFilter = origin.Connections;
        using (var filtered = new HttpMessageInvoker(new SocketsHttpHandler { PlaintextStreamFilter = ShortKeepAliveStream.FilterAsync }))
        {
            await origin.GetManyAsync(filtered, 10);
            int reused = origin.Connections - withoutFilter;

            // Past the origin's second of idleness it has closed the connection: the next request still succeeds.
            await Task.Delay(TimeSpan.FromSeconds(1.3));
            await origin.GetManyAsync(filtered, 1);

            Assert.Equal(10, withoutFilter);
            Assert.Equal(1, reused);
        }
    }

    private static async Task<string> ExchangeAsync(string[] writes, string response, int piece = 4096) =>
        await ExchangeAsync(writes, response, new Queue<int>(Enumerable.Repeat(piece, response.Length + 1)));

    private static async Task<string> ExchangeAsync(string[] writes, string response, Queue<int> pieces)
    {
        await using var wire = new Wire();
        var stream = new ShortKeepAliveStream(wire);
        foreach (string write in writes)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(write));
        }

        wire.Answer(response);
        var read = new StringBuilder();
        byte[] buffer = new byte[8192];
        while (true)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(0, pieces.Count > 0 ? pieces.Dequeue() : 4096));
            if (n == 0)
            {
                return read.ToString();
            }

            read.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
    }

    private static async Task<string> ReadAllAsync(Stream stream, int piece)
    {
        var read = new StringBuilder();
        byte[] buffer = new byte[piece];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            read.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        return read.ToString();
    }

    /// <summary>A connection's far end: what is written goes nowhere; each answer is read to its end, then EOF.</summary>
    private sealed class Wire : Stream
    {
        private MemoryStream _answer = new();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Answer(string response) => _answer = new MemoryStream(Encoding.ASCII.GetBytes(response));

        public override int Read(byte[] buffer, int offset, int count) => _answer.Read(buffer, offset, count);

        public override void Write(byte[] buffer, int offset, int count)
        {
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>An HTTP/1.1 origin on loopback that answers every GET with <c>Keep-Alive: timeout=1</c> and keeps its word.</summary>
    private sealed class OneSecondKeepAliveOrigin : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private int _connections;

        private OneSecondKeepAliveOrigin(TcpListener listener)
        {
            _listener = listener;
            _accepting = AcceptAsync();
        }

        public int Connections => Volatile.Read(ref _connections);

        private Uri Root => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

        public static Task<OneSecondKeepAliveOrigin> StartAsync()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return Task.FromResult(new OneSecondKeepAliveOrigin(listener));
        }

        public async Task GetManyAsync(HttpMessageInvoker client, int count)
        {
            for (int i = 0; i < count; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Root, "studies"));
                using HttpResponseMessage response = await client.SendAsync(request, CancellationToken.None);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("hello", await response.Content.ReadAsStringAsync());
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            var connections = new List<Task>();
            try
            {
                while (true)
                {
                    TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    connections.Add(ServeAsync(client));
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                await Task.WhenAll(connections).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                NetworkStream stream = client.GetStream();
                byte[] buffer = new byte[4096];
                var head = new StringBuilder();
                while (!_stop.IsCancellationRequested)
                {
                    // Idle for a second: close, as Orthanc does.
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    idle.CancelAfter(TimeSpan.FromSeconds(1));
                    int n;
                    try
                    {
                        n = await stream.ReadAsync(buffer, idle.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    if (n == 0)
                    {
                        return;
                    }

                    head.Append(Encoding.ASCII.GetString(buffer, 0, n));
                    if (head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        head.Clear();
                        await stream.WriteAsync("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=1\r\nContent-Length: 5\r\n\r\nhello"u8.ToArray());
                    }
                }
            }
        }
    }
}
