using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Services;

namespace Gateway.Dicom.Network.Interop.Tests.Services;

/// <summary>C-GET from the in-process Q/R SCP with our own SCU, for what DCMTK's getscu cannot be made to do.</summary>
public sealed class DirectoryQueryRetrieveServiceNetworkTests : IDisposable
{
    private static readonly string Model = DicomUids.StudyRootQueryRetrieveInformationModelGet.Value;
    private static readonly string[] Uncompressed = [DicomTransferSyntax.ExplicitVRLittleEndian.Uid.Value, DicomTransferSyntax.ImplicitVRLittleEndian.Uid.Value];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Get_RequesterWithoutScpRoleForMr_FailsThoseSubOperationsAndListsThem()
    {
        string store = _temp.Sub("store");
        await TestStudies.WriteAllAsync(store);
        await using QueryRetrieveHost host = await QueryRetrieveHost.StartAsync(store);
        string output = _temp.Sub("get");
        DicomAssociation association = await ConnectAsync(host, new DimseServiceDispatcher(new DirectoryStoreService(output)));

        List<DimseResponse> responses = [];
        await using (association)
        {
            await foreach (DimseResponse response in association.GetAsync(Model, StudyIdentifier(TestStudies.Study1)))
            {
                responses.Add(response);
            }

            await association.ReleaseAsync();
        }

        DimseResponse final = responses[^1];
        Assert.Equal(DimseStatus.SubOperationsWarning, final.Status);
        Assert.Equal((ushort)3, final.Command.CompletedSubOperations);
        Assert.Equal((ushort)2, final.Command.FailedSubOperations);
        Assert.Equal([TestStudies.Instance(4), TestStudies.Instance(5)], final.DataSet!.GetStrings(DicomTags.FailedSOPInstanceUIDList));
        Assert.Equal(3, Directory.GetFiles(output, "*.dcm").Length);
    }

    [Fact]
    public async Task Get_CancelWhileASubOperationIsInFlight_FinishesAndCountsItAndKeepsTheAssociation()
    {
        // Regression: a sub-operation abandoned on C-CANCEL had its C-STORE response arrive for a request no longer
        // outstanding, and the SCP aborted the association (UnexpectedPduParameter); the counts also missed it.
        string store = _temp.Sub("store");
        for (int i = 1; i <= 20; i++)
        {
            await (TestStudies.All[0] with { SopInstanceUid = TestStudies.Root + ".9." + i, InstanceNumber = i }).WriteAsync(store);
        }

        await using QueryRetrieveHost host = await QueryRetrieveHost.StartAsync(store);
        string output = _temp.Sub("get");

        // The C-CANCEL goes out when the first C-STORE arrives, so it reaches the SCP while that sub-operation is in flight.
        using var cancel = new CancellationTokenSource();
        var slow = new SlowStoreService(new DirectoryStoreService(output), TimeSpan.FromMilliseconds(200), () => cancel.Cancel());
        DicomAssociation association = await ConnectAsync(host, new DimseServiceDispatcher(slow));

        List<DimseResponse> responses = [];
        DimseStatus echo;
        await using (association)
        {
            await foreach (DimseResponse response in association.GetAsync(Model, StudyIdentifier(TestStudies.Study1), cancel.Token))
            {
                responses.Add(response);
            }

            // Longer than the SCU takes to answer a C-STORE: a late response would have arrived (and aborted) by now.
            await Task.Delay(500);
            echo = await association.EchoAsync();
            await association.ReleaseAsync();
        }

        DimseResponse final = responses[^1];
        Assert.Equal(DimseStatus.Cancel, final.Status);
        Assert.Equal(DimseStatus.Success, echo);
        int received = Directory.GetFiles(output, "*.dcm").Length;
        Assert.InRange(received, 1, 19);
        Assert.Equal((ushort)received, final.Command.CompletedSubOperations);
        Assert.Equal((ushort)(20 - received), final.Command.RemainingSubOperations);
    }

