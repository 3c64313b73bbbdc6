namespace Gateway.Dicom.Network.Interop.Tests.Support;

/// <summary>
/// The standard test corpus, eight instances:
/// patient P1 "Doe^John", study S1 (2024-01-15 10:15) with a CT series of three images and an MR series of two;
/// patient P2 "Müller^Jürgen" (ISO_IR 100), study S2 (2024-02-20 08:30) with a CT series of two;
/// patient P3 "Smith^Anna", study S3 (2023-12-31 23:59:59) with one Secondary Capture image in implicit VR.
/// </summary>
internal static class TestStudies
{
    public const string Root = "2.25.31415926535897932384626433832795";

    public const string Study1 = Root + ".1.1";
    public const string Study2 = Root + ".1.2";
    public const string Study3 = Root + ".1.3";
    public const string Series1Ct = Root + ".2.1";
    public const string Series1Mr = Root + ".2.2";
    public const string Series2Ct = Root + ".2.3";
    public const string Series3Sc = Root + ".2.4";

    public static IReadOnlyList<TestInstance> All { get; } =
    [
        .. Series(Study1, Series1Ct, "P1", "Doe^John", "20240115", "101500", "ACC1", "Head CT", "CT", 1, DicomUids.CTImageStorage.Value, 3, 1),
        .. Series(Study1, Series1Mr, "P1", "Doe^John", "20240115", "101500", "ACC1", "Head CT", "MR", 2, DicomUids.MRImageStorage.Value, 2, 4),
        .. Series(Study2, Series2Ct, "P2", "Müller^Jürgen", "20240220", "083000", "ACC2", "Thorax", "CT", 1, DicomUids.CTImageStorage.Value, 2, 6),
        .. Series(Study3, Series3Sc, "P3", "Smith^Anna", "20231231", "235959", "ACC3", "Capture", "OT", 7, DicomUids.SecondaryCaptureImageStorage.Value, 1, 8),
    ];

    /// <summary>The SOP Instance UID of test instance <paramref name="n"/> (1-8).</summary>
    public static string Instance(int n) => Root + ".3." + n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The study of the <see cref="Large"/> instances (patient PLARGE).</summary>
    public const string LargeStudy = Root + ".9.1";

    /// <summary>
    /// Large instance <paramref name="n"/>: a 256x256 16-bit image (128 KiB of pixel data), so that its P-DATA spans
    /// many PDUs at any PDU size DCMTK and we use.
    /// </summary>
    public static TestInstance Large(int n) => new()
    {
        PatientId = "PLARGE",
        PatientName = "Large^Image",
        StudyUid = LargeStudy,
        SeriesUid = Root + ".9.2",
        SopInstanceUid = Root + ".9.3." + n.ToString(System.Globalization.CultureInfo.InvariantCulture),
        InstanceNumber = n,
        Size = 256,
    };

    /// <summary>The instances of one series.</summary>
    public static IEnumerable<TestInstance> InSeries(string seriesUid) => All.Where(i => i.SeriesUid == seriesUid);

    /// <summary>The instances of one study.</summary>
    public static IEnumerable<TestInstance> InStudy(string studyUid) => All.Where(i => i.StudyUid == studyUid);

    /// <summary>Writes every instance into <paramref name="directory"/>.</summary>
    public static async Task WriteAllAsync(string directory)
    {
        foreach (TestInstance instance in All)
        {
            await instance.WriteAsync(directory);
        }
    }

    private static IEnumerable<TestInstance> Series(
        string study, string series, string patientId, string patientName, string date, string time, string accession, string description,
        string modality, int seriesNumber, string sopClass, int count, int firstInstance)
    {
        for (int i = 0; i < count; i++)
        {
            int n = firstInstance + i;
            yield return new TestInstance
            {
                PatientId = patientId,
                PatientName = patientName,
                StudyUid = study,
                StudyDate = date,
                StudyTime = time,
                AccessionNumber = accession,
                StudyDescription = description,
                SeriesUid = series,
                Modality = modality,
                SeriesNumber = seriesNumber,
                SopInstanceUid = Instance(n),
                InstanceNumber = i + 1,
                SopClassUid = sopClass,
                CharacterSet = patientId == "P2" ? "ISO_IR 100" : null,
                TransferSyntax = patientId == "P3" ? DicomTransferSyntax.ImplicitVRLittleEndian : DicomTransferSyntax.ExplicitVRLittleEndian,
            };
        }
    }
}
