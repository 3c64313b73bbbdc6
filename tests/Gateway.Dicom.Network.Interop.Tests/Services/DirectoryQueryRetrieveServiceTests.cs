using System.Text;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Dicom.Network.Services;

namespace Gateway.Dicom.Network.Interop.Tests.Services;

/// <summary>The index and C-FIND answers of <see cref="DirectoryQueryRetrieveService"/>, through its <c>Query</c> API.</summary>
public sealed class DirectoryQueryRetrieveServiceTests : IDisposable
{
    private static readonly string StudyRoot = DicomUids.StudyRootQueryRetrieveInformationModelFind.Value;
    private static readonly string PatientRoot = DicomUids.PatientRootQueryRetrieveInformationModelFind.Value;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Query_StudyLevel_ReturnsExactlyTheRequestedKeysPlusLevelAndRetrieveAE()
    {
        DirectoryQueryRetrieveService service = await ServiceAsync();

        IReadOnlyList<DicomDataset> matches = service.Query(StudyRoot, Identifier("STUDY", (DicomTags.StudyInstanceUID, DicomVR.UI, ""), (DicomTags.PatientID, DicomVR.LO, "")));

        Assert.Equal([TestStudies.Study3, TestStudies.Study1, TestStudies.Study2], matches.Select(m => m.GetString(DicomTags.StudyInstanceUID)));
        DicomDataset first = matches[0];
        Assert.Equal(
            [DicomTags.QueryRetrieveLevel, DicomTags.RetrieveAETitle, DicomTags.PatientID, DicomTags.StudyInstanceUID],
            first.Select(i => i.Tag));
        Assert.Equal("STUDY", first.GetString(DicomTags.QueryRetrieveLevel));
        Assert.Equal("GWQR", first.GetString(DicomTags.RetrieveAETitle));
        Assert.Equal("P3", first.GetString(DicomTags.PatientID));
    }

    [Fact]
    public async Task Query_ComputedKeys_CountAndSummariseTheIndex()
    {
        DirectoryQueryRetrieveService service = await ServiceAsync();

        DicomDataset study1 = Assert.Single(service.Query(StudyRoot, Identifier(
            "STUDY",
            (DicomTags.StudyInstanceUID, DicomVR.UI, TestStudies.Study1),
            (DicomTags.NumberOfStudyRelatedSeries, DicomVR.IS, ""),
            (DicomTags.NumberOfStudyRelatedInstances, DicomVR.IS, ""),
            (DicomTags.ModalitiesInStudy, DicomVR.CS, ""),
            (DicomTags.SOPClassesInStudy, DicomVR.UI, ""),
            (DicomTags.NumberOfPatientRelatedInstances, DicomVR.IS, ""))));

        Assert.Equal("2", study1.GetString(DicomTags.NumberOfStudyRelatedSeries));
        Assert.Equal("5", study1.GetString(DicomTags.NumberOfStudyRelatedInstances));
        Assert.Equal(["CT", "MR"], study1.GetStrings(DicomTags.ModalitiesInStudy));
        Assert.Equal([DicomUids.CTImageStorage.Value, DicomUids.MRImageStorage.Value], study1.GetStrings(DicomTags.SOPClassesInStudy));
        Assert.Equal("5", study1.GetString(DicomTags.NumberOfPatientRelatedInstances));
    }

    [Fact]
    public async Task Query_ComputedKeyAsMatchingKey_FiltersOnTheComputedValue()
    {
        DirectoryQueryRetrieveService service = await ServiceAsync();

        IReadOnlyList<DicomDataset> withMr = service.Query(StudyRoot, Identifier("STUDY", (DicomTags.StudyInstanceUID, DicomVR.UI, ""), (DicomTags.ModalitiesInStudy, DicomVR.CS, "MR")));

        Assert.Equal([TestStudies.Study1], withMr.Select(m => m.GetString(DicomTags.StudyInstanceUID)));
    }

