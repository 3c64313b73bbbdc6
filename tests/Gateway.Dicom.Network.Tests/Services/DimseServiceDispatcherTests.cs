using System.Runtime.CompilerServices;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Services;
using Gateway.Dicom.Network.Tests.Support;

namespace Gateway.Dicom.Network.Tests.Services;

/// <summary>C-FIND, C-MOVE, C-GET and unknown commands through our client and our server.</summary>
public sealed class DimseServiceDispatcherTests
{
    [Fact]
    public async Task Find_ManyMatches_EachAsPendingThenSuccess()
    {
        var find = new FakeFind(matches: 2000, blockAfter: int.MaxValue);
        await using TestServer server = await TestServer.StartAsync(find: find);
        await using DicomAssociation association = await server.ConnectAsync(TestServer.Request(TestPdus.StudyRootFind));

        var responses = new List<DimseResponse>();
        await foreach (DimseResponse response in association.FindAsync(TestPdus.StudyRootFind, StudyQuery()))
        {
            responses.Add(response);
        }

        Assert.Equal(2001, responses.Count);
        Assert.All(responses[..^1], r => Assert.Equal(DimseStatus.Pending, r.Status));
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => $"P{i}"), responses[..^1].Select(r => r.DataSet!.GetString(DicomTags.PatientID)));
        Assert.Equal(DimseStatus.Success, responses[^1].Status);
        Assert.Null(responses[^1].DataSet);
        Assert.Equal("STUDY", find.LastQuery?.GetString(DicomTags.QueryRetrieveLevel));
        await association.ReleaseAsync();
    }

    [Fact]
    public async Task Find_SlowReaderWithASmallResponseQueue_HoldsTheServerBackAndStillGetsEveryMatchInOrder()
    {
        // 1000 matches of 64 KiB (64 MiB): far more than loopback socket buffers hold, so only the client's reading
        // can let the server go on; a client that queued every response would let the server run to the end.
        var find = new FakeFind(matches: 1000, blockAfter: int.MaxValue) { Padding = 64 * 1024 };
        await using TestServer server = await TestServer.StartAsync(find: find);
        await using DicomAssociation association = await server.ConnectAsync(
            TestServer.Request(TestPdus.StudyRootFind), AssociationOptions.Default with { MaxQueuedResponses = 4 });

        await using IAsyncEnumerator<DimseResponse> responses = association.FindAsync(TestPdus.StudyRootFind, StudyQuery()).GetAsyncEnumerator();
        Assert.True(await responses.MoveNextAsync());
        int yielded = await SettledAsync(() => find.Yielded);
        var patients = new List<string?> { responses.Current.DataSet!.GetString(DicomTags.PatientID) };
        DimseResponse last = responses.Current;
        while (await responses.MoveNextAsync())
        {
            last = responses.Current;
            patients.Add(last.DataSet?.GetString(DicomTags.PatientID));
        }

        Assert.True(yielded < 1000, $"the server yielded {yielded} of 1000 matches while the client read one");
        Assert.Equal([.. Enumerable.Range(0, 1000).Select(i => $"P{i}"), null], patients);
        Assert.Equal(DimseStatus.Success, last.Status);
        await association.ReleaseAsync();
    }

    [Fact]
    public async Task Find_ReaderStopsEarlyWhileTheQueueIsFull_TheAssociationGoesOn()
    {
        var find = new FakeFind(matches: 300, blockAfter: int.MaxValue) { Padding = 16 * 1024 };
        await using TestServer server = await TestServer.StartAsync(find: find);
        await using DicomAssociation association = await server.ConnectAsync(
            TestServer.Request(TestPdus.Verification, TestPdus.StudyRootFind), AssociationOptions.Default with { MaxQueuedResponses = 2 });

        await foreach (DimseResponse response in association.FindAsync(TestPdus.StudyRootFind, StudyQuery()))
        {
            await SettledAsync(() => find.Yielded);
            break;
        }

        // The rest of the answer is dropped as it arrives; the association is then free for the next request.
        Assert.Equal(DimseStatus.Success, await association.EchoAsync());
        await association.ReleaseAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Find_ClientCancelsMidway_SendsCCancelAndFinalStatusIsCancel(bool handlersOnReceiveThread)
    {
        // With handlers on the receive thread, the C-CANCEL must still be read while the find handler is at work.
        var find = new FakeFind(matches: 10_000, blockAfter: 20);
        await using TestServer server = await TestServer.StartAsync(ServerOptions(handlersOnReceiveThread), find: find);
        await using DicomAssociation association = await server.ConnectAsync(TestServer.Request(TestPdus.StudyRootFind, TestPdus.Verification));
        using var cts = new CancellationTokenSource();

        var responses = new List<DimseResponse>();
        await foreach (DimseResponse response in association.FindAsync(TestPdus.StudyRootFind, StudyQuery(), cts.Token))
        {
            responses.Add(response);
            if (responses.Count == 5)
            {
                await cts.CancelAsync();
            }
        }

        // PS3.4 C.4.1.3.1 / PS3.7 9.1.2.1.6: after C-CANCEL-RQ the SCP ends with status Cancel (FE00).
        Assert.Equal(DimseStatus.Cancel, responses[^1].Status);
        Assert.InRange(responses.Count, 6, 21);
        Assert.All(responses[..^1], r => Assert.Equal(DimseStatus.Pending, r.Status));
        Assert.True(await find.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)), "the C-CANCEL reached the find service");
        Assert.True(find.Yielded < 10_000);

        // The association is still in step.
        Assert.Equal(DimseStatus.Success, await association.EchoAsync());
        await association.ReleaseAsync();
    }

    [Fact]
    public async Task Find_ServiceSetsPendingWarning_ThoseMatchesGoOutAsFF01()
    {
        var find = new FakeFind(matches: 4, blockAfter: int.MaxValue) { WarnFrom = 2 };
        await using TestServer server = await TestServer.StartAsync(find: find);
        await using DicomAssociation association = await server.ConnectAsync(TestServer.Request(TestPdus.StudyRootFind));

        var responses = new List<DimseResponse>();
        await foreach (DimseResponse response in association.FindAsync(TestPdus.StudyRootFind, StudyQuery()))
        {
            responses.Add(response);
        }

        Assert.Equal([DimseStatus.Pending, DimseStatus.Pending, DimseStatus.PendingWarning, DimseStatus.PendingWarning, DimseStatus.Success], responses.Select(r => r.Status));
        Assert.Equal(["P0", "P1", "P2", "P3"], responses[..^1].Select(r => r.DataSet!.GetString(DicomTags.PatientID)));
        await association.ReleaseAsync();
    }

    [Fact]
    public async Task Find_ServiceFails_FinalStatusWithComment()
    {
        var find = new FakeFind(matches: 3, blockAfter: int.MaxValue) { FailWith = new DimseStatus(0xA700) };
        await using TestServer server = await TestServer.StartAsync(find: find);
        await using DicomAssociation association = await server.ConnectAsync(TestServer.Request(TestPdus.StudyRootFind));

        var responses = new List<DimseResponse>();
        await foreach (DimseResponse response in association.FindAsync(TestPdus.StudyRootFind, StudyQuery()))
        {
            responses.Add(response);
        }

        Assert.Equal(4, responses.Count);
        Assert.Equal(new DimseStatus(0xA700), responses[^1].Status);
        Assert.Equal("out of resources", responses[^1].Command.ErrorComment);
        await association.ReleaseAsync();
    }

    [Fact]
    public async Task Find_NoFindService_SopClassNotSupported()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using DicomAssociation association = await server.ConnectAsync(TestServer.Request(TestPdus.StudyRootFind));

        var responses = new List<DimseResponse>();
        await foreach (DimseResponse response in association.FindAsync(TestPdus.StudyRootFind, StudyQuery()))
        {
            responses.Add(response);
        }

        Assert.Equal(DimseStatus.SopClassNotSupported, Assert.Single(responses).Status);
        await association.ReleaseAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Get_WithRoleSelection_SubOperationsStoredOnRequesterThroughOurServer(bool handlersOnReceiveThread)
    {
        // With handlers on the receive thread on both sides, the C-GET handler awaits the sub-operations' responses, which
        // the same thread must go on receiving, and the requester stores each sub-operation on its receive thread.
        using var source = new TempDirectory();
        string[] files =
        [
            await TestFiles.CreateAsync(source.File("a.dcm"), TestPdus.CTImageStorage, "1.2.826.0.1.3680043.9.7.1", 10_000),
            await TestFiles.CreateAsync(source.File("b.dcm"), TestPdus.CTImageStorage, "1.2.826.0.1.3680043.9.7.2", 300_000),
            await TestFiles.CreateAsync(source.File("c.dcm"), TestPdus.CTImageStorage, "1.2.826.0.1.3680043.9.7.3", 1),
        ];
        var retrieve = new FakeRetrieve(files);
        await using TestServer server = await TestServer.StartAsync(ServerOptions(handlersOnReceiveThread), retrieve: retrieve);
        using var received = new TempDirectory();
        AssociationRequest request = TestServer.Request(TestPdus.StudyRootGet, TestPdus.CTImageStorage) with
        {
            // PS3.4 C.4.3 / PS3.7 D.3.3.4: the C-GET requester takes the SCP role of the storage class.
            RoleSelections = [new RoleSelection(TestPdus.CTImageStorage, false, true)],
        };
        await using DicomAssociation association = await server.ConnectAsync(
            request,
            AssociationOptions.Default with { RunHandlersOnReceiveThread = handlersOnReceiveThread },
            new DimseServiceDispatcher(new DirectoryStoreService(received.Path)));

        var responses = new List<DimseResponse>();
        await foreach (DimseResponse response in association.GetAsync(TestPdus.StudyRootGet, StudyQuery()))
        {
            responses.Add(response);
        }

        Assert.Equal([DimseStatus.Pending, DimseStatus.Pending, DimseStatus.Success], responses.Select(r => r.Status));
        Assert.Equal([(ushort?)2, (ushort?)1], responses[..^1].Select(r => r.Command.RemainingSubOperations));
        Assert.Equal((ushort)3, responses[^1].Command.CompletedSubOperations);
        Assert.Equal((ushort)0, responses[^1].Command.FailedSubOperations);
        Assert.Null(responses[^1].Command.RemainingSubOperations);
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, association.FindAcceptedContext(TestPdus.CTImageStorage)?.TransferSyntax);
        foreach (string file in files)
        {
            string uid = Path.GetFileNameWithoutExtension(file) switch { "a" => "1", "b" => "2", _ => "3" };
            string stored = received.File($"1.2.826.0.1.3680043.9.7.{uid}.dcm");
            Assert.True(File.Exists(stored));
            Assert.Equal(await TestFiles.DatasetBytesAsync(file), await TestFiles.DatasetBytesAsync(stored));
        }

        Assert.Equal([DimseStatus.Success, DimseStatus.Success, DimseStatus.Success], retrieve.SubOperationStatuses);
        await association.ReleaseAsync();
    }

    [Fact]
    public async Task Move_FakeRetrieve_PendingCountsThenWarningWithFailedList()
    {
        var retrieve = new FakeRetrieve([]) { MoveFails = ["1.2.3.9"] };
        await using TestServer server = await TestServer.StartAsync(retrieve: retrieve);
        await using DicomAssociation association = await server.ConnectAsync(TestServer.Request(TestPdus.StudyRootMove));

        var responses = new List<DimseResponse>();
        await foreach (DimseResponse response in association.MoveAsync(TestPdus.StudyRootMove, StudyQuery(), "ARCHIVE"))
        {
            responses.Add(response);
        }

        Assert.Equal("ARCHIVE", retrieve.LastDestination);
        Assert.Equal([DimseStatus.Pending, DimseStatus.Pending, DimseStatus.SubOperationsWarning], responses.Select(r => r.Status));
        Assert.Equal([(ushort?)2, (ushort?)1], responses[..^1].Select(r => r.Command.RemainingSubOperations));
        DimseResponse final = responses[^1];
        Assert.Equal((ushort)2, final.Command.CompletedSubOperations);
        Assert.Equal((ushort)1, final.Command.FailedSubOperations);
        Assert.Equal(["1.2.3.9"], final.DataSet!.GetStrings(DicomTags.FailedSOPInstanceUIDList));
        await association.ReleaseAsync();
    }

    [Fact]
    public async Task Move_UnknownDestination_FinalStatusA801()
    {
        var retrieve = new FakeRetrieve([]);
        await using TestServer server = await TestServer.StartAsync(retrieve: retrieve);
        await using DicomAssociation association = await server.ConnectAsync(TestServer.Request(TestPdus.StudyRootMove));

        var responses = new List<DimseResponse>();
        await foreach (DimseResponse response in association.MoveAsync(TestPdus.StudyRootMove, StudyQuery(), "NOWHERE"))
        {
            responses.Add(response);
        }

        Assert.Equal(DimseStatus.MoveDestinationUnknown, Assert.Single(responses).Status);
        await association.ReleaseAsync();
    }

    [Fact]
    public async Task UnknownCommandField_RespondsUnrecognizedOperation0211()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using DicomAssociation association = await server.ConnectAsync();
        NegotiatedPresentationContext context = association.FindAcceptedContext(TestPdus.Verification)!;
        var command = new DimseCommand(new DicomDataset())
        {
            CommandField = (DimseCommandField)0x0120, // N-SET-RQ: a DIMSE-N service we do not serve
            MessageId = association.NextMessageId(),
            AffectedSopClassUid = TestPdus.Verification,
            HasDataSet = false,
        };

        var responses = new List<DimseResponse>();
        await foreach (DimseResponse response in association.SendRequestAsync(context, command, null, null, CancellationToken.None))
        {
            responses.Add(response);
        }

        DimseResponse only = Assert.Single(responses);
        Assert.Equal((DimseCommandField)0x8120, only.Command.CommandField);
        Assert.Equal(DimseStatus.UnrecognizedOperation, only.Status);
        Assert.Equal((ushort)0x0211, only.Status.Code);
        Assert.Equal(DimseStatus.Success, await association.EchoAsync());
        await association.ReleaseAsync();
    }

    [Fact]
    public async Task UnknownCommandFieldWithDataSet_DrainsDataSetAndStaysInStep()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using DicomAssociation association = await server.ConnectAsync();
        NegotiatedPresentationContext context = association.FindAcceptedContext(TestPdus.Verification)!;
        var command = new DimseCommand(new DicomDataset())
        {
            CommandField = (DimseCommandField)0x0120,
            MessageId = association.NextMessageId(),
            AffectedSopClassUid = TestPdus.Verification,
        };

        var responses = new List<DimseResponse>();
        await foreach (DimseResponse response in association.SendRequestAsync(context, command, StudyQuery(), null, CancellationToken.None))
        {
            responses.Add(response);
        }

        Assert.Equal(DimseStatus.UnrecognizedOperation, Assert.Single(responses).Status);
        Assert.Equal(DimseStatus.Success, await association.EchoAsync());
        await association.ReleaseAsync();
    }

    // Waits until a counter stops moving for 200 ms (at most 10 s) and returns it.
    private static async Task<int> SettledAsync(Func<int> counter)
    {
        int last = -1;
        for (int i = 0; i < 50 && counter() != last; i++)
        {
            last = counter();
            await Task.Delay(200);
        }

        return counter();
    }

    private static DicomDataset StudyQuery() => new DicomDataset()
        .SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, "STUDY")
        .SetString(DicomTags.PatientID, DicomVR.LO, "TEST-1")
        .SetString(DicomTags.StudyInstanceUID, DicomVR.UI, string.Empty);

    /// <summary>Yields numbered matches; after <c>blockAfter</c> of them, waits for cancellation (a C-CANCEL).</summary>
    private sealed class FakeFind(int matches, int blockAfter) : IFindService
    {
        public TaskCompletionSource<bool> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Yielded { get; private set; }

        public DicomDataset? LastQuery { get; private set; }

        public DimseStatus? FailWith { get; init; }

        /// <summary>Length of a Study Description (UT) added to each match, to make matches big.</summary>
        public int Padding { get; init; }

        /// <summary>From this match on, each is yielded with Pending Warning (FF01) set on the request.</summary>
        public int WarnFrom { get; init; } = int.MaxValue;

        public async IAsyncEnumerable<DicomDataset> FindAsync(QueryRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            LastQuery = request.Identifier;
            using CancellationTokenRegistration registration = cancellationToken.Register(() => Cancelled.TrySetResult(true));
            for (int i = 0; i < matches; i++)
            {
                if (i == blockAfter)
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }

                Yielded++;
                var match = new DicomDataset()
                    .SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, "STUDY")
                    .SetString(DicomTags.PatientID, DicomVR.LO, $"P{i}");
                if (Padding > 0)
                {
                    match.SetString(DicomTags.StudyDescription, DicomVR.UT, new string('x', Padding));
                }

                request.PendingStatus = i >= WarnFrom ? DimseStatus.PendingWarning : DimseStatus.Pending;
                yield return match;
            }

            if (FailWith is { } status)
            {
                throw new DimseStatusException(status, "out of resources");
            }
        }
    }

    /// <summary>C-GET: sends the given files back through the <see cref="SubOperationSender"/>; C-MOVE: reports three sub-operations.</summary>
    private sealed class FakeRetrieve(string[] files) : IRetrieveService
    {
        public string? LastDestination { get; private set; }

        public IReadOnlyList<string> MoveFails { get; init; } = [];

        public System.Collections.Concurrent.ConcurrentQueue<DimseStatus> SubOperationStatuses { get; } = new();

        public async IAsyncEnumerable<RetrieveProgress> MoveAsync(QueryRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            LastDestination = request.MoveDestination;
            if (request.MoveDestination != "ARCHIVE")
            {
                throw new DimseStatusException(DimseStatus.MoveDestinationUnknown, "unknown destination");
            }

            await Task.Yield();
            yield return new RetrieveProgress(2, 1, 0, 0, []);
            yield return new RetrieveProgress(1, 2, 0, 0, []);
            yield return new RetrieveProgress(0, 2, MoveFails.Count, 0, MoveFails);
        }

        public async IAsyncEnumerable<RetrieveProgress> GetAsync(QueryRequest request, SubOperationSender sender, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            int completed = 0;
            int failed = 0;
            for (int i = 0; i < files.Length; i++)
            {
                DimseResponse response = await sender.StoreFileAsync(files[i], cancellationToken);
                SubOperationStatuses.Enqueue(response.Status);
                if (response.Status.IsSuccessOrWarning)
                {
                    completed++;
                }
                else
                {
                    failed++;
                }

                yield return new RetrieveProgress(files.Length - i - 1, completed, failed, 0, []);
            }
        }
    }

    private static DicomServerOptions ServerOptions(bool handlersOnReceiveThread) =>
        new() { Association = AssociationOptions.Default with { RunHandlersOnReceiveThread = handlersOnReceiveThread } };
}
