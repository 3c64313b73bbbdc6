using System.Collections.Frozen;
using Gateway.Dicom.Dictionary;

namespace Gateway.Dicom.Network.Services;

/// <summary>
/// The attributes a <see cref="DirectoryQueryRetrieveService"/> indexes and the level each belongs to (PS3.4 C.6.1.1
/// and C.6.2.1, Patient Root and Study Root), plus the ones it computes from the index.
/// </summary>
/// <remarks>
/// Like dcmqrscp's index, the set is fixed: a key outside it is not supported and is answered with a zero-length value
/// (universal matching), never by reading the files again. In the Study Root model the patient attributes are
/// evaluated at the STUDY level (PS3.4 C.6.2.1).
/// </remarks>
internal static class QueryRetrieveAttributes
{
    /// <summary>Retired Other Patient IDs (0010,1000), still sent by older SCUs and dcmqrscp's index.</summary>
    public static readonly DicomTag OtherPatientIDs = new(0x0010, 0x1000);

    private static readonly FrozenDictionary<DicomTag, QueryRetrieveLevel> Stored = new Dictionary<DicomTag, QueryRetrieveLevel>
    {
        // PS3.4 Table C.6-1: patient level.
        [DicomTags.PatientName] = QueryRetrieveLevel.Patient,
        [DicomTags.PatientID] = QueryRetrieveLevel.Patient,
        [DicomTags.IssuerOfPatientID] = QueryRetrieveLevel.Patient,
        [DicomTags.PatientBirthDate] = QueryRetrieveLevel.Patient,
        [DicomTags.PatientBirthTime] = QueryRetrieveLevel.Patient,
        [DicomTags.PatientSex] = QueryRetrieveLevel.Patient,
        [OtherPatientIDs] = QueryRetrieveLevel.Patient,
        [DicomTags.OtherPatientNames] = QueryRetrieveLevel.Patient,
        [DicomTags.EthnicGroup] = QueryRetrieveLevel.Patient,
        [DicomTags.PatientComments] = QueryRetrieveLevel.Patient,

        // Table C.6-2: study level.
        [DicomTags.StudyDate] = QueryRetrieveLevel.Study,
        [DicomTags.StudyTime] = QueryRetrieveLevel.Study,
        [DicomTags.AccessionNumber] = QueryRetrieveLevel.Study,
        [DicomTags.StudyID] = QueryRetrieveLevel.Study,
        [DicomTags.StudyInstanceUID] = QueryRetrieveLevel.Study,
        [DicomTags.ReferringPhysicianName] = QueryRetrieveLevel.Study,
        [DicomTags.StudyDescription] = QueryRetrieveLevel.Study,
        [DicomTags.NameOfPhysiciansReadingStudy] = QueryRetrieveLevel.Study,
        [DicomTags.AdmittingDiagnosesDescription] = QueryRetrieveLevel.Study,
        [DicomTags.PatientAge] = QueryRetrieveLevel.Study,
        [DicomTags.PatientSize] = QueryRetrieveLevel.Study,
        [DicomTags.PatientWeight] = QueryRetrieveLevel.Study,
        [DicomTags.Occupation] = QueryRetrieveLevel.Study,
        [DicomTags.AdditionalPatientHistory] = QueryRetrieveLevel.Study,
        [DicomTags.InstitutionName] = QueryRetrieveLevel.Study,

        // Table C.6-3: series level.
        [DicomTags.Modality] = QueryRetrieveLevel.Series,
        [DicomTags.SeriesNumber] = QueryRetrieveLevel.Series,
        [DicomTags.SeriesInstanceUID] = QueryRetrieveLevel.Series,
        [DicomTags.SeriesDescription] = QueryRetrieveLevel.Series,
        [DicomTags.SeriesDate] = QueryRetrieveLevel.Series,
        [DicomTags.SeriesTime] = QueryRetrieveLevel.Series,
        [DicomTags.BodyPartExamined] = QueryRetrieveLevel.Series,
        [DicomTags.Laterality] = QueryRetrieveLevel.Series,
        [DicomTags.ProtocolName] = QueryRetrieveLevel.Series,
        [DicomTags.PerformedProcedureStepStartDate] = QueryRetrieveLevel.Series,
        [DicomTags.PerformedProcedureStepStartTime] = QueryRetrieveLevel.Series,
        [DicomTags.StationName] = QueryRetrieveLevel.Series,
        [DicomTags.Manufacturer] = QueryRetrieveLevel.Series,

        // Table C.6-4: composite object instance level.
        [DicomTags.SOPInstanceUID] = QueryRetrieveLevel.Image,
        [DicomTags.SOPClassUID] = QueryRetrieveLevel.Image,
        [DicomTags.InstanceNumber] = QueryRetrieveLevel.Image,
        [DicomTags.ImageType] = QueryRetrieveLevel.Image,
        [DicomTags.ContentDate] = QueryRetrieveLevel.Image,
        [DicomTags.ContentTime] = QueryRetrieveLevel.Image,
        [DicomTags.AcquisitionDate] = QueryRetrieveLevel.Image,
        [DicomTags.AcquisitionTime] = QueryRetrieveLevel.Image,
        [DicomTags.AcquisitionNumber] = QueryRetrieveLevel.Image,
        [DicomTags.InstanceCreationDate] = QueryRetrieveLevel.Image,
        [DicomTags.InstanceCreationTime] = QueryRetrieveLevel.Image,
        [DicomTags.ImageComments] = QueryRetrieveLevel.Image,
        [DicomTags.NumberOfFrames] = QueryRetrieveLevel.Image,
        [DicomTags.Rows] = QueryRetrieveLevel.Image,
        [DicomTags.Columns] = QueryRetrieveLevel.Image,
        [DicomTags.BitsAllocated] = QueryRetrieveLevel.Image,
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<DicomTag, QueryRetrieveLevel> Computed = new Dictionary<DicomTag, QueryRetrieveLevel>
    {
        // PS3.4 C.3.4 (additional Query/Retrieve attributes): counts and summaries the SCP derives from what it holds.
        [DicomTags.NumberOfPatientRelatedStudies] = QueryRetrieveLevel.Patient,
        [DicomTags.NumberOfPatientRelatedSeries] = QueryRetrieveLevel.Patient,
        [DicomTags.NumberOfPatientRelatedInstances] = QueryRetrieveLevel.Patient,
        [DicomTags.NumberOfStudyRelatedSeries] = QueryRetrieveLevel.Study,
        [DicomTags.NumberOfStudyRelatedInstances] = QueryRetrieveLevel.Study,
        [DicomTags.ModalitiesInStudy] = QueryRetrieveLevel.Study,
        [DicomTags.SOPClassesInStudy] = QueryRetrieveLevel.Study,
        [DicomTags.NumberOfSeriesRelatedInstances] = QueryRetrieveLevel.Series,
        [DicomTags.AvailableTransferSyntaxUID] = QueryRetrieveLevel.Image,
    }.ToFrozenDictionary();

    /// <summary>Every tag read from a file's header: the stored attributes and Specific Character Set.</summary>
    public static FrozenSet<DicomTag> IndexedTags { get; } = Stored.Keys.Append(DicomTags.SpecificCharacterSet).ToFrozenSet();

    /// <summary>The highest indexed tag: reading a header stops after it, well before the pixel data.</summary>
    public static DicomTag LastIndexedTag { get; } = IndexedTags.Max();

    /// <summary>The level of a stored attribute, or null when it is not indexed.</summary>
    public static QueryRetrieveLevel? StoredLevel(DicomTag tag) => Stored.TryGetValue(tag, out QueryRetrieveLevel level) ? level : null;

    /// <summary>The level of a computed attribute, or null when it is not computed.</summary>
    public static QueryRetrieveLevel? ComputedLevel(DicomTag tag) => Computed.TryGetValue(tag, out QueryRetrieveLevel level) ? level : null;

    /// <summary>The stored attributes of one level.</summary>
    public static IEnumerable<DicomTag> TagsOf(QueryRetrieveLevel level) => Stored.Where(p => p.Value == level).Select(p => p.Key);

    /// <summary>The unique key of a level (PS3.4 C.6.1.1 / C.6.2.1).</summary>
    public static DicomTag UniqueKey(QueryRetrieveLevel level) => level switch
    {
        QueryRetrieveLevel.Patient => DicomTags.PatientID,
        QueryRetrieveLevel.Study => DicomTags.StudyInstanceUID,
        QueryRetrieveLevel.Series => DicomTags.SeriesInstanceUID,
        _ => DicomTags.SOPInstanceUID,
    };

    /// <summary>The defined term of a level for (0008,0052).</summary>
    public static string LevelName(QueryRetrieveLevel level) => level switch
    {
        QueryRetrieveLevel.Patient => "PATIENT",
        QueryRetrieveLevel.Study => "STUDY",
        QueryRetrieveLevel.Series => "SERIES",
        _ => "IMAGE",
    };

    /// <summary>Parses a Query/Retrieve Level value.</summary>
    public static bool TryParseLevel(string? text, out QueryRetrieveLevel level)
    {
        switch (text?.Trim())
        {
            case "PATIENT":
                level = QueryRetrieveLevel.Patient;
                return true;
            case "STUDY":
                level = QueryRetrieveLevel.Study;
                return true;
            case "SERIES":
                level = QueryRetrieveLevel.Series;
                return true;
            case "IMAGE":
                level = QueryRetrieveLevel.Image;
                return true;
            default:
                level = default;
                return false;
        }
    }

    /// <summary>The VR of a standard attribute from the dictionary (the first one listed), or <paramref name="fallback"/>.</summary>
    public static DicomVR DictionaryVR(DicomTag tag, DicomVR fallback) =>
        !tag.IsPrivate && DicomDictionary.Standard.Find(tag) is { } entry && entry.ValueRepresentations is [var vr, ..] ? vr : fallback;
}