    [Fact]
    public async Task Query_KeysBelowTheLevelAndUnindexedKeys_AreReturnedEmptyAndDoNotFilter()
    {
        DirectoryQueryRetrieveService service = await ServiceAsync();

        IReadOnlyList<DicomDataset> matches = service.Query(StudyRoot, Identifier(
            "STUDY",
            (DicomTags.StudyInstanceUID, DicomVR.UI, TestStudies.Study1),
            (DicomTags.SOPInstanceUID, DicomVR.UI, "9.9.9"),
            (DicomTags.KVP, DicomVR.DS, "120")));

        DicomDataset match = Assert.Single(matches);
        Assert.True(match.TryGetElement(DicomTags.SOPInstanceUID, out DicomElement? sop));
        Assert.Equal(0, sop.Length);
        Assert.True(match.TryGetElement(DicomTags.KVP, out DicomElement? kvp));
        Assert.Equal(0, kvp.Length);
    }

    [Fact]
    public async Task Query_SequenceKey_IsUniversalAndAnsweredWithAnEmptySequence()
    {
        DirectoryQueryRetrieveService service = await ServiceAsync();
        DicomDataset identifier = Identifier("STUDY", (DicomTags.StudyInstanceUID, DicomVR.UI, ""));
        identifier.Set(new DicomSequence(DicomTags.ReferencedStudySequence, [new DicomDataset()]));

        IReadOnlyList<DicomDataset> matches = service.Query(StudyRoot, identifier);

        Assert.Equal(3, matches.Count);
        Assert.All(matches, m => Assert.Empty(Assert.IsType<DicomSequence>(m[DicomTags.ReferencedStudySequence]).Items));
    }

    [Fact]
    public async Task Query_PatientRootAtEachLevel_WalksTheHierarchy()
    {
        DirectoryQueryRetrieveService service = await ServiceAsync();

        IReadOnlyList<DicomDataset> patients = service.Query(PatientRoot, Identifier("PATIENT", (DicomTags.PatientID, DicomVR.LO, ""), (DicomTags.NumberOfPatientRelatedStudies, DicomVR.IS, "")));
        IReadOnlyList<DicomDataset> studies = service.Query(PatientRoot, Identifier("STUDY", (DicomTags.PatientID, DicomVR.LO, "P1"), (DicomTags.StudyInstanceUID, DicomVR.UI, "")));
        IReadOnlyList<DicomDataset> series = service.Query(PatientRoot, Identifier(
            "SERIES", (DicomTags.PatientID, DicomVR.LO, "P1"), (DicomTags.StudyInstanceUID, DicomVR.UI, TestStudies.Study1), (DicomTags.SeriesInstanceUID, DicomVR.UI, ""), (DicomTags.Modality, DicomVR.CS, "")));
        IReadOnlyList<DicomDataset> images = service.Query(PatientRoot, Identifier(
            "IMAGE",
            (DicomTags.PatientID, DicomVR.LO, "P1"),
            (DicomTags.StudyInstanceUID, DicomVR.UI, TestStudies.Study1),
            (DicomTags.SeriesInstanceUID, DicomVR.UI, TestStudies.Series1Ct),
            (DicomTags.SOPInstanceUID, DicomVR.UI, ""),
            (DicomTags.InstanceNumber, DicomVR.IS, "")));

        Assert.Equal(["P1", "P2", "P3"], patients.Select(p => p.GetString(DicomTags.PatientID)));
        Assert.All(patients, p => Assert.Equal("1", p.GetString(DicomTags.NumberOfPatientRelatedStudies)));
        Assert.Equal([TestStudies.Study1], studies.Select(s => s.GetString(DicomTags.StudyInstanceUID)));
        Assert.Equal(["CT", "MR"], series.Select(s => s.GetString(DicomTags.Modality)));
        Assert.Equal([TestStudies.Instance(1), TestStudies.Instance(2), TestStudies.Instance(3)], images.Select(i => i.GetString(DicomTags.SOPInstanceUID)));
        Assert.Equal(["1", "2", "3"], images.Select(i => i.GetString(DicomTags.InstanceNumber)));
    }

