using Gateway.Audit.Records;
using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.Host.Audit;
using ArchiveInstance = Gateway.Archive.Tests.Support.TestInstance;

namespace Gateway.Host.Tests.Audit;

/// <summary>The studies and patients of a retrieve, read from the heads of the instances as they stream through.</summary>
public sealed class TransferredInstancesTests
{
    private const string CtImage = "1.2.840.10008.5.1.4.1.1.2";

    [Fact]
    public async Task Objects_FromStreamedInstances_NameEachStudyWithCountsAndEachPatient()
    {
        var transferred = new TransferredInstances();
        var a = new ArchiveInstance { PatientId = "PAT-A" };
        var b = new ArchiveInstance { PatientId = "PAT-B" };
        await AddAsync(transferred, a.ToArray(), DicomTransferSyntax.ExplicitVRLittleEndian);
        await AddAsync(transferred, (a with { SopUid = Gateway.Archive.Tests.Support.TestUids.New() }).ToArray(), DicomTransferSyntax.ExplicitVRLittleEndian);
        await AddAsync(transferred, b.ToArray(DicomTransferSyntax.ImplicitVRLittleEndian), DicomTransferSyntax.ImplicitVRLittleEndian);

        IReadOnlyList<AuditParticipantObject> objects = transferred.Objects(new DicomDataset());

        AuditParticipantObject studyA = Assert.Single(objects, o => o.ObjectId == a.StudyUid);
        Assert.Equal([new AuditSopClass(CtImage, 2)], studyA.SopClasses);
        Assert.Equal([new AuditSopClass(CtImage, 1)], Assert.Single(objects, o => o.ObjectId == b.StudyUid).SopClasses);
        Assert.Equal(["PAT-A", "PAT-B"], objects.Where(o => o.IsPatient).Select(o => o.ObjectId));
    }

    [Fact]
    public async Task Objects_TruncatedGarbageOrDeflatedHeads_CountUnderTheRequestedStudyAndPatient()
    {
        var transferred = new TransferredInstances();
        byte[] whole = new ArchiveInstance { PatientId = "PAT-HIDDEN" }.ToArray();
        await AddAsync(transferred, whole[..10], DicomTransferSyntax.ExplicitVRLittleEndian);
        await AddAsync(transferred, [.. Enumerable.Repeat((byte)0xFF, 4096)], DicomTransferSyntax.ExplicitVRLittleEndian);
        await AddAsync(transferred, whole, DicomTransferSyntax.DeflatedExplicitVRLittleEndian);
        var identifier = new DicomDataset();
        identifier.SetString(DicomTags.StudyInstanceUID, DicomVR.UI, "1.2.3.4");
        identifier.SetString(DicomTags.PatientID, DicomVR.LO, "PAT-REQUESTED");

        IReadOnlyList<AuditParticipantObject> objects = transferred.Objects(identifier);

        AuditParticipantObject study = Assert.Single(objects, o => !o.IsPatient);
        Assert.Equal("1.2.3.4", study.ObjectId);
        Assert.Equal([new AuditSopClass(CtImage, 3)], study.SopClasses);
        Assert.Equal(["PAT-REQUESTED"], objects.Where(o => o.IsPatient).Select(o => o.ObjectId));
    }

    [Fact]
    public async Task Capture_KeepsOnlyTheHead_AndPassesEveryByteThrough()
    {
        byte[] large = new ArchiveInstance { PixelBytes = 200_000 }.ToArray();
        using var read = new MemoryStream();

        await using (HeadCapturingStream head = TransferredInstances.Capture(new MemoryStream(large)))
        {
            await head.CopyToAsync(read);
            Assert.Equal(TransferredInstances.HeadBytes, head.Head.Length);
            Assert.Equal(large.AsMemory(0, TransferredInstances.HeadBytes).ToArray(), head.Head.ToArray());
        }

        Assert.Equal(large, read.ToArray());
    }

    private static async Task AddAsync(TransferredInstances transferred, byte[] dataSet, DicomTransferSyntax syntax)
    {
        await using HeadCapturingStream head = TransferredInstances.Capture(new MemoryStream(dataSet));
        await head.CopyToAsync(Stream.Null);
        await transferred.AddAsync(head, syntax, CtImage);
    }
}
