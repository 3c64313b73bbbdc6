using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Gateway.Dicom.Network;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Services;

namespace Gateway.LoadTest;

/// <summary>Hostile peers from one address: Slowloris and an association flood, each reporting what the gateway did.</summary>
internal static class Attacks
{
    /// <summary>
    /// Keeps up to <see cref="LoadOptions.Connections"/> connections that send an A-ASSOCIATE-RQ header and then one
    /// byte every five seconds, reopening any the gateway closes, for the duration.
    /// </summary>
    public static async Task SlowlorisAsync(LoadOptions options, TextWriter output)
    {
        IPAddress from = options.From ?? throw new ArgumentException("slowloris needs --from ADDRESS");
        using var stop = new CancellationTokenSource(options.Duration);
        int open = 0, peak = 0;
        long attempts = 0, closedByGateway = 0;
        async Task HoldAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(from, 0));
                    Interlocked.Increment(ref attempts);
                    await socket.ConnectAsync(options.Host, options.Port, stop.Token);
                    int now = Interlocked.Increment(ref open);
                    InterlockedMax(ref peak, now);
                    try
                    {
                        // A-ASSOCIATE-RQ, length 205, then a trickle that never completes it.
                        await socket.SendAsync(new byte[] { 0x01, 0x00, 0x00, 0x00, 0x00, 0xCD }, stop.Token);
                        var probe = new byte[1];
                        while (!stop.IsCancellationRequested)
                        {
                            using var tick = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                            tick.CancelAfter(TimeSpan.FromSeconds(5));
                            try
                            {
                                if (await socket.ReceiveAsync(probe, tick.Token) == 0)
                                {
                                    break;
                                }
                            }
                            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                            {
                                await socket.SendAsync(new byte[] { 0x00 }, stop.Token);
                            }
                        }

                        if (!stop.IsCancellationRequested)
                        {
                            Interlocked.Increment(ref closedByGateway);
                        }
                    }
                    finally
                    {
                        Interlocked.Decrement(ref open);
                    }
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (SocketException)
                {
                    Interlocked.Increment(ref closedByGateway);
                }

                await Task.Delay(100, CancellationToken.None);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, options.Connections).Select(_ => Task.Run(HoldAsync)));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"slowloris from {from}: {options.Connections} tried to hold, {attempts} connects, at most {peak} open at once, {closedByGateway} closed by the gateway"));
    }

    /// <summary>Associates, echoes and releases as fast as <see cref="LoadOptions.Connections"/> loops can, for the duration.</summary>
    public static async Task FloodAsync(LoadOptions options, TextWriter output)
    {
        IPAddress from = options.From ?? throw new ArgumentException("flood needs --from ADDRESS");
        using var stop = new CancellationTokenSource(options.Duration);
        long echoed = 0, rejected = 0, refused = 0;
        var client = new DicomClientOptions { Host = options.Host, Port = options.Port, LocalAddress = from };
        var request = new AssociationRequest
        {
            CallingAE = options.AEPrefix + "FLOOD",
            CalledAE = options.CalledAE,
            PresentationContexts = AssociationRequest.PresentationContextsFor([Gateway.Dicom.DicomUids.Verification.Value], [Gateway.Dicom.DicomTransferSyntax.ImplicitVRLittleEndian]),
        };
        async Task LoopAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await using DicomAssociation association = await DicomClient.ConnectAsync(client, request, cancellationToken: stop.Token);
                    await association.EchoAsync(stop.Token);
                    await association.ReleaseAsync(stop.Token);
                    Interlocked.Increment(ref echoed);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (DicomAssociationRejectedException)
                {
                    Interlocked.Increment(ref rejected);
                }
                catch (Exception ex) when (ex is DicomAssociationAbortedException or SocketException or IOException or TimeoutException or DicomProtocolException)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Min(options.Connections, 64)).Select(_ => Task.Run(LoopAsync)));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"flood from {from} for {options.Duration.TotalSeconds:0} s: {echoed} associations served, {rejected} rejected, {refused} closed or aborted"));
    }

    /// <summary>Sends one instance padded to <see cref="LoadOptions.Bytes"/> and reports the status.</summary>
    public static async Task<int> OversizeAsync(LoadOptions options, Gateway.Dicom.Model.DicomDataset template, TextWriter output)
    {
        string sopClass = template.GetString(Gateway.Dicom.DicomTags.SOPClassUID)!;
        var client = new DicomClientOptions { Host = options.Host, Port = options.Port, LocalAddress = options.From };
        var request = new AssociationRequest
        {
            CallingAE = options.AEPrefix + "01",
            CalledAE = options.CalledAE,
            PresentationContexts = AssociationRequest.PresentationContextsFor([sopClass], [Gateway.Dicom.DicomTransferSyntax.ExplicitVRLittleEndian]),
        };
        var buffer = new MemoryStream();
        await using (var writer = new Gateway.Dicom.IO.DicomStreamWriter(buffer, Gateway.Dicom.DicomEncoding.ExplicitLittleEndian))
        {
            await Gateway.Dicom.IO.DicomDatasetWriter.WriteAsync(writer, template);
        }

        // Padding: a private OB element carries the rest.
        long pad = Math.Max(0, options.Bytes - buffer.Length - 40);
        var padded = new Gateway.Dicom.Model.DicomDataset();
        foreach (Gateway.Dicom.Model.DicomItem item in template)
        {
            padded.Set(item);
        }

        padded.SetString(new Gateway.Dicom.DicomTag(0x0009, 0x0010), Gateway.Dicom.DicomVR.LO, "GATEWAY LOAD TEST");
        padded.Set(new Gateway.Dicom.Model.DicomElement(new Gateway.Dicom.DicomTag(0x0009, 0x1000), Gateway.Dicom.DicomVR.OB, new byte[pad & ~1L]));
        string uid = "2.25." + new System.Numerics.BigInteger(Guid.NewGuid().ToByteArray(), isUnsigned: true).ToString(CultureInfo.InvariantCulture);
        padded.SetString(Gateway.Dicom.DicomTags.SOPInstanceUID, Gateway.Dicom.DicomVR.UI, uid);
        buffer.SetLength(0);
        await using (var writer = new Gateway.Dicom.IO.DicomStreamWriter(buffer, Gateway.Dicom.DicomEncoding.ExplicitLittleEndian))
        {
            await Gateway.Dicom.IO.DicomDatasetWriter.WriteAsync(writer, padded);
        }

        buffer.Position = 0;
        await using DicomAssociation association = await DicomClient.ConnectAsync(client, request);
        Dicom.Network.Associations.DimseResponse response = await DicomStoreSender.StoreAsync(association, sopClass, uid, Gateway.Dicom.DicomTransferSyntax.ExplicitVRLittleEndian, buffer);
        await association.ReleaseAsync();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"oversize: {buffer.Length} bytes as {uid}: status {response.Status.Code:X4} {response.Command.ErrorComment}"));
        return response.Status.Code;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