    [Fact]
    public async Task Query_StudyRootStudyLevel_MatchesPatientAttributes()
    {
        DirectoryQueryRetrieveService service = await ServiceAsync();

        IReadOnlyList<DicomDataset> matches = service.Query(StudyRoot, Identifier("STUDY", (DicomTags.StudyInstanceUID, DicomVR.UI, ""), (DicomTags.PatientName, DicomVR.PN, "smith*")));

        Assert.Equal([TestStudies.Study3], matches.Select(m => m.GetString(DicomTags.StudyInstanceUID)));
        Assert.Equal("Smith^Anna", matches[0].GetString(DicomTags.PatientName));
    }

    [Theory]
    [InlineData("20240101-20240131", new[] { TestStudies.Study1 })]
    [InlineData("-20240101", new[] { TestStudies.Study3 })]
    [InlineData("20240116-", new[] { TestStudies.Study2 })]
    [InlineData("20240220", new[] { TestStudies.Study2 })]
    public async Task Query_StudyDateRange_SelectsTheStudiesInRange(string range, string[] expected)
    {
        DirectoryQueryRetrieveService service = await ServiceAsync();

        IReadOnlyList<DicomDataset> matches = service.Query(StudyRoot, Identifier("STUDY", (DicomTags.StudyInstanceUID, DicomVR.UI, ""), (DicomTags.StudyDate, DicomVR.DA, range)));

        Assert.Equal(expected, matches.Select(m => m.GetString(DicomTags.StudyInstanceUID)));
    }

    [Fact]
    public async Task Query_ListOfUidsAtImageLevel_ReturnsJustThoseInstances()
    {
        DirectoryQueryRetrieveService service = await ServiceAsync();

        IReadOnlyList<DicomDataset> matches = service.Query(StudyRoot, Identifier(
            "IMAGE",
            (DicomTags.StudyInstanceUID, DicomVR.UI, TestStudies.Study1),
            (DicomTags.SeriesInstanceUID, DicomVR.UI, TestStudies.Series1Ct),
            (DicomTags.SOPInstanceUID, DicomVR.UI, TestStudies.Instance(3) + "\\" + TestStudies.Instance(1) + "\\1.2.3")));

        Assert.Equal([TestStudies.Instance(1), TestStudies.Instance(3)], matches.Select(m => m.GetString(DicomTags.SOPInstanceUID)));
    }

