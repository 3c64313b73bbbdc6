using Gateway.Archive.Index;
using Gateway.Archive.Tests.Support;
using Gateway.Dicom;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;

namespace Gateway.Archive.Tests;

public sealed class ArchiveStoreTests : IDisposable
{
    private readonly ArchiveHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task StoreAsync_SmallInstance_DataSetReadsBackByteForByte()
    {
        using ArchiveStore store = _h.Open();
        var instance = new TestInstance { PixelBytes = 3000 };

        ArchiveStoreResult result = await store.StoreAsync(instance.Request("PACS"), instance.Open(), CancellationToken.None);

        Assert.Equal(ArchiveStoreOutcome.Stored, result.Outcome);
        Assert.Equal(instance.StudyUid, result.StudyInstanceUid);
        Assert.Equal(instance.SeriesUid, result.SeriesInstanceUid);
        Assert.Equal(instance.ToArray().Length, result.DataSetLength);
        Assert.Equal(["PACS"], result.QueuedDestinations);
        ArchivedInstance? opened = await store.OpenDataSetAsync(instance.SopUid, CancellationToken.None);
        Assert.NotNull(opened);
        Assert.Equal(ArchivedContent.DataSet, opened.Content);
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, opened.TransferSyntax);
        Assert.Equal(instance.SopClass, opened.SopClassUid);
        Assert.Equal("MODALITY1", opened.CallingAE);
        Assert.Equal(result.DataSetLength, opened.Length);
        Assert.Equal(instance.ToArray(), await ArchiveHarness.ReadAllAsync(opened));
    }

    [Fact]
    public async Task OpenInstanceAsync_Part10File_ParsesWithOurReader()
    {
        using ArchiveStore store = _h.Open();
        var instance = new TestInstance { PixelBytes = 200_000 };
        ArchiveStoreRequest request = instance.Request() with { TransferSyntax = DicomTransferSyntax.ImplicitVRLittleEndian };
        await store.StoreAsync(request, instance.Open(DicomTransferSyntax.ImplicitVRLittleEndian), CancellationToken.None);

        byte[] file = await ArchiveHarness.ReadAllAsync(await store.OpenInstanceAsync(instance.SopUid, CancellationToken.None));
        await using DicomFileReader reader = await DicomFileReader.OpenAsync(new MemoryStream(file));

        Assert.True(reader.HasPreamble);
        Assert.Equal(DicomTransferSyntax.ImplicitVRLittleEndian, reader.TransferSyntax);
        Assert.Equal(instance.SopUid, reader.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID));
        Assert.Equal("MODALITY1", reader.FileMetaInformation.GetString(DicomTags.SourceApplicationEntityTitle));
        Assert.Equal(instance.ToArray(DicomTransferSyntax.ImplicitVRLittleEndian), file[(int)reader.DatasetOffset..]);
        DicomDataset data = await reader.ReadDatasetAsync();
        Assert.Equal(instance.PatientName, data.GetString(DicomTags.PatientName));
    }

    [Fact]
    public async Task StoreAsync_DeflatedDataSet_IndexedThroughTheInflaterAndStoredAsReceived()
    {
        using ArchiveStore store = _h.Open();
        var instance = new TestInstance { PixelBytes = 50_000, PatientId = "DEFLATE-1" };
        var deflated = new MemoryStream();
        await using (var z = new System.IO.Compression.DeflateStream(deflated, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            await z.WriteAsync(instance.ToArray());
        }

        byte[] received = deflated.ToArray();
        ArchiveStoreRequest request = instance.Request() with { TransferSyntax = DicomTransferSyntax.DeflatedExplicitVRLittleEndian };
        await store.StoreAsync(request, new MemoryStream(received), CancellationToken.None);

        Assert.Equal(received, await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(instance.SopUid, CancellationToken.None)));
        IReadOnlyList<ArchivedStudy> found = await store.FindStudiesAsync(new ArchiveStudyQuery { PatientId = "DEFLATE-1" }, CancellationToken.None);
        Assert.Equal(instance.StudyUid, Assert.Single(found).StudyInstanceUid);
    }

    [Fact]
    public async Task StoreAsync_ExplicitBigEndian_IndexesBinaryValuesInTheRightOrder()
    {
        using ArchiveStore store = _h.Open();
        var instance = new TestInstance();
        ArchiveStoreRequest request = instance.Request() with { TransferSyntax = DicomTransferSyntax.ExplicitVRBigEndian };
        await store.StoreAsync(request, instance.Open(DicomTransferSyntax.ExplicitVRBigEndian), CancellationToken.None);

        ArchivedInstanceInfo? info = await store.GetInstanceAsync(instance.SopUid, CancellationToken.None);
        Assert.NotNull(info);
        Assert.Equal(16, info.Rows);
        Assert.Equal(16, info.Columns);
        Assert.Equal(DicomTransferSyntax.ExplicitVRBigEndian.Uid.Value, info.TransferSyntaxUid);
    }

    [Fact]
    public async Task StoreAsync_SameBytesTwice_StoredOnceAndReportedDuplicate()
    {
        using ArchiveStore store = _h.Open();
        var instance = new TestInstance();
        ArchiveStoreResult first = await store.StoreAsync(instance.Request("PACS"), instance.Open(), CancellationToken.None);

        ArchiveStoreResult second = await store.StoreAsync(instance.Request("PACS", "AI") with { CallingAE = "OTHER" }, instance.Open(), CancellationToken.None);

        Assert.Equal(ArchiveStoreOutcome.Duplicate, second.Outcome);
        Assert.Equal(first.InstanceId, second.InstanceId);
        Assert.Equal(["AI"], second.QueuedDestinations);
        Assert.Single(_h.ObjectFiles());
        Assert.Equal(1L, _h.Query("SELECT COUNT(*) FROM instances"));
        Assert.Equal(2L, _h.Query("SELECT COUNT(*) FROM outbox"));
        Assert.Empty(_h.WrittenSlots());
    }

    [Fact]
    public async Task StoreAsync_DifferentBytesSameUid_FirstKeptSecondFlaggedAsConflictAndNotForwarded()
    {
        using ArchiveStore store = _h.Open();
        var first = new TestInstance { Seed = 1 };
        var second = first with { Seed = 2 };
        await store.StoreAsync(first.Request("PACS"), first.Open(), CancellationToken.None);

        ArchiveStoreResult result = await store.StoreAsync(second.Request("PACS"), second.Open(), CancellationToken.None);

        Assert.Equal(ArchiveStoreOutcome.Conflict, result.Outcome);
        Assert.Empty(result.QueuedDestinations);
        Assert.Equal(2, _h.ObjectFiles().Count);
        Assert.Equal(1L, _h.Query("SELECT COUNT(*) FROM outbox"));
        Assert.Equal(first.ToArray(), await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(first.SopUid, CancellationToken.None)));
        ArchivedInstanceInfo conflict = Assert.Single(await store.ListConflictsAsync(first.SopUid, CancellationToken.None));
        Assert.True(conflict.IsConflict);
        Assert.Equal(result.InstanceId, conflict.Id);
        Assert.Equal(second.ToArray(), await ArchiveHarness.ReadAllAsync(await store.OpenByIdAsync(conflict.Id, ArchivedContent.DataSet, CancellationToken.None)));

        // The same conflicting bytes a third time are a duplicate of the conflict copy, not a new conflict.
        ArchiveStoreResult third = await store.StoreAsync(second.Request("PACS"), second.Open(), CancellationToken.None);
        Assert.Equal(ArchiveStoreOutcome.Duplicate, third.Outcome);
        Assert.Empty(third.QueuedDestinations);
        Assert.Equal(2, _h.ObjectFiles().Count);
    }

    [Fact]
    public async Task StoreAsync_StudyInPieces_MergesUnderItsUidAndFillsMissingAttributes()
    {
        using ArchiveStore store = _h.Open();
        string study = TestUids.New();
        var a = new TestInstance { StudyUid = study, SeriesNumber = 1, StudyDescription = null, AccessionNumber = null };
        var b = new TestInstance { StudyUid = study, SeriesNumber = 2, Modality = "MR", StudyDescription = "LATE DESCRIPTION", AccessionNumber = "ACC-LATE" };
        await store.StoreAsync(a.Request(), a.Open(), CancellationToken.None);
        _h.Time.Advance(TimeSpan.FromHours(2));

        await store.StoreAsync(b.Request(), b.Open(), CancellationToken.None);

        Assert.Equal(1L, _h.Query("SELECT COUNT(*) FROM studies"));
        ArchivedStudy? merged = await store.GetStudyAsync(study, CancellationToken.None);
        Assert.NotNull(merged);
        Assert.Equal(2, merged.SeriesCount);
        Assert.Equal(2, merged.InstanceCount);
        Assert.Equal(["CT", "MR"], merged.ModalitiesInStudy);
        Assert.Equal("LATE DESCRIPTION", merged.Attributes.StudyDescription);
        Assert.Equal("DOE^JOHN", merged.Attributes.PatientName);
        Assert.Equal(merged.FirstReceivedAt + TimeSpan.FromHours(2), merged.LastReceivedAt);
        Assert.Equal(study, Assert.Single(await store.FindStudiesAsync(new ArchiveStudyQuery { AccessionNumber = "ACC-LATE" }, CancellationToken.None)).StudyInstanceUid);
    }

    [Fact]
    public async Task FindStudiesAsync_ByHashedIdentifiers_MatchesExactNormalisedValuesOnly()
    {
        using ArchiveStore store = _h.Open();
        var doe = new TestInstance { PatientName = "Doe^John^^^", PatientId = "P-1", AccessionNumber = "A-1", StudyDate = "20240105" };
        var roe = new TestInstance { PatientName = "ROE^JANE", PatientId = "P-2", AccessionNumber = "A-2", StudyDate = "20240210", Modality = "MR" };
        await store.StoreAsync(doe.Request(), doe.Open(), CancellationToken.None);
        await store.StoreAsync(roe.Request(), roe.Open(), CancellationToken.None);

        Assert.Equal(doe.StudyUid, Assert.Single(await store.FindStudiesAsync(new ArchiveStudyQuery { PatientId = "P-1" }, CancellationToken.None)).StudyInstanceUid);
        Assert.Equal(doe.StudyUid, Assert.Single(await store.FindStudiesAsync(new ArchiveStudyQuery { PatientName = "DOE^JOHN" }, CancellationToken.None)).StudyInstanceUid);
        Assert.Equal(roe.StudyUid, Assert.Single(await store.FindStudiesAsync(new ArchiveStudyQuery { PatientFamilyName = "roe" }, CancellationToken.None)).StudyInstanceUid);
        Assert.Equal(roe.StudyUid, Assert.Single(await store.FindStudiesAsync(new ArchiveStudyQuery { Modality = "MR" }, CancellationToken.None)).StudyInstanceUid);
        Assert.Equal(roe.StudyUid, Assert.Single(await store.FindStudiesAsync(new ArchiveStudyQuery { StudyDateFrom = new DateOnly(2024, 2, 1) }, CancellationToken.None)).StudyInstanceUid);
        Assert.Empty(await store.FindStudiesAsync(new ArchiveStudyQuery { PatientId = "P-" }, CancellationToken.None));
        Assert.Empty(await store.FindStudiesAsync(new ArchiveStudyQuery { PatientId = "P-1", AccessionNumber = "A-2" }, CancellationToken.None));
        IReadOnlyList<ArchivedStudy> all = await store.FindStudiesAsync(new ArchiveStudyQuery(), CancellationToken.None);
        Assert.Equal([roe.StudyUid, doe.StudyUid], all.Select(s => s.StudyInstanceUid));
        Assert.Equal("Doe^John^^^", all[1].Attributes.PatientName);
    }

    [Fact]
    public async Task ListSeriesAndInstances_OrderBySeriesNumberThenAcquisitionTimeThenInstanceNumber()
    {
        using ArchiveStore store = _h.Open();
        string study = TestUids.New();
        string s1 = TestUids.New();
        string s2 = TestUids.New();
        string s3 = TestUids.New();
        string s4 = TestUids.New();
        TestInstance[] instances =
        [
            // Series 2 arrives first; series 3 and 4 share no number and are ordered by acquisition time.
            new() { StudyUid = study, SeriesUid = s2, SeriesNumber = 2, InstanceNumber = 1, AcquisitionTime = "090000" },
            new() { StudyUid = study, SeriesUid = s3, SeriesNumber = null, InstanceNumber = 1, AcquisitionTime = "120000" },
            new() { StudyUid = study, SeriesUid = s4, SeriesNumber = null, InstanceNumber = 1, AcquisitionTime = "110000" },
            new() { StudyUid = study, SeriesUid = s1, SeriesNumber = 1, InstanceNumber = 3, AcquisitionTime = "100000" },
            new() { StudyUid = study, SeriesUid = s1, SeriesNumber = 1, InstanceNumber = 1, AcquisitionTime = "100500" },
            new() { StudyUid = study, SeriesUid = s1, SeriesNumber = 1, InstanceNumber = 2, AcquisitionTime = "100000" },
            new() { StudyUid = study, SeriesUid = s1, SeriesNumber = 1, InstanceNumber = 5, AcquisitionTime = null, AcquisitionDate = null },
            new() { StudyUid = study, SeriesUid = s1, SeriesNumber = 1, InstanceNumber = null, AcquisitionTime = "100000" },
        ];
        foreach (TestInstance i in instances)
        {
            await store.StoreAsync(i.Request(), i.Open(), CancellationToken.None);
        }

        IReadOnlyList<ArchivedSeries> series = await store.ListSeriesAsync(study, includePurged: false, CancellationToken.None);
        Assert.Equal([s1, s2, s4, s3], series.Select(s => s.SeriesInstanceUid));
        Assert.Equal(5, series[0].InstanceCount);

        IReadOnlyList<ArchivedInstanceInfo> ordered = await store.ListInstancesAsync(s1, includePurged: false, CancellationToken.None);
        Assert.Equal([2, 3, null, 1, 5], ordered.Select(i => i.InstanceNumber));
        Assert.Equal("100000.000000", ordered[0].AcquisitionTime);
        Assert.Null(ordered[4].AcquisitionTime);
    }

    [Fact]
    public async Task StoreAsync_DataSetUidDiffersFromRequest_RejectedAndNothingLeft()
    {
        using ArchiveStore store = _h.Open();
        var instance = new TestInstance();

        ArchiveRejectedException ex = await Assert.ThrowsAsync<ArchiveRejectedException>(
            () => store.StoreAsync(instance.Request() with { SopInstanceUid = TestUids.New() }, instance.Open(), CancellationToken.None));

        Assert.Equal(ArchiveRejectReason.IdentifierMismatch, ex.Reason);
        Assert.Empty(_h.ObjectFiles());
        Assert.Empty(_h.WrittenSlots());
        Assert.Equal(0L, _h.Query("SELECT COUNT(*) FROM instances"));
    }

    [Fact]
    public async Task StoreAsync_NoStudyInstanceUid_RejectedAsMissingIdentifiers()
    {
        using ArchiveStore store = _h.Open();
        var instance = new TestInstance { StudyUid = "not a uid" };

        ArchiveRejectedException ex = await Assert.ThrowsAsync<ArchiveRejectedException>(() => store.StoreAsync(instance.Request(), instance.Open(), CancellationToken.None));

        Assert.Equal(ArchiveRejectReason.MissingIdentifiers, ex.Reason);
        Assert.Empty(_h.ObjectFiles());
    }

    [Fact]
    public async Task StoreAsync_MalformedHeader_RejectedBeforeAnythingIsIndexed()
    {
        using ArchiveStore store = _h.Open();
        var instance = new TestInstance();
        byte[] bytes = instance.ToArray();

        // A text element that declares more bytes than the whole stream holds.
        byte[] broken = [.. "\x08\x00\x05\x00CS\xFF\x7F"u8, .. bytes];

        ArchiveRejectedException ex = await Assert.ThrowsAsync<ArchiveRejectedException>(() => store.StoreAsync(instance.Request(), new MemoryStream(broken), CancellationToken.None));

        Assert.Equal(ArchiveRejectReason.MalformedDataSet, ex.Reason);
        Assert.Empty(_h.ObjectFiles());
        Assert.Empty(_h.WrittenSlots());
    }

    [Theory]
    [InlineData("x", "1.2.840.10008.5.1.4.1.1.2", "AE", "PACS")]
    [InlineData("1.2.3", "1.02.3", "AE", "PACS")]
    [InlineData("1.2.3", "1.2.840.10008.5.1.4.1.1.2", "", "PACS")]
    [InlineData("1.2.3", "1.2.840.10008.5.1.4.1.1.2", "AE", "A\\B")]
    [InlineData("1.2.3", "1.2.840.10008.5.1.4.1.1.2", "AE", "SEVENTEEN_CHARS_X")]
    public async Task StoreAsync_InvalidRequest_Rejected(string sop, string sopClass, string callingAE, string destination)
    {
        using ArchiveStore store = _h.Open();
        var request = new ArchiveStoreRequest
        {
            SopInstanceUid = sop,
            SopClassUid = sopClass,
            TransferSyntax = DicomTransferSyntax.ExplicitVRLittleEndian,
            CallingAE = callingAE,
            Destinations = [destination],
        };

        ArchiveRejectedException ex = await Assert.ThrowsAsync<ArchiveRejectedException>(() => store.StoreAsync(request, new MemoryStream(), CancellationToken.None));

        Assert.Equal(ArchiveRejectReason.InvalidRequest, ex.Reason);
    }

    [Fact]
    public async Task StoreAsync_ManyConcurrentStores_AllDurableAndReadable()
    {
        using ArchiveStore store = _h.Open();
        string study = TestUids.New();
        TestInstance[] instances = [.. Enumerable.Range(1, 24).Select(i => new TestInstance { StudyUid = study, InstanceNumber = i, Seed = i, PixelBytes = 70_000 })];

        await Task.WhenAll(instances.Select(i => Task.Run(() => store.StoreAsync(i.Request("PACS"), i.Open(), CancellationToken.None))));

        Assert.Equal(24, _h.ObjectFiles().Count);
        Assert.Equal(24L, await store.Outbox.GetDepthAsync(CancellationToken.None));
        foreach (TestInstance i in instances)
        {
            Assert.Equal(i.ToArray(), await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(i.SopUid, CancellationToken.None)));
        }
    }

    [Fact]
    public async Task OpenDataSetAsync_UnknownUid_ReturnsNull()
    {
        using ArchiveStore store = _h.Open();

        Assert.Null(await store.OpenDataSetAsync("1.2.3.4", CancellationToken.None));
    }

    [Fact]
    public void Open_Twice_SecondIsRefusedWhileTheFirstIsOpen()
    {
        using ArchiveStore store = _h.Open();

        Assert.Throws<ArchiveInUseException>(() => _h.Open());
    }
}
