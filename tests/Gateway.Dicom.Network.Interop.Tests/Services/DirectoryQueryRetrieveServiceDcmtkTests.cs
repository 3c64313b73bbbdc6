using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Dicom.Network.Services;

namespace Gateway.Dicom.Network.Interop.Tests.Services;

/// <summary>
/// The in-process Q/R SCP (DicomServer + DimseServiceDispatcher + DirectoryStoreService + DirectoryQueryRetrieveService)
/// against DCMTK's echoscu, storescu, findscu, movescu (to a storescp) and getscu as real processes.
/// </summary>
public sealed class DirectoryQueryRetrieveServiceDcmtkTests : IClassFixture<DcmtkFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public DirectoryQueryRetrieveServiceDcmtkTests(DcmtkFixture dcmtk)
    {
        Assert.NotNull(dcmtk.Version);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Echoscu_Verification_Succeeds()
    {
        await using QueryRetrieveHost host = await QueryRetrieveHost.StartAsync(_temp.Sub("store"));

        ToolResult echo = await ExternalTool.RunAsync("echoscu", [.. host.Calling(), "127.0.0.1", host.PortText]);

        echo.EnsureSuccess();
    }

    [Fact]
    public async Task StorescuThenFindscu_StoredInstances_AreFoundWithoutDelay()
    {
        string source = _temp.Sub("source");
        await TestStudies.WriteAllAsync(source);
        await using QueryRetrieveHost host = await QueryRetrieveHost.StartAsync(_temp.Sub("store"));

        (await ExternalTool.RunAsync("storescu", [.. host.Calling(), "+sd", "127.0.0.1", host.PortText, source])).EnsureSuccess();
        FindscuOutput found = await FindAsync(host, "-S", "QueryRetrieveLevel=STUDY", "StudyInstanceUID", "PatientID", "NumberOfStudyRelatedInstances");

        Assert.Equal("Success", found.FinalStatus);
        Assert.Equal([TestStudies.Study3, TestStudies.Study1, TestStudies.Study2], found.Values("0020,000D"));
        Assert.Equal(["P3", "P1", "P2"], found.Values("0010,0020"));
        Assert.Equal(["1", "5", "2"], found.Values("0020,1208"));
        Assert.All(found.Responses, r => Assert.Equal(QueryRetrieveHost.AETitle, r["0008,0054"]));
        Assert.All(found.Responses, r => Assert.Equal("STUDY", r["0008,0052"]));
    }

    [Fact]
    public async Task FindscuPatientRoot_EachLevel_AnswersFromTheIndex()
    {
        await using QueryRetrieveHost host = await StartWithCorpusAsync();

        FindscuOutput patients = await FindAsync(host, "-P", "QueryRetrieveLevel=PATIENT", "PatientID", "PatientName", "NumberOfPatientRelatedStudies");
        FindscuOutput studies = await FindAsync(host, "-P", "QueryRetrieveLevel=STUDY", "PatientID=P1", "StudyInstanceUID", "StudyDate", "AccessionNumber");
        FindscuOutput series = await FindAsync(host, "-P", "QueryRetrieveLevel=SERIES", "PatientID=P1", "StudyInstanceUID=" + TestStudies.Study1, "SeriesInstanceUID", "Modality", "SeriesNumber");
        FindscuOutput images = await FindAsync(
            host, "-P", "QueryRetrieveLevel=IMAGE", "PatientID=P1", "StudyInstanceUID=" + TestStudies.Study1, "SeriesInstanceUID=" + TestStudies.Series1Mr, "SOPInstanceUID", "InstanceNumber", "Rows");

        Assert.Equal(["P1", "P2", "P3"], patients.Values("0010,0020"));
        Assert.Equal("Doe^John", patients.Responses[0]["0010,0010"]);
        Assert.Equal(["1", "1", "1"], patients.Values("0020,1200"));
        Assert.Equal([TestStudies.Study1], studies.Values("0020,000D"));
        Assert.Equal(["ACC1"], studies.Values("0008,0050"));
        Assert.Equal([TestStudies.Series1Ct, TestStudies.Series1Mr], series.Values("0020,000E"));
        Assert.Equal(["CT", "MR"], series.Values("0008,0060"));
        Assert.Equal([TestStudies.Instance(4), TestStudies.Instance(5)], images.Values("0008,0018"));
        Assert.Equal(["4", "4"], images.Values("0028,0010"));
    }

    [Fact]
    public async Task FindscuStudyRoot_WildcardRangeAndUidList_Filter()
    {
        await using QueryRetrieveHost host = await StartWithCorpusAsync();

        FindscuOutput byName = await FindAsync(host, "-S", "QueryRetrieveLevel=STUDY", "StudyInstanceUID", "PatientName=d?e*");
        FindscuOutput byDate = await FindAsync(host, "-S", "QueryRetrieveLevel=STUDY", "StudyInstanceUID", "StudyDate=20240101-", "StudyTime=0800-1100");
        FindscuOutput byList = await FindAsync(host, "-S", "QueryRetrieveLevel=STUDY", $"StudyInstanceUID={TestStudies.Study2}\\{TestStudies.Study3}\\1.2.3", "SpecificCharacterSet", "PatientName");

        Assert.Equal([TestStudies.Study1], byName.Values("0020,000D"));
        Assert.Equal([TestStudies.Study1, TestStudies.Study2], byDate.Values("0020,000D"));
        Assert.Equal([TestStudies.Study3, TestStudies.Study2], byList.Values("0020,000D"));
        Assert.Equal("ISO_IR 100", byList.Responses[1]["0008,0005"]);
    }

    [Fact]
    public async Task Findscu_SeriesAcrossStudies_WithAnEmptyStudyKey_IsAnsweredAsDcmqrscpAnswersIt()
    {
        await using QueryRetrieveHost host = await StartWithCorpusAsync();

        FindscuOutput series = await FindAsync(host, "-S", "QueryRetrieveLevel=SERIES", "StudyInstanceUID", "SeriesInstanceUID", "Modality=CT");

        Assert.Contains("Success", series.FinalStatus, StringComparison.Ordinal);
        Assert.Equal([TestStudies.Series1Ct, TestStudies.Series2Ct], series.Values("0020,000E").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Findscu_StudyLevelWithoutPatientIdInPatientRoot_IsRefusedWithA900()
    {
        await using QueryRetrieveHost host = await StartWithCorpusAsync();

        FindscuOutput refused = await FindAsync(host, "-P", "QueryRetrieveLevel=STUDY", "StudyInstanceUID");

        Assert.Empty(refused.Responses);
        Assert.Contains("DataSetDoesNotMatchSOPClass", refused.FinalStatus, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Movescu_StudiesToStorescp_DeliversDataSetsByteForByte()
    {
        (BackgroundTool destination, Dictionary<string, DicomClientOptions> destinations, string received) = await StartDestinationAsync();
        await using BackgroundTool storescp = destination;
        await using QueryRetrieveHost host = await StartWithCorpusAsync(destinations);

        // A list of UIDs: study 1 (explicit VR CT and MR) and study 3 (an implicit VR Secondary Capture image).
        ToolResult move = await ExternalTool.RunAsync(
            "movescu", [.. host.Calling(), "-v", "-S", "-aem", "DEST", "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={TestStudies.Study1}\\{TestStudies.Study3}", "127.0.0.1", host.PortText]);

        move.EnsureSuccess();
        Assert.Contains("Received Final Move Response (Success)", move.Output, StringComparison.Ordinal);
        await AssertSameDataSetsAsync([.. TestStudies.InStudy(TestStudies.Study1), .. TestStudies.InStudy(TestStudies.Study3)], received);
        await AssertSameSyntaxAsync(TestStudies.Instance(8), received, DicomTransferSyntax.ImplicitVRLittleEndian);
    }

    [Fact]
    public async Task Movescu_UnconfiguredDestination_IsRefusedMoveDestinationUnknown()
    {
        await using QueryRetrieveHost host = await StartWithCorpusAsync();

        ToolResult move = await ExternalTool.RunAsync(
            "movescu", [.. host.Calling(), "-v", "-S", "-aem", "NOBODY", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + TestStudies.Study1, "127.0.0.1", host.PortText]);

        Assert.Contains("Received Final Move Response (Refused: MoveDestinationUnknown)", move.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Movescu_DestinationNotListening_FailsEverySubOperation()
    {
        await using QueryRetrieveHost host = await StartWithCorpusAsync(new Dictionary<string, DicomClientOptions>
        {
            ["DOWN"] = new() { Host = "127.0.0.1", Port = FreePort.Next() },
        });

        ToolResult move = await ExternalTool.RunAsync(
            "movescu", [.. host.Calling(), "-d", "-S", "-aem", "DOWN", "-k", "QueryRetrieveLevel=SERIES", "-k", "StudyInstanceUID=" + TestStudies.Study2, "-k", "SeriesInstanceUID=" + TestStudies.Series2Ct, "127.0.0.1", host.PortText]);

        // A702 (all sub-operations failed), with both instances in the Failed SOP Instance UID List.
        Assert.Contains("DIMSE Status                  : 0xa702", move.Output, StringComparison.Ordinal);
        Assert.Contains("Failed Suboperations          : 2", move.Output, StringComparison.Ordinal);
        Assert.Contains($"(0008,0058) UI [{TestStudies.Instance(6)}\\{TestStudies.Instance(7)}]", move.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Movescu_RetrieveWithoutUniqueKey_IsRefused()
    {
        await using QueryRetrieveHost host = await StartWithCorpusAsync(new Dictionary<string, DicomClientOptions>
        {
            ["DEST"] = new() { Host = "127.0.0.1", Port = FreePort.Next() },
        });

        ToolResult move = await ExternalTool.RunAsync(
            "movescu", [.. host.Calling(), "-v", "-S", "-aem", "DEST", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "127.0.0.1", host.PortText]);

        Assert.Contains("DataSetDoesNotMatchSOPClass", move.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Movescu_CancelAfterFirstResponse_EndsWithCancelStatus()
    {
        const int Count = 60;
        string store = _temp.Sub("store");
        for (int i = 1; i <= Count; i++)
        {
            await (TestStudies.All[0] with { SopInstanceUid = TestStudies.Root + ".9." + i, InstanceNumber = i }).WriteAsync(store);
        }

        (BackgroundTool destination, Dictionary<string, DicomClientOptions> destinations, string received) = await StartDestinationAsync();
        await using BackgroundTool storescp = destination;
        await using QueryRetrieveHost host = await QueryRetrieveHost.StartAsync(store, destinations);

        ToolResult move = await ExternalTool.RunAsync(
            "movescu", [.. host.Calling(), "-v", "--cancel", "1", "-S", "-aem", "DEST", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + TestStudies.Study1, "127.0.0.1", host.PortText]);

        Assert.Contains("Received Final Move Response (Cancel", move.Output, StringComparison.Ordinal);
        Assert.InRange(Directory.GetFiles(received).Length, 1, Count - 1);

        // Stopped between two sub-operations, the association to the destination is released, not aborted.
        Assert.True(await storescp.WaitForOutputAsync("Association Release", TimeSpan.FromSeconds(5)), storescp.Output);
        Assert.DoesNotContain("Aborted", storescp.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Getscu_Study_RetrievesDataSetsByteForByteOnTheSameAssociation()
    {
        await using QueryRetrieveHost host = await StartWithCorpusAsync();
        string output = _temp.Sub("get");

        ToolResult get = await ExternalTool.RunAsync(
            "getscu", [.. host.Calling(), "-v", "-S", "-od", output, "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + TestStudies.Study1, "127.0.0.1", host.PortText]);

        get.EnsureSuccess();
        Assert.Contains("Received C-GET Response (Success)", get.Output, StringComparison.Ordinal);
        await AssertSameDataSetsAsync([.. TestStudies.InStudy(TestStudies.Study1)], output);
    }

    [Fact]
    public async Task MovescuAndGetscu_StudyByAccessionNumber_RetrieveThatStudy()
    {
        // No Study Instance UID: the study is named by its Accession Number, as Orthanc and dcmqrscp both accept.
        (BackgroundTool destination, Dictionary<string, DicomClientOptions> destinations, string received) = await StartDestinationAsync();
        await using BackgroundTool storescp = destination;
        await using QueryRetrieveHost host = await StartWithCorpusAsync(destinations);
        string output = _temp.Sub("get");

        ToolResult move = await ExternalTool.RunAsync(
            "movescu", [.. host.Calling(), "-v", "-S", "-aem", "DEST", "-k", "QueryRetrieveLevel=STUDY", "-k", "AccessionNumber=ACC1", "127.0.0.1", host.PortText]);
        ToolResult get = await ExternalTool.RunAsync(
            "getscu", [.. host.Calling(), "-v", "-S", "-od", output, "-k", "QueryRetrieveLevel=STUDY", "-k", "AccessionNumber=ACC1", "127.0.0.1", host.PortText]);

        move.EnsureSuccess();
        get.EnsureSuccess();
        Assert.Contains("Received Final Move Response (Success)", move.Output, StringComparison.Ordinal);
        await AssertSameDataSetsAsync([.. TestStudies.InStudy(TestStudies.Study1)], received);
        await AssertSameDataSetsAsync([.. TestStudies.InStudy(TestStudies.Study1)], output);
    }

    [Fact]
    public async Task Getscu_ImageLevelUidList_RetrievesOnlyThoseInstances()
    {
        await using QueryRetrieveHost host = await StartWithCorpusAsync();
        string output = _temp.Sub("get");

        ToolResult get = await ExternalTool.RunAsync(
            "getscu",
            [
                .. host.Calling(), "-S", "-od", output, "-k", "QueryRetrieveLevel=IMAGE", "-k", "StudyInstanceUID=" + TestStudies.Study1,
                "-k", "SeriesInstanceUID=" + TestStudies.Series1Ct, "-k", $"SOPInstanceUID={TestStudies.Instance(1)}\\{TestStudies.Instance(3)}", "127.0.0.1", host.PortText,
            ]);

        get.EnsureSuccess();
        await AssertSameDataSetsAsync([.. TestStudies.All.Where(i => i.SopInstanceUid == TestStudies.Instance(1) || i.SopInstanceUid == TestStudies.Instance(3))], output);
    }

    // A storescp listening as the C-MOVE destination DEST, the destinations that name it, and where its files go.
    private async Task<(BackgroundTool Storescp, Dictionary<string, DicomClientOptions> Destinations, string Received)> StartDestinationAsync()
    {
        int port = FreePort.Next();
        string received = _temp.Sub("received");
        BackgroundTool storescp = await BackgroundTool.StartStorescpAsync("DEST", received, port);
        return (storescp, new Dictionary<string, DicomClientOptions> { ["DEST"] = new() { Host = "127.0.0.1", Port = port } }, received);
    }

    private async Task<QueryRetrieveHost> StartWithCorpusAsync(IReadOnlyDictionary<string, DicomClientOptions>? destinations = null)
    {
        string store = _temp.Sub("store");
        await TestStudies.WriteAllAsync(store);
        return await QueryRetrieveHost.StartAsync(store, destinations);
    }

    private static async Task<FindscuOutput> FindAsync(QueryRetrieveHost host, string model, params string[] keys)
    {
        ToolResult result = await ExternalTool.RunAsync("findscu", [.. host.Calling(), "-v", model, .. keys.SelectMany(k => new[] { "-k", k }), "127.0.0.1", host.PortText]);
        return FindscuOutput.Parse(result.Output);
    }

    // Each received file carries exactly the data set of its original, and nothing else arrived.
    private static async Task AssertSameDataSetsAsync(IReadOnlyList<TestInstance> expected, string directory)
    {
        Dictionary<string, byte[]> received = await DicomFiles.ReadDirectoryAsync(directory);
        Assert.Equal(expected.Select(i => i.SopInstanceUid).Order(StringComparer.Ordinal), received.Keys.Order(StringComparer.Ordinal));
        foreach (TestInstance instance in expected)
        {
            string original = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(original);
            try
            {
                (_, _, byte[] dataSet) = await DicomFiles.ReadAsync(await instance.WriteAsync(original));
                Assert.True(dataSet.AsSpan().SequenceEqual(received[instance.SopInstanceUid]), $"{instance.SopInstanceUid} differs from the original");
            }
            finally
            {
                Directory.Delete(original, recursive: true);
            }
        }
    }

    private static async Task AssertSameSyntaxAsync(string sopInstanceUid, string directory, DicomTransferSyntax expected)
    {
        foreach (string path in Directory.EnumerateFiles(directory))
        {
            (string uid, DicomTransferSyntax syntax, _) = await DicomFiles.ReadAsync(path);
            if (uid == sopInstanceUid)
            {
                Assert.Equal(expected, syntax);
                return;
            }
        }

        Assert.Fail($"{sopInstanceUid} was not received");
    }
}