    [Fact]
    public async Task StoreBurstThenFind_OnOneAssociation_FindsEveryInstanceAtOnce()
    {
        // Stored files are indexed in batches, a moment after the first; a request must not see that moment.
        string source = _temp.Sub("source");
        string[] files = new string[20];
        for (int i = 0; i < files.Length; i++)
        {
            files[i] = await (TestStudies.All[0] with { SopInstanceUid = TestStudies.Root + ".8." + (i + 1), InstanceNumber = i + 1 }).WriteAsync(source);
        }

        await using QueryRetrieveHost host = await QueryRetrieveHost.StartAsync(_temp.Sub("store"));
        var request = new AssociationRequest
        {
            CallingAE = "OURSCU",
            CalledAE = QueryRetrieveHost.AETitle,
            PresentationContexts =
            [
                new PresentationContextProposal(1, DicomUids.StudyRootQueryRetrieveInformationModelFind.Value, Uncompressed),
                new PresentationContextProposal(3, DicomUids.CTImageStorage.Value, Uncompressed),
            ],
        };
        await using DicomAssociation association = await DicomClient.ConnectAsync(new DicomClientOptions { Host = "127.0.0.1", Port = host.Port }, request);
        foreach (string file in files)
        {
            Assert.Equal(DimseStatus.Success, (await DicomStoreSender.StoreFileAsync(association, file)).Status);
        }

        DicomDataset identifier = new DicomDataset()
            .SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, "IMAGE")
            .SetString(DicomTags.StudyInstanceUID, DicomVR.UI, TestStudies.All[0].StudyUid)
            .SetString(DicomTags.SeriesInstanceUID, DicomVR.UI, TestStudies.All[0].SeriesUid)
            .SetString(DicomTags.SOPInstanceUID, DicomVR.UI, string.Empty);
        List<DimseResponse> responses = [];
        await foreach (DimseResponse response in association.FindAsync(DicomUids.StudyRootQueryRetrieveInformationModelFind.Value, identifier))
        {
            responses.Add(response);
        }

        Assert.Equal(DimseStatus.Success, responses[^1].Status);
        Assert.Equal(files.Length, responses.Count(r => r.Status == DimseStatus.Pending));
        await association.ReleaseAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Find_WithAKeyTheIndexDoesNotHold_EachMatchIsPendingWarning(bool unsupportedKey)
    {
        string store = _temp.Sub("store");
        await TestStudies.WriteAllAsync(store);
        await using QueryRetrieveHost host = await QueryRetrieveHost.StartAsync(store);
        string find = DicomUids.StudyRootQueryRetrieveInformationModelFind.Value;
        var request = new AssociationRequest
        {
            CallingAE = "OURSCU",
            CalledAE = QueryRetrieveHost.AETitle,
            PresentationContexts = [new PresentationContextProposal(1, find, Uncompressed)],
        };
        DicomDataset identifier = new DicomDataset()
            .SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, "STUDY")
            .SetString(DicomTags.StudyInstanceUID, DicomVR.UI, string.Empty)
            .SetString(DicomTags.PatientName, DicomVR.PN, string.Empty);
        if (unsupportedKey)
        {
            // KVP is not in the index: it matches everything and comes back empty (PS3.4 C.4.1.1.4: FF01).
            identifier.SetString(DicomTags.KVP, DicomVR.DS, "120");
        }

        List<DimseResponse> responses = [];
        await using (DicomAssociation association = await DicomClient.ConnectAsync(new DicomClientOptions { Host = "127.0.0.1", Port = host.Port }, request))
        {
            await foreach (DimseResponse response in association.FindAsync(find, identifier))
            {
                responses.Add(response);
            }

            await association.ReleaseAsync();
        }

        Assert.Equal(TestStudies.All.Select(i => i.StudyUid).Distinct().Count(), responses.Count - 1);
        Assert.All(responses[..^1], r => Assert.Equal(unsupportedKey ? DimseStatus.PendingWarning : DimseStatus.Pending, r.Status));
        Assert.Equal(DimseStatus.Success, responses[^1].Status);
    }

    private static async Task<DicomAssociation> ConnectAsync(QueryRetrieveHost host, IDimseRequestHandler handler)
    {
        // Only CT Image Storage with the SCP role (no MR), and Verification.
        var request = new AssociationRequest
        {
            CallingAE = "OURSCU",
            CalledAE = QueryRetrieveHost.AETitle,
            PresentationContexts =
            [
                new PresentationContextProposal(1, Model, Uncompressed),
                new PresentationContextProposal(3, DicomUids.CTImageStorage.Value, Uncompressed),
                new PresentationContextProposal(5, DicomUids.Verification.Value, Uncompressed),
            ],
            RoleSelections = [new RoleSelection(DicomUids.CTImageStorage.Value, ScuRole: false, ScpRole: true)],
        };
        return await DicomClient.ConnectAsync(new DicomClientOptions { Host = "127.0.0.1", Port = host.Port }, request, handler);
    }

    private static DicomDataset StudyIdentifier(string studyUid) => new DicomDataset()
        .SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, "STUDY")
        .SetString(DicomTags.StudyInstanceUID, DicomVR.UI, studyUid);
}
