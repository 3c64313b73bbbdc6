using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Tests.Support;

namespace Gateway.Dicom.Network.Tests.Services;

/// <summary>The SOP Instance UID a peer sends becomes a file name: anything but a valid UID is refused.</summary>
public sealed class DirectoryStoreServiceTests
{
    [Theory]
    [InlineData("../../escaped")]
    [InlineData("/tmp/absolute")]
    [InlineData("1.2.3/../../4")]
    [InlineData("1.2.abc")]
    public async Task Store_InstanceUidThatIsNotAUid_RefusedCannotUnderstandNothingWritten(string instanceUid)
    {
        await using TestServer server = await TestServer.StartAsync();
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);
        await peer.AssociateAsync(TestServer.RequestPdu(new PresentationContextProposal(1, TestPdus.CTImageStorage, [TestPdus.ImplicitLE])));
        var command = new DimseCommand(new DicomDataset())
        {
            CommandField = DimseCommandField.CStoreRequest,
            MessageId = 5,
            AffectedSopClassUid = TestPdus.CTImageStorage,
            AffectedSopInstanceUid = instanceUid,
            HasDataSet = true,
        };

        await peer.SendCommandAsync(1, command);
        await peer.SendAsync(new DataTransferPdu([new PresentationDataValue(1, false, true, new byte[] { 0x10, 0x00, 0x20, 0x00, 0x02, 0x00, 0x00, 0x00, 0x41, 0x20 })]));
        (DimseCommand response, _, _) = await peer.ReceiveMessageAsync();

        Assert.Equal(DimseCommandField.CStoreResponse, response.CommandField);
        Assert.Equal(5, response.MessageIdBeingRespondedTo);
        Assert.Equal(DimseStatus.CannotUnderstand, response.Status);
        Assert.Empty(Directory.GetFileSystemEntries(server.Store.Path));
        Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(server.Store.Path)!, "escaped*"));
        await peer.SendAsync(ReleaseRequestPdu.Instance);
        await peer.ReceiveAsync<ReleaseResponsePdu>();
    }

    [Fact]
    public async Task Store_FileCannotBeWritten_RespondsOutOfResourcesAndLeavesNoPartialFile()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using FakePeer peer = await FakePeer.ConnectAsync(server.EndPoint);
        await peer.AssociateAsync(TestServer.RequestPdu(new PresentationContextProposal(1, TestPdus.CTImageStorage, [TestPdus.ImplicitLE])));
        var store = new DimseCommand(new DicomDataset())
        {
            CommandField = DimseCommandField.CStoreRequest,
            MessageId = 1,
            AffectedSopClassUid = TestPdus.CTImageStorage,
            AffectedSopInstanceUid = "1.2.3.4.5",
            HasDataSet = true,
        };

        // A valid instance UID whose file cannot be created: a directory of that name exists.
        Directory.CreateDirectory(Path.Combine(server.Store.Path, "1.2.3.4.5.dcm"));
        await peer.SendCommandAsync(1, store);
        await peer.SendAsync(new DataTransferPdu([new PresentationDataValue(1, false, true, new byte[] { 0x10, 0x00, 0x20, 0x00, 0x02, 0x00, 0x00, 0x00, 0x41, 0x20 })]));

        (DimseCommand response, _, _) = await peer.ReceiveMessageAsync();
        Assert.Equal(DimseStatus.OutOfResources, response.Status);
        Assert.Equal(["1.2.3.4.5.dcm"], Directory.GetFileSystemEntries(server.Store.Path).Select(Path.GetFileName));
        await peer.SendAsync(ReleaseRequestPdu.Instance);
        await peer.ReceiveAsync<ReleaseResponsePdu>();
    }
}