    [Theory]
    [InlineData("STUDY")]
    [InlineData("SERIES")]
    public async Task Query_PatientRootWithoutUpperUniqueKeys_IsRefusedAsIdentifierNotMatchingTheModel(string level)
    {
        DirectoryQueryRetrieveService service = await ServiceAsync();
        DicomDataset identifier = Identifier(level, (DicomTags.StudyInstanceUID, DicomVR.UI, ""), (DicomTags.SeriesInstanceUID, DicomVR.UI, ""));

        DimseStatusException ex = Assert.Throws<DimseStatusException>(() => service.Query(PatientRoot, identifier));

        Assert.Equal(DimseStatus.DataSetDoesNotMatchSopClass, ex.Status);
        Assert.Contains("(0010,0020)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_StudyRootSeriesLevelWithAnEmptyStudyKey_SearchesEveryStudy_AsDcmqrscpAnswersIt()
    {
        // findscu -S -k QueryRetrieveLevel=SERIES -k StudyInstanceUID -k Modality=CT: dcmqrscp and Orthanc answer it.
        DirectoryQueryRetrieveService service = await ServiceAsync();

        IReadOnlyList<DicomDataset> matches = service.Query(StudyRoot, Identifier(
            "SERIES",
            (DicomTags.StudyInstanceUID, DicomVR.UI, ""),
            (DicomTags.SeriesInstanceUID, DicomVR.UI, ""),
            (DicomTags.Modality, DicomVR.CS, "CT")));

        Assert.Equal([TestStudies.Series1Ct, TestStudies.Series2Ct], matches.Select(m => m.GetString(DicomTags.SeriesInstanceUID)).Order(StringComparer.Ordinal));
        Assert.Equal([TestStudies.Study1, TestStudies.Study2], matches.Select(m => m.GetString(DicomTags.StudyInstanceUID)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Query_StudyRootSeriesLevelWithoutTheStudyKey_IsRefused_AsDcmqrscpRefusesIt()
    {
        DirectoryQueryRetrieveService service = await ServiceAsync();
        DicomDataset identifier = Identifier("SERIES", (DicomTags.SeriesInstanceUID, DicomVR.UI, ""), (DicomTags.Modality, DicomVR.CS, "CT"));

        DimseStatusException ex = Assert.Throws<DimseStatusException>(() => service.Query(StudyRoot, identifier));

        Assert.Equal(DimseStatus.DataSetDoesNotMatchSopClass, ex.Status);
    }

    [Theory]
    [InlineData("PATIENT")]
    [InlineData("")]
    [InlineData("FRAME")]
    public async Task Query_StudyRootWithPatientOrInvalidLevel_IsRefused(string level)
    {
        DirectoryQueryRetrieveService service = await ServiceAsync();

        DimseStatusException ex = Assert.Throws<DimseStatusException>(() => service.Query(StudyRoot, Identifier(level, (DicomTags.PatientID, DicomVR.LO, ""))));

        Assert.Equal(DimseStatus.DataSetDoesNotMatchSopClass, ex.Status);
    }

    [Fact]
    public async Task Query_UnknownInformationModel_IsSopClassNotSupported()
    {
        DirectoryQueryRetrieveService service = await ServiceAsync();

        DimseStatusException ex = Assert.Throws<DimseStatusException>(() => service.Query(DicomUids.ModalityWorklistInformationModelFind.Value, Identifier("STUDY")));

        Assert.Equal(DimseStatus.SopClassNotSupported, ex.Status);
    }

    [Fact]
    public async Task Query_MoreMatchesThanTheLimit_IsOutOfResources()
    {
        await TestStudies.WriteAllAsync(_temp.Path);
        var service = new DirectoryQueryRetrieveService(new DirectoryQueryRetrieveOptions { Directory = _temp.Path, AETitle = "GWQR", MaxMatches = 2 });
        await service.ScanAsync();

        DimseStatusException ex = Assert.Throws<DimseStatusException>(() => service.Query(StudyRoot, Identifier("STUDY", (DicomTags.StudyInstanceUID, DicomVR.UI, ""))));

        Assert.Equal(DimseStatus.OutOfResources, ex.Status);
    }

    [Fact]
    public async Task Query_Latin1Values_AreReturnedAsStoredWithTheirCharacterSet()
    {
        DirectoryQueryRetrieveService service = await ServiceAsync();

        DicomDataset match = Assert.Single(service.Query(StudyRoot, Identifier("STUDY", (DicomTags.StudyInstanceUID, DicomVR.UI, ""), (DicomTags.PatientName, DicomVR.PN, "MÜLLER*"))));

        Assert.Equal("ISO_IR 100", match.GetString(DicomTags.SpecificCharacterSet));
        Assert.True(match.TryGetElement(DicomTags.PatientName, out DicomElement? name));
        Assert.Equal(Encoding.Latin1.GetBytes("Müller^Jürgen "), name.Value.ToArray());
    }

    [Fact]
    public async Task Query_ValuesFromFilesWithDifferentCharacterSets_AreReencodedAsUtf8()
    {
        // Study A (UTF-8) is indexed first; then study B of the same patient in Latin-1 updates the patient attributes.
        await new TestInstance
        {
            PatientId = "PX", PatientName = "Ünïcode^Ästhér", StudyUid = "1.2.3.1", SeriesUid = "1.2.3.2", SopInstanceUid = "1.2.3.3",
            StudyDescription = "Étude α", CharacterSet = "ISO_IR 192",
        }.WriteAsync(_temp.Path);
        var service = new DirectoryQueryRetrieveService(new DirectoryQueryRetrieveOptions { Directory = _temp.Path, AETitle = "GWQR" });
        await service.ScanAsync();
        string latin1 = await new TestInstance
        {
            PatientId = "PX", PatientName = "Müller^Jürgen", StudyUid = "1.2.4.1", SeriesUid = "1.2.4.2", SopInstanceUid = "1.2.4.3", CharacterSet = "ISO_IR 100",
        }.WriteAsync(_temp.Path);
        await service.IndexFileAsync(latin1);

        DicomDataset match = Assert.Single(service.Query(StudyRoot, Identifier(
            "STUDY", (DicomTags.StudyInstanceUID, DicomVR.UI, "1.2.3.1"), (DicomTags.PatientName, DicomVR.PN, ""), (DicomTags.StudyDescription, DicomVR.LO, ""))));

        Assert.Equal("ISO_IR 192", match.GetString(DicomTags.SpecificCharacterSet));
        Assert.Equal("Müller^Jürgen", match.GetString(DicomTags.PatientName));
        Assert.Equal("Étude α", match.GetString(DicomTags.StudyDescription));
    }

    [Fact]
    public async Task IndexFileAsync_SameInstanceWithCorrectedPatient_MovesTheStudyAndForgetsTheOldPatient()
    {
        DirectoryQueryRetrieveService service = await ServiceAsync();
        string path = await (TestStudies.All.Single(i => i.SopInstanceUid == TestStudies.Instance(8)) with { PatientId = "P9", PatientName = "New^Name" }).WriteAsync(_temp.Path);

        await service.IndexFileAsync(path);

        IReadOnlyList<DicomDataset> patients = service.Query(PatientRoot, Identifier("PATIENT", (DicomTags.PatientID, DicomVR.LO, ""), (DicomTags.PatientName, DicomVR.PN, "")));
        Assert.Equal(["P1", "P2", "P9"], patients.Select(p => p.GetString(DicomTags.PatientID)));
        Assert.Equal("New^Name", patients[2].GetString(DicomTags.PatientName));
        Assert.Equal(8, service.InstanceCount);
    }

    [Fact]
    public async Task ScanAsync_AfterAFileIsDeleted_ForgetsItsInstanceAndEmptiedLevels()
    {
        DirectoryQueryRetrieveService service = await ServiceAsync();
        File.Delete(Path.Combine(_temp.Path, TestStudies.Instance(8) + ".dcm"));

        await service.ScanAsync();

        Assert.Equal(7, service.InstanceCount);
        Assert.DoesNotContain(
            TestStudies.Study3,
            service.Query(StudyRoot, Identifier("STUDY", (DicomTags.StudyInstanceUID, DicomVR.UI, ""))).Select(m => m.GetString(DicomTags.StudyInstanceUID)));
    }

    [Fact]
    public async Task ScanAsync_FileWithGarbageAfterPixelData_IsIndexedFromItsHeaderAlone()
    {
        // The header read stops at the first top-level tag after the last indexed one: what follows is never parsed.
        string path = await TestStudies.All[0].WriteAsync(_temp.Path);
        await File.AppendAllTextAsync(path, "junk!!");
        await File.WriteAllTextAsync(Path.Combine(_temp.Path, "notes.txt"), "not DICOM");
        await using (DicomFileReader full = await DicomFileReader.OpenAsync(path))
        {
            await Assert.ThrowsAsync<DicomFormatException>(async () => await full.ReadDatasetAsync());
        }

        var service = new DirectoryQueryRetrieveService(new DirectoryQueryRetrieveOptions { Directory = _temp.Path, AETitle = "GWQR" });

        await service.ScanAsync();

        Assert.Equal(1, service.InstanceCount);
    }

    [Fact]
    public async Task ScanAsync_HiddenFilesAndStoreTemporaries_AreNotServed()
    {
        await TestStudies.All[0].WriteAsync(_temp.Path);
        string hidden = await TestStudies.All[1].WriteAsync(_temp.Path);
        File.Move(hidden, Path.Combine(_temp.Path, "." + TestStudies.Instance(2) + ".1234abcd.partial"));
        var service = new DirectoryQueryRetrieveService(new DirectoryQueryRetrieveOptions { Directory = _temp.Path, AETitle = "GWQR" });

        await service.ScanAsync();

        Assert.Equal(1, service.InstanceCount);
    }

    [Fact]
    public async Task ScanAsync_BigEndianFile_IndexesBinaryValuesInLittleEndian()
    {
        await (TestStudies.All[0] with { TransferSyntax = DicomTransferSyntax.ExplicitVRBigEndian }).WriteAsync(_temp.Path);
        var service = new DirectoryQueryRetrieveService(new DirectoryQueryRetrieveOptions { Directory = _temp.Path, AETitle = "GWQR" });
        await service.ScanAsync();

        DicomDataset match = Assert.Single(service.Query(StudyRoot, Identifier(
            "IMAGE",
            (DicomTags.StudyInstanceUID, DicomVR.UI, TestStudies.Study1),
            (DicomTags.SeriesInstanceUID, DicomVR.UI, TestStudies.Series1Ct),
            (DicomTags.SOPInstanceUID, DicomVR.UI, ""),
            (DicomTags.Rows, DicomVR.US, ""),
            (DicomTags.AvailableTransferSyntaxUID, DicomVR.UI, ""))));

        Assert.Equal(4, match.GetInt32(DicomTags.Rows));
        Assert.Equal(DicomTransferSyntax.ExplicitVRBigEndian.Uid.Value, match.GetString(DicomTags.AvailableTransferSyntaxUID));
    }

    [Fact]
    public async Task IndexFileAsync_NeverIndexesOnTheCallersThread()
    {
        // The store raises Stored before it answers the C-STORE, and the file is read synchronously: indexing it on the
        // caller's thread would delay every answer. Here the caller's context holds what is posted to it, so nothing may
        // be indexed until that runs.
        await TestStudies.WriteAllAsync(_temp.Path);
        var service = new DirectoryQueryRetrieveService(new DirectoryQueryRetrieveOptions { Directory = _temp.Path, AETitle = "GWQR" });
        string path = Directory.EnumerateFiles(_temp.Path, "*", SearchOption.AllDirectories).First();
        var context = new HoldingContext();
        SynchronizationContext? previous = SynchronizationContext.Current;
        Task indexing;
        SynchronizationContext.SetSynchronizationContext(context);
        try
        {
            indexing = service.IndexFileAsync(path);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        Assert.False(indexing.IsCompleted);
        Assert.Equal(0, service.InstanceCount);
        context.RunHeld();
        await indexing;
        Assert.Equal(1, service.InstanceCount);
    }

    private async Task<DirectoryQueryRetrieveService> ServiceAsync()
    {
        await TestStudies.WriteAllAsync(_temp.Path);
        var service = new DirectoryQueryRetrieveService(new DirectoryQueryRetrieveOptions { Directory = _temp.Path, AETitle = "GWQR" });
        await service.ScanAsync();
        Assert.Equal(TestStudies.All.Count, service.InstanceCount);
        return service;
    }

    private static DicomDataset Identifier(string level, params (DicomTag Tag, DicomVR VR, string Value)[] keys)
    {
        var identifier = new DicomDataset();
        identifier.SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, level);
        foreach ((DicomTag tag, DicomVR vr, string value) in keys)
        {
            if (vr == DicomVR.US)
            {
                identifier.Set(new DicomElement(tag, vr, ReadOnlyMemory<byte>.Empty));
            }
            else
            {
                identifier.SetString(tag, vr, value);
            }
        }

        return identifier;
    }

    // Keeps what is posted to it until RunHeld, which runs it with no context of its own.
    private sealed class HoldingContext : SynchronizationContext
    {
        private readonly Queue<(SendOrPostCallback Callback, object? State)> _held = new();

        public override void Post(SendOrPostCallback d, object? state) => _held.Enqueue((d, state));

        public void RunHeld()
        {
            SynchronizationContext? previous = Current;
            SetSynchronizationContext(null);
            try
            {
                while (_held.TryDequeue(out (SendOrPostCallback Callback, object? State) item))
                {
                    item.Callback(item.State);
                }
            }
            finally
            {
                SetSynchronizationContext(previous);
            }
        }
    }
}
