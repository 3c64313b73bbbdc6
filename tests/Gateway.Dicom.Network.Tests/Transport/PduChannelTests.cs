using System.Buffers.Binary;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Tests.Support;
using Gateway.Dicom.Network.Transport;

namespace Gateway.Dicom.Network.Tests.Transport;

public sealed class PduChannelTests
{
    [Fact]
    public async Task ReadPduAsync_PduDeclaring4GB_RejectedFromHeaderAloneWithoutAllocating()
    {
        // Only the 6-byte header arrives; the stream stays open. The limit check must not wait for (or size a buffer by) the body.
        var stream = new ScriptedStream([[0x04, 0x00, 0xFF, 0xFF, 0xFF, 0xFF]], endAfterChunks: false);
        await using var channel = new PduChannel(stream, PduLimits.Default);

        long before = GC.GetAllocatedBytesForCurrentThread();
        ValueTask<Pdu?> read = channel.ReadPduAsync(CancellationToken.None);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(read.IsCompleted, "the read must fail from the header, without waiting for more bytes");
        var ex = await Assert.ThrowsAsync<DicomProtocolException>(async () => await read);
        Assert.Equal(AbortReason.InvalidPduParameterValue, ex.Reason);
        Assert.True(allocated < 1024 * 1024, $"{allocated} bytes allocated");
    }

