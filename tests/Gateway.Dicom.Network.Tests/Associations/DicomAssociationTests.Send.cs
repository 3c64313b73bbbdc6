using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Services;
using Gateway.Dicom.Network.Tests.Support;

namespace Gateway.Dicom.Network.Tests.Associations;

/// <summary>Sending messages: a message is never left half-sent (PS3.8 9.3.5.1).</summary>
public sealed partial class DicomAssociationTests
{
    [Fact]
    public async Task SendAsync_CancelledAfterCommandWentOut_StillSendsTheWholeMessage()
    {
        using var acceptor = new FakeAcceptor();
        (DicomAssociation association, FakePeer peer) = await EstablishWithFakeAcceptorAsync(acceptor);
        await using (peer)
        await using (association)
        {
            byte[] data = new byte[50_000];
            new Random(3).NextBytes(data);
            using var cts = new CancellationTokenSource();
            var source = new CallbackStream(data, failAfter: int.MaxValue, onFirstRead: cts.Cancel);

            await association.SendAsync(association.PresentationContexts[0], StoreCommand(1), source, cts.Token);

            (DimseCommand command, byte[]? dataSet, _) = await peer.ReceiveMessageAsync();
            Assert.Equal(DimseCommandField.CStoreRequest, command.CommandField);
            Assert.Equal(data, dataSet);
            Assert.Equal(AssociationState.Sta6Established, association.State);
        }
    }

    [Fact]
    public async Task SendAsync_CancelledBeforeStart_SendsNothing()
    {
        using var acceptor = new FakeAcceptor();
        (DicomAssociation association, FakePeer peer) = await EstablishWithFakeAcceptorAsync(acceptor);
        await using (peer)
        await using (association)
        {
            using var cts = new CancellationTokenSource();
            await cts.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
                await association.SendAsync(association.PresentationContexts[0], StoreCommand(1), new MemoryStream(new byte[10]), cts.Token));

            await association.SendAsync(association.PresentationContexts[0], DicomServerTests.Echo(2), (Stream?)null, CancellationToken.None);
            (DimseCommand next, _, _) = await peer.ReceiveMessageAsync();
            Assert.Equal(2, next.MessageId);
        }
    }

    [Fact]
    public async Task SendAsync_DataSetSourceFailsMidway_AbortsTheAssociation()
    {
        using var acceptor = new FakeAcceptor();
        (DicomAssociation association, FakePeer peer) = await EstablishWithFakeAcceptorAsync(acceptor);
        await using (peer)
        await using (association)
        {
            var source = new CallbackStream(new byte[100_000], failAfter: 40_000, onFirstRead: null);

            await Assert.ThrowsAsync<IOException>(async () =>
                await association.SendAsync(association.PresentationContexts[0], StoreCommand(1), source, CancellationToken.None));

            Pdu? pdu;
            do
            {
                pdu = await peer.ReceiveAsync();
            }
            while (pdu is DataTransferPdu data && !data.Values.Any(v => !v.IsCommand && v.IsLast));

            // The peer never sees the data set end: it sees an A-ABORT instead of waiting for the rest.
            Assert.Equal(new AbortPdu(AbortSource.ServiceUser, AbortReason.NotSpecified), pdu);
            await Assert.ThrowsAsync<DicomAssociationAbortedException>(() => association.EchoAsync());
        }
    }

    [Fact]
    public async Task SendAsync_MessagesFromConcurrentTasks_NeverInterleaveTheirFragments()
    {
        using var acceptor = new FakeAcceptor();
        (DicomAssociation association, FakePeer peer) = await EstablishWithFakeAcceptorAsync(acceptor);
        await using (peer)
        await using (association)
        {
            // As a C-GET's pending response sent while a C-STORE sub-operation goes out on the same association: the
            // command of one message must never land between the command and the data set of another.
            NegotiatedPresentationContext context = association.PresentationContexts[0];
            byte[] data = new byte[3000];
            new Random(5).NextBytes(data);
            Task<List<DimseCommandField>> receiving = Task.Run(async () =>
            {
                var fields = new List<DimseCommandField>();
                for (int i = 0; i < 400; i++)
                {
                    (DimseCommand command, byte[]? dataSet, _) = await peer.ReceiveMessageAsync();
                    Assert.Equal(command.CommandField == DimseCommandField.CStoreRequest, dataSet is not null);
                    fields.Add(command.CommandField);
                }

                return fields;
            });

            for (int i = 0; i < 200; i++)
            {
                using var start = new Barrier(2);
                Task store = Task.Run(async () =>
                {
                    start.SignalAndWait();
                    await association.SendAsync(context, StoreCommand((ushort)(2 * i + 1)), new MemoryStream(data), CancellationToken.None);
                });
                Task echo = Task.Run(async () =>
                {
                    start.SignalAndWait();
                    await association.SendAsync(context, DicomServerTests.Echo((ushort)(2 * i + 2)), (Stream?)null, CancellationToken.None);
                });
                await Task.WhenAll(store, echo);
            }

            List<DimseCommandField> received = await receiving;
            Assert.Equal(200, received.Count(f => f == DimseCommandField.CStoreRequest));
            Assert.Equal(200, received.Count(f => f == DimseCommandField.CEchoRequest));
        }
    }

    private static DimseCommand StoreCommand(ushort messageId) => new(new DicomDataset())
    {
        CommandField = DimseCommandField.CStoreRequest,
        MessageId = messageId,
        AffectedSopClassUid = TestPdus.CTImageStorage,
        AffectedSopInstanceUid = "1.2.3.4.5",
        HasDataSet = true,
    };

    /// <summary>Reads from a buffer; calls back on the first read; throws an I/O error once <c>failAfter</c> bytes were read.</summary>
    private sealed class CallbackStream(byte[] data, int failAfter, Action? onFirstRead) : MemoryStream(data, writable: false)
    {
        private bool _first = true;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_first)
            {
                _first = false;
                onFirstRead?.Invoke();
            }

            if (Position >= failAfter)
            {
                throw new IOException("the source disk failed");
            }

            return base.ReadAsync(buffer[..Math.Min(buffer.Length, 8192)], CancellationToken.None);
        }
    }
}
