using Gateway.Dicom;

namespace Gateway.DicomWeb.Qido;

/// <summary>
/// The attributes a QIDO-RS response carries without includefield (PS3.18 10.6.3.3, Tables 10.6.3-3 to 10.6.3-5), less
/// Specific Character Set and Retrieve URL, which are not C-FIND keys (the response writer adds Retrieve URL).
/// </summary>
public static class QidoDefaultAttributes
{
    /// <summary>Study level.</summary>
    public static IReadOnlyList<DicomTag> Study { get; } =
    [
        DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.AccessionNumber, DicomTags.InstanceAvailability, DicomTags.ModalitiesInStudy,
        DicomTags.ReferringPhysicianName, DicomTags.TimezoneOffsetFromUTC, DicomTags.PatientName, DicomTags.PatientID,
        DicomTags.PatientBirthDate, DicomTags.PatientSex, DicomTags.StudyInstanceUID, DicomTags.StudyID,
        DicomTags.NumberOfStudyRelatedSeries, DicomTags.NumberOfStudyRelatedInstances,
    ];

    /// <summary>Series level.</summary>
    public static IReadOnlyList<DicomTag> Series { get; } =
    [
        DicomTags.Modality, DicomTags.TimezoneOffsetFromUTC, DicomTags.SeriesDescription, DicomTags.SeriesInstanceUID, DicomTags.SeriesNumber,
        DicomTags.NumberOfSeriesRelatedInstances, DicomTags.PerformedProcedureStepStartDate, DicomTags.PerformedProcedureStepStartTime,
        DicomTags.RequestAttributesSequence,
    ];

    /// <summary>Instance level.</summary>
    public static IReadOnlyList<DicomTag> Instance { get; } =
    [
        DicomTags.SOPClassUID, DicomTags.SOPInstanceUID, DicomTags.InstanceAvailability, DicomTags.TimezoneOffsetFromUTC,
        DicomTags.InstanceNumber, DicomTags.Rows, DicomTags.Columns, DicomTags.BitsAllocated, DicomTags.NumberOfFrames,
    ];

    /// <summary>
    /// The defaults for <paramref name="resource"/>: its level's, plus the study's for series and instances searched
    /// outside a study, plus the series' for instances searched outside a series (PS3.18 10.6.3.3.2 and .3).
    /// </summary>
    public static IReadOnlyList<DicomTag> For(QidoResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        IEnumerable<DicomTag> tags = resource.Level switch
        {
            QidoLevel.Study => Study,
            QidoLevel.Series => resource.StudyInstanceUid is null ? Study.Concat(Series) : Series.Append(DicomTags.StudyInstanceUID),
            _ => (resource.StudyInstanceUid is null ? Study : [DicomTags.StudyInstanceUID])
                .Concat(resource.SeriesInstanceUid is null ? Series : [DicomTags.SeriesInstanceUID])
                .Concat(Instance),
        };
        return [.. tags.Distinct().Order()];
    }
}