    [Fact]
    public async Task ReadPduAsync_UnknownType_IsUnrecognizedPdu()
    {
        var stream = new ScriptedStream([System.Text.Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n")], endAfterChunks: false);
        await using var channel = new PduChannel(stream, PduLimits.Default);

        var ex = await Assert.ThrowsAsync<DicomProtocolException>(async () => await channel.ReadPduAsync(CancellationToken.None));

        Assert.Equal(AbortReason.UnrecognizedPdu, ex.Reason);
    }

    [Theory]
    [InlineData(3)] // inside the header
    [InlineData(6)] // header only
    [InlineData(40)] // inside the body
    public async Task ReadPduAsync_ConnectionClosedInsidePdu_IsProtocolError(int received)
    {
        byte[] pdu = PduWriter.Encode(TestPdus.Request());
        var stream = new ScriptedStream([pdu[..received]], endAfterChunks: true);
        await using var channel = new PduChannel(stream, PduLimits.Default);

        var ex = await Assert.ThrowsAsync<DicomProtocolException>(async () => await channel.ReadPduAsync(CancellationToken.None));

        Assert.Equal(AbortReason.InvalidPduParameterValue, ex.Reason);
    }

    [Fact]
    public async Task ReadPduAsync_ConnectionClosedBetweenPdus_ReturnsNull()
    {
        var stream = new ScriptedStream([PduWriter.Encode(ReleaseRequestPdu.Instance)], endAfterChunks: true);
        await using var channel = new PduChannel(stream, PduLimits.Default);

        Assert.IsType<ReleaseRequestPdu>(await channel.ReadPduAsync(CancellationToken.None));
        Assert.Null(await channel.ReadPduAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ReadPduAsync_PdusSplitIntoSingleBytesAndJoinedInOneRead_AllReadInOrder()
    {
        byte[] rq = PduWriter.Encode(TestPdus.Request());
        byte[] data = PduWriter.Encode(new DataTransferPdu([new PresentationDataValue(1, true, true, new byte[] { 1, 2, 3 })]));
        byte[] release = PduWriter.Encode(ReleaseRequestPdu.Instance);
        byte[] abort = PduWriter.Encode(new AbortPdu(AbortSource.ServiceUser, AbortReason.NotSpecified));
        var chunks = rq.Select(b => new[] { b }).ToList();
        chunks.Add([.. data, .. release, .. abort]);
        var stream = new ScriptedStream(chunks, endAfterChunks: true);
        await using var channel = new PduChannel(stream, PduLimits.Default);

        Assert.Equal(PduText.Describe(TestPdus.Request()), PduText.Describe((await channel.ReadPduAsync(CancellationToken.None))!));
        var pd = Assert.IsType<DataTransferPdu>(await channel.ReadPduAsync(CancellationToken.None));
        Assert.Equal([1, 2, 3], pd.Values[0].Data.ToArray());
        Assert.IsType<ReleaseRequestPdu>(await channel.ReadPduAsync(CancellationToken.None));
        Assert.IsType<AbortPdu>(await channel.ReadPduAsync(CancellationToken.None));
        Assert.Null(await channel.ReadPduAsync(CancellationToken.None));
        Assert.Equal(rq.Length + data.Length + release.Length + abort.Length, channel.BytesReceived);
    }

    [Fact]
    public async Task ReadPduAsync_SilentPeer_HonoursCancellation()
    {
        var stream = new ScriptedStream([[0x04, 0x00]], endAfterChunks: false);
        await using var channel = new PduChannel(stream, PduLimits.Default);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await channel.ReadPduAsync(cts.Token));
    }

    public static TheoryData<uint, int> FragmentCases() => new()
    {
        { 4096, 0 },
        { 4096, 1 },
        { 4096, 4090 },
        { 4096, 4091 },
        { 4096, 100_000 },
        { 4097, 100_001 },
        { 16384, 100_000 },
        { 0, 3 * 1024 * 1024 },
        { 1, 1000 },
    };

    [Theory]
    [MemberData(nameof(FragmentCases))]
    public async Task WriteMessagePartAsync_EveryPduWithinPeerMaximumAndLastFlagOnlyOnLast(uint maxPduLength, int dataLength)
    {
        byte[] data = new byte[dataLength];
        new Random(dataLength).NextBytes(data);
        var output = new MemoryStream();
        await using var channel = new PduChannel(output, PduLimits.Default);
        var source = new MemoryStream(data);

        await channel.WriteMessagePartAsync(3, isCommand: false, source.ReadAsync, maxPduLength, CancellationToken.None);

        byte[] written = output.ToArray();
        var pdus = SplitPdus(written);
        Assert.NotEmpty(pdus);
        uint limit = maxPduLength switch
        {
            0 => uint.MaxValue,
            < 64 => 64, // our floor for absurdly small peer maxima
            _ => maxPduLength,
        };
        var reassembled = new MemoryStream();
        for (int i = 0; i < pdus.Count; i++)
        {
            (byte type, byte[] body) = pdus[i];
            Assert.Equal(0x04, type);
            Assert.True((uint)body.Length <= limit, $"PDU {i} has {body.Length} bytes, over the peer's {maxPduLength}");
            var pd = (DataTransferPdu)PduReader.Parse(PduType.DataTransfer, body, new PduLimits { MaxDataPduLength = uint.MaxValue });
            PresentationDataValue pdv = Assert.Single(pd.Values);
            Assert.Equal(3, pdv.PresentationContextId);
            Assert.False(pdv.IsCommand);
            Assert.Equal(i == pdus.Count - 1, pdv.IsLast);
            reassembled.Write(pdv.Data.Span);
        }

        Assert.True(data.AsSpan().SequenceEqual(reassembled.ToArray()));
        Assert.Equal(written.Length, channel.BytesSent);
    }

    [Fact]
    public async Task WriteMessagePartAsync_Command_SetsCommandBitOnEveryFragment()
    {
        var output = new MemoryStream();
        await using var channel = new PduChannel(output, PduLimits.Default);
        var source = new MemoryStream(new byte[300]);

        await channel.WriteMessagePartAsync(1, isCommand: true, source.ReadAsync, 128, CancellationToken.None);

        var headers = SplitPdus(output.ToArray()).Select(p => p.Body[5]).ToList();
        Assert.True(headers.Count > 2);
        Assert.All(headers[..^1], h => Assert.Equal(0x01, h));
        Assert.Equal(0x03, headers[^1]);
    }

    private static List<(byte Type, byte[] Body)> SplitPdus(byte[] bytes)
    {
        var result = new List<(byte, byte[])>();
        int at = 0;
        while (at < bytes.Length)
        {
            int length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at + 2)));
            result.Add((bytes[at], bytes.AsSpan(at + 6, length).ToArray()));
            at += 6 + length;
        }

        return result;
    }
}
